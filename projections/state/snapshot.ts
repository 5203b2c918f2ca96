import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../cluster-state.ts';
import { rebuildIndexes } from './indexes.ts';
import { createClusterState } from './reducer.ts';

/**
 * A ClusterState serialised at its position. Only the primary data is written (objects in their map
 * order, heartbeats, stopped kubelets); the indexes are derived, so loading rebuilds them. Queries sort their results,
 * so a loaded state answers every query exactly as the replayed one does.
 */

export const SNAPSHOT_FORMAT = 'orrery-cluster-state/1';

interface SnapshotBody {
  format: typeof SNAPSHOT_FORMAT;
  position: number;
  time: number;
  seed: number;
  mode: ClusterState['mode'];
  objects: Array<[kind: string, entries: Array<[key: string, object: KubeObject]>]>;
  heartbeats: Array<[node: string, time: number]>;
  /** Absent in snapshots written before it existed (no kubelet stopped). */
  stoppedKubelets?: string[];
}

export function serializeState(state: ClusterState): Buffer {
  return Buffer.from(serializedStateText(state));
}

/** The snapshot's JSON text itself (`serializeState` is its UTF-8 bytes): what an in-memory round trip needs. */
export function serializedStateText(state: ClusterState): string {
  const body: SnapshotBody = {
    format: SNAPSHOT_FORMAT,
    position: state.position,
    time: state.time,
    seed: state.seed,
    mode: state.mode,
    objects: [...state.objects].map(([kind, objects]) => [kind, [...objects]]),
    heartbeats: [...state.heartbeats],
    stoppedKubelets: [...state.stoppedKubelets],
  };
  return JSON.stringify(body);
}

/**
 * The state's primary data as of now, serialised only when asked: exactly the text of
 * `serializeState(state)` at this moment. Cheap to take: it copies the maps, not the objects, which the reducer never
 * changes in place (every change builds a new object; property-tested in
 * property-tests/invariants/event-sourcing.int.test.ts).
 */
export function deferredSnapshot(state: ClusterState): () => string {
  const frame: ClusterState = {
    ...state,
    objects: new Map([...state.objects].map(([kind, objects]) => [kind, new Map(objects)])),
    heartbeats: new Map(state.heartbeats),
    stoppedKubelets: new Set(state.stoppedKubelets),
  };
  return () => serializedStateText(frame);
}

export function deserializeState(data: Buffer | string): ClusterState {
  const body = JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as SnapshotBody;
  if (body.format !== SNAPSHOT_FORMAT) throw new Error(`not a cluster-state snapshot (format ${JSON.stringify(body.format)}, expected ${SNAPSHOT_FORMAT})`);
  const state = createClusterState();
  state.position = body.position;
  state.time = body.time;
  state.seed = body.seed;
  state.mode = body.mode;
  for (const [kind, entries] of body.objects) state.objects.set(kind, new Map(entries));
  for (const [node, time] of body.heartbeats) state.heartbeats.set(node, time);
  for (const node of body.stoppedKubelets ?? []) state.stoppedKubelets.add(node);
  rebuildIndexes(state);
  return state;
}
