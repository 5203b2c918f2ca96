import type { ClusterBackend } from './cluster-backend.ts';
import type { StateHistory } from './state-at.ts';
import type { WatchHub } from './watch/watch-hub.ts';

/** Everything a route needs, built once per server. */
export interface ApiContext {
  cluster: ClusterBackend;
  hub: WatchHub;
  history: StateHistory;
  /** The time tables measure ages against. */
  now(): number;
}
