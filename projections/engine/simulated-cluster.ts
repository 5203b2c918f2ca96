import type { StoredEvent } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import { createVirtualClock, type VirtualClock } from '../../core/virtual-clock.ts';
import type { ClusterState } from '../cluster-state.ts';
import type { Command } from '../commands.ts';
import { applyEvent, createClusterState } from '../state/reducer.ts';
import { createWritePath, type WritePath, type WriteResult } from '../write-path/write-path.ts';
import type { Controller } from './controller.ts';
import { type DefaultControllerOptions, defaultControllers } from './default-controllers.ts';
import { createEngine, type Engine, type EngineMode } from './engine.ts';
import type { InterleavingSchedule } from './interleaving.ts';
import { kubeletActor } from '../controllers/kubelet/kubelet-controller.ts';
import { type SimulatedNodeSpec, simulatedNodeObject, uniformNodes } from './simulated-node.ts';

export interface SimulatedClusterOptions {
  seed?: number;
  /** Virtual start time (ms since the epoch); default 2026-01-01T00:00:00Z. */
  startTime?: number;
  /** Simulated nodes registered on first start: a count (`node-1`…) or specs. Default 3. */
  nodes?: number | SimulatedNodeSpec[];
  /** Controllers to run; default: every built-in controller. */
  controllers?: Controller[];
  /** Options for the built-in controllers, when `controllers` is not given. */
  controllerOptions?: DefaultControllerOptions;
  /** Default: a fresh in-memory store. An existing log is resumed, not re-initialised. */
  store?: EventStore;
  /** Default 'simulation'. */
  mode?: EngineMode;
  /** Server mode: wall time. */
  wallClock?: () => number;
  /** Cluster state rebuilt elsewhere (e.g. from a snapshot plus tail); default: rebuilt from the store. */
  state?: ClusterState;
  /** Simulation mode on a fresh store: perturb what controllers observe and when (engine/interleaving.ts). */
  interleavings?: InterleavingSchedule;
}

export interface SimulatedCluster {
  store: EventStore;
  state: ClusterState;
  writePath: WritePath;
  engine: Engine;
  clock: VirtualClock;
  /** Runs a command as a user would (actor `user:admin` unless given), then reconciles what it caused. */
  act(command: DistributiveOmit<Command, 'actor'> & { actor?: string }): Promise<WriteResult>;
  /** Creates every object as a user, in order. */
  apply(objects: KubeObject[]): Promise<KubeObject[]>;
  /** Advances virtual time by `ms`, reconciling everything that happens on the way. */
  run(ms: number): Promise<void>;
  close(): Promise<void>;
}

type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;

export const DEFAULT_START_TIME = Date.UTC(2026, 0, 1);
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * The `default/kubernetes` Service every cluster has (the apiserver's bootstrap controller makes
 * it): the first address of the service range, HTTPS on 443 to the apiserver's 6443. It selects no
 * pods; as there, no controller gives it endpoints (Orrery has no apiserver address to publish).
 */
const KUBERNETES_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' },
};

/**
 * A whole cluster: store, state, write path, engine and controllers, with simulated nodes. On an
 * empty store it writes ClusterInitialized, the system namespaces and a NodeRegistered per node;
 * on a non-empty one it rebuilds state and carries on.
 */
export async function createSimulatedCluster(options: SimulatedClusterOptions = {}): Promise<SimulatedCluster> {
  const store = options.store ?? createInMemoryStore();
  const mode = options.mode ?? 'simulation';
  const state = options.state ?? (await rebuildFromStore(store));
  const fresh = state.position === 0;
  const startTime = fresh ? (options.startTime ?? DEFAULT_START_TIME) : state.time;
  const clock = createVirtualClock(mode === 'server' && options.wallClock ? Math.max(options.wallClock(), startTime) : startTime);
  const now =
    mode === 'server' && options.wallClock
      ? () => Math.max(options.wallClock!(), state.time)
      : () => Math.max(clock.now(), state.time);
  const writePath = createWritePath({ store, state, now });
  const controllers = options.controllers ?? defaultControllers(options.controllerOptions);
  const engine = createEngine({
    store,
    writePath,
    controllers,
    mode,
    clock,
    fromPosition: state.position,
    ...(options.wallClock ? { wallClock: options.wallClock } : {}),
    ...(options.interleavings ? { interleavings: options.interleavings } : {}),
  });

  if (fresh) {
    const seed = options.seed ?? 1;
    const interleavings = options.interleavings && options.interleavings.length > 0 ? { interleavings: [...options.interleavings] } : {};
    await writePath.execute({ type: 'record', actor: 'orrery', event: { type: 'ClusterInitialized', data: { seed, startTime, mode, ...interleavings } } });
    for (const name of SYSTEM_NAMESPACES) {
      await writePath.execute({ type: 'create', actor: 'orrery', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    }
    await writePath.execute({ type: 'create', actor: 'orrery', object: KUBERNETES_SERVICE });
    const nodes = typeof options.nodes === 'number' || options.nodes === undefined ? uniformNodes(options.nodes ?? 3) : options.nodes;
    for (const [index, spec] of nodes.entries()) {
      await writePath.execute({
        type: 'record',
        actor: kubeletActor(spec.name),
        event: { type: 'NodeRegistered', data: { node: simulatedNodeObject(spec, index) } },
      });
    }
  } else {
    // Resuming: controllers rebuild what they remember from their first input, and timers
    // (heartbeats, evictions) only start then, so give them one at once.
    await writePath.execute({ type: 'record', actor: 'clock', event: { type: 'ClockAdvanced', data: { time: now() } } });
  }

  const cluster: SimulatedCluster = {
    store,
    state,
    writePath,
    engine,
    clock,
    async act(command) {
      const result = await writePath.execute({ actor: 'user:admin', ...command } as Command);
      if (mode === 'simulation') await engine.settle();
      return result;
    },
    async apply(objects) {
      const created: KubeObject[] = [];
      for (const object of objects) {
        const result = await cluster.act({ type: 'create', object });
        if (result.object) created.push(result.object);
      }
      return created;
    },
    run: (ms) => engine.runFor(ms),
    async close() {
      await engine.stop();
      await store.close();
    },
  };
  if (mode === 'simulation') await engine.settle();
  return cluster;
}

async function rebuildFromStore(store: EventStore): Promise<ClusterState> {
  const state = createClusterState();
  for await (const event of store.readAll(0)) applyEvent(state, event as StoredEvent);
  return state;
}
