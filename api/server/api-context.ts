import type { ClusterBackend } from './cluster-backend.ts';
import type { ApiMetrics } from './prometheus/api-metrics.ts';
import type { ServiceAccountTokens } from './service-account-tokens.ts';
import type { StateHistory } from './state-at.ts';
import type { WatchHub } from './watch/watch-hub.ts';

/** Everything a route needs, built once per server. */
export interface ApiContext {
  cluster: ClusterBackend;
  hub: WatchHub;
  history: StateHistory;
  /** The time tables measure ages against. */
  now(): number;
  /** Request counts and the rest of `/metrics`; absent when the server serves none. */
  metrics?: ApiMetrics;
  /** Signs the tokens of TokenRequest (`kubectl create token`); absent where none are issued (the past). */
  tokens?: ServiceAccountTokens;
}
