import type { ReplayInvariant } from '../../replay/service/breakpoints.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import type { Command } from '../../projections/commands.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { StoredEvent } from '../../core/events.ts';
import type { AppendCounts } from './prometheus/counting-store.ts';

/** What the API needs of a running cluster: the log, the live projection and the write path. */
export interface ClusterBackend {
  store: EventStore;
  state: ClusterState;
  writePath: { execute(command: Command): Promise<{ object?: KubeObject; events: StoredEvent[] }> };
}

export interface ApiServerOptions {
  /** A simulated cluster (or anything holding store, state and writePath). */
  cluster: ClusterBackend;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Largest request body accepted, in bytes (Kubernetes: 3 MiB). */
  bodyLimit?: number;
  /** Enables fastify's pino logger at this level; silent by default. */
  logLevel?: string;
  /** The clock tables use for AGE columns; default wall time in server mode, state time in simulation. */
  now?: () => number;
  /** Invariants the replay service's 'invariant' breakpoint may name (the CLI passes property-tests' built-ins). */
  invariants?: readonly ReplayInvariant[];
  /** Serve `/metrics` and count requests (default true; the read-only apps of `/at/<position>` go without). */
  metrics?: boolean;
  /** A server of the past (`/at/<position>`): it issues no ServiceAccount tokens. */
  readOnly?: boolean;
  /** The appends counted by the store the cluster writes through (`countingStore`), for `/metrics`. */
  appendCounts?: AppendCounts;
}

export const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024;
