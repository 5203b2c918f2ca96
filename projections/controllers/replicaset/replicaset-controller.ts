import { type Observable } from 'rxjs';
import type { StoredEvent } from '../../../core/events.ts';
import { type KubeObject, objectKey } from '../../../core/model/object.ts';
import { matches } from '../../../core/model/labels.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { controllerOf } from './controller-ref.ts';
import { type Expectations, createExpectations } from './expectations.ts';
import { isPodActive, readyCondition } from './pod-availability.ts';
import { type SyncResult, replicaSetSelector, siblingReplicaSets, splitKey, statusWrite, syncReplicaSet } from './sync-replicaset.ts';
import type { StatusCounts } from './replicaset-status.ts';
import { createKeyedTimers } from '../kubelet/keyed-timers.ts';
import { createIdleWork, reconcileEach } from '../../engine/reconcile-each.ts';
import type { CommandMeta } from '../../commands.ts';
import { NO_OUTPUTS, emptyMap } from '../per-event.ts';
import { ByNamespaceAndName } from '../by-namespace-and-name.ts';

export const REPLICASET_CONTROLLER = 'replicaset-controller';

/** Event types that may change what a ReplicaSet counts (PodUnschedulable changes nothing it reads). */
const POD_STATUS_EVENTS = new Set(['PodScheduled', 'PodPhaseChanged', 'ContainerStateChanged', 'PodEvicted']);
const OBJECT_REF_EVENTS = new Set(['ObjectStatusReplaced', 'ObjectDeletionRequested', 'ObjectRemoved']);

/** Whether `key` is `namespace/name`, without building that string. */
const isKeyOf = (key: string, namespace: string, name: string): boolean =>
  key.length === namespace.length + 1 + name.length && key.startsWith(namespace) && key.charCodeAt(namespace.length) === 47 && key.endsWith(name);
const ownerKeyOf = (pod: KubeObject, namespace: string): string | undefined => {
  const owner = controllerOf(pod);
  return owner?.kind === 'ReplicaSet' ? objectKey(namespace, owner.name) : undefined;
};

export interface ReplicaSetControllerOptions {
  /** Replaces Kubernetes' expectations (only the mutation check does, to prove they are needed). */
  expectations?: () => Expectations;
  /**
   * Default true: a settled ReplicaSet whose pods turn ready writes its status once the engine has
   * no more events to hand out (one write per burst, as the work queue's folding of one key's
   * notifications gives), not once per pod. False writes it at each pod, as before (benchmarks
   * compare the two).
   */
  foldStatusWrites?: boolean;
}

/**
 * The ReplicaSet controller. Each input names the ReplicaSets it may concern (the one it is about,
 * a pod's owner before and after, the ReplicaSets whose selector an orphan pod matches, those whose
 * availability timer fell due); each is then reconciled from the live state, level-based.
 */
export function createReplicaSetController(options: ReplicaSetControllerOptions = {}): Controller {
  return {
    name: REPLICASET_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectReplaced', ...OBJECT_REF_EVENTS, ...POD_STATUS_EVENTS], kinds: ['ReplicaSet', 'Pod'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const expectations = (options.expectations ?? createExpectations)();
      // A heap, not a map scanned at every event.
      const timers = createKeyedTimers();
      let started = false;

      /** ReplicaSet key → whether its sync must look for orphans too (not needed for its own pods' status changes). */
      type Keys = Map<string, boolean>;
      const add = (keys: Keys, key: string, includeOrphans: boolean) => keys.set(key, includeOrphans || keys.get(key) === true);

      /**
       * Per pod, one record (one look-up per event in a map of every pod):
       * - `owner`: its ReplicaSet's `ns/name`, so a removed pod still reaches its owner;
       * - `counted`: the pod as its ReplicaSet's status last counted it (active, ready, since when).
       *   A pod status event that leaves that unchanged (scheduling, a phase change that keeps it
       *   active, a container starting unready) cannot change the ReplicaSet, so it is not reconciled.
       */
      const pods = new ByNamespaceAndName<{ owner: string | undefined; counted: KubeObject | undefined }>();
      /**
       * Settled ReplicaSets (all pods there, nothing in flight, no minReadySeconds) and their counts:
       * a pod of theirs turning ready or unready only moves readyReplicas/availableReplicas by one,
       * so their status is adjusted instead of recounting every pod. Any other event about them, or
       * a spec change, goes through a full reconcile, which refreshes this.
       */
      const settled = new Map<string, { spec: unknown; uid: string; counts: StatusCounts }>();
      /** ReplicaSet key → change in ready pods this input, for settled ReplicaSets. */
      let readyDeltas = new Map<string, number>();
      /**
       * Settled ReplicaSets with more pods ready than their status says, and the provenance of the
       * last event that made one ready: their status is written when the engine goes idle. Pods
       * turning unready are written at once, so nothing ever reads more availability than there is.
       */
      const heldStatus = new Map<string, CommandMeta>();
      const idle = createIdleWork<ControllerOutput>(() => {
        if (heldStatus.size === 0 || !lastState) return [];
        const outputs: ControllerOutput[] = [];
        for (const [key, meta] of [...heldStatus].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          const [namespace, name] = splitKey(key);
          const rs = getObject(lastState, 'ReplicaSet', namespace, name);
          const cached = settled.get(key);
          if (rs && cached && cached.spec === rs.spec && cached.uid === rs.metadata.uid) outputs.push(...statusWrite(rs, cached.counts, meta));
        }
        heldStatus.clear();
        return outputs;
      });
      const fold = options.foldStatusWrites ?? true;
      /** The state the last input came with (the live state, or this controller's informer view). */
      let lastState: ClusterState | undefined;

      /**
       * `coalesce`: the event is one of several creates or deletes the pod's ReplicaSet issued
       * together and others are still to be seen; its reconcile waits for the last one (as
       * Kubernetes' work queue would fold them into one).
       */
      function routePod(state: ClusterState, namespace: string, name: string, labelsMayHaveChanged: boolean, keys: Keys, statusOnly = false, coalesce = false): void {
        let record = pods.get(namespace, name);
        const previous = record?.owner;
        const pod = getObject(state, 'Pod', namespace, name);
        const counted = record?.counted;
        if (!pod) {
          // A pod that was already terminating when last counted leaves the counts as they are.
          if (previous && !(counted && !isPodActive(counted))) add(keys, previous, false);
          if (record) pods.delete(namespace, name);
          return;
        }
        if (!record) pods.set(namespace, name, (record = { owner: undefined, counted: pod }));
        else record.counted = pod;
        if (statusOnly && previous) {
          if (counted === pod) return;
          if (counted !== undefined) {
            // What the status counts of a pod: whether it is active, whether it is ready, since when.
            const readyBefore = readyCondition(counted);
            const readyNow = readyCondition(pod);
            const activeBefore = isPodActive(counted);
            const activeNow = isPodActive(pod);
            const wasReady = readyBefore?.status === 'True';
            const isReady = readyNow?.status === 'True';
            if (activeBefore === activeNow && wasReady === isReady && readyBefore?.lastTransitionTime === readyNow?.lastTransitionTime) return;
            if (activeBefore && activeNow && settled.has(previous)) {
              readyDeltas.set(previous, (readyDeltas.get(previous) ?? 0) + (isReady ? 1 : 0) - (wasReady ? 1 : 0));
              return;
            }
          }
        }
        if (previous && !(coalesce && previous === ownerKeyOf(pod, namespace))) add(keys, previous, false);
        const owner = controllerOf(pod);
        if (owner) {
          if (owner.kind === 'ReplicaSet') {
            // The key already recorded when it is the same (a pod's owner rarely changes), not a new string per event.
            const rsKey = previous !== undefined && isKeyOf(previous, namespace, owner.name) ? previous : objectKey(namespace, owner.name);
            record.owner = rsKey;
            if (!coalesce) add(keys, rsKey, false);
          } else record.owner = undefined;
          return;
        }
        record.owner = undefined;
        if (labelsMayHaveChanged && isPodActive(pod)) {
          for (const rs of listObjects(state, 'ReplicaSet', namespace)) {
            if (matches(replicaSetSelector(rs), pod.metadata.labels)) add(keys, objectKey(namespace, rs.metadata.name!), true);
          }
        }
      }

      /** After a full reconcile: what it counted of each pod, and whether it is settled. */
      function remember(state: ClusterState, key: string, result: SyncResult): void {
        for (const pod of result.claimed ?? []) {
          const namespace = pod.metadata.namespace ?? '';
          const name = pod.metadata.name ?? '';
          const record = pods.get(namespace, name);
          if (!record) pods.set(namespace, name, { owner: undefined, counted: pod });
          else record.counted = pod;
        }
        const [namespace, name] = splitKey(key);
        const rs = getObject(state, 'ReplicaSet', namespace, name);
        if (rs && result.settled && result.counts && !rs.spec?.minReadySeconds) settled.set(key, { spec: rs.spec, uid: rs.metadata.uid ?? '', counts: result.counts });
        else settled.delete(key);
      }

      let keys: Keys = new Map();
      function affected(event: StoredEvent, state: ClusterState): Keys {
        keys = emptyMap(keys);
        if (!started) {
          started = true;
          for (const rs of listObjects(state, 'ReplicaSet')) add(keys, objectKey(rs.metadata.namespace, rs.metadata.name!), true);
        }
        if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
          const object: KubeObject = event.data.object;
          const namespace = object.metadata.namespace ?? '';
          if (object.kind === 'ReplicaSet') add(keys, objectKey(namespace, object.metadata.name!), true);
          else if (object.kind === 'Pod') {
            const outstanding = event.type === 'ObjectCreated' ? expectations.creationObserved(objectKey(namespace, object.metadata.name!)) : undefined;
            routePod(state, namespace, object.metadata.name!, true, keys, false, outstanding !== undefined && outstanding > 0);
          }
        } else if (OBJECT_REF_EVENTS.has(event.type) || POD_STATUS_EVENTS.has(event.type)) {
          const ref = (event.data as { ref: { kind: string; namespace?: string; name: string } }).ref;
          const namespace = ref.namespace ?? '';
          if (ref.kind === 'ReplicaSet') {
            const key = objectKey(namespace, ref.name);
            // Its own status writes change nothing a reconcile reads (spec, metadata, pods).
            const ownStatusWrite = event.type === 'ObjectStatusReplaced' && event.metadata.actor === REPLICASET_CONTROLLER;
            if (!ownStatusWrite) add(keys, key, true);
            if (event.type === 'ObjectRemoved') {
              timers.cancel(key);
              settled.delete(key);
            }
          } else if (ref.kind === 'Pod') {
            const outstanding = event.type === 'ObjectDeletionRequested' ? expectations.deletionObserved(objectKey(namespace, ref.name)) : undefined;
            routePod(state, namespace, ref.name, false, keys, POD_STATUS_EVENTS.has(event.type), outstanding !== undefined && outstanding > 0);
          }
        }
        for (const key of timers.popDue(state.time)) add(keys, key, false);
        return keys;
      }

      function syncOne(key: string, includeOrphans: boolean, state: ClusterState, event: StoredEvent, meta: ReturnType<typeof commandMetaFor>, synced: Set<string>, outputs: ControllerOutput[]): SyncResult {
        synced.add(key);
        heldStatus.delete(key);
        const result = syncReplicaSet(key, { state, now: state.time, position: event.position, meta, expectations }, includeOrphans);
        remember(state, key, result);
        if (result.wakeAt !== undefined && timers.dueAt(key) !== result.wakeAt) {
          timers.schedule(key, result.wakeAt);
          outputs.push({ type: 'wakeAt', time: result.wakeAt });
        }
        return result;
      }

      function handle({ event, state }: ReconcileInput): readonly ControllerOutput[] {
        lastState = state;
        readyDeltas = emptyMap(readyDeltas);
        const keys = affected(event, state);
        if (keys.size === 0 && readyDeltas.size === 0) return NO_OUTPUTS;
        const meta = commandMetaFor(REPLICASET_CONTROLLER, event);
        const outputs: ControllerOutput[] = [];
        for (const [key, delta] of [...readyDeltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          if (keys.has(key)) continue;
          const [namespace, name] = splitKey(key);
          const rs = getObject(state, 'ReplicaSet', namespace, name);
          const cached = settled.get(key);
          // Written out whole (not a spread of the cached counts then two fields): the two stores
          // after a spread missed V8's megamorphic cache at every ready pod, a runtime look-up each.
          const was = cached?.counts;
          const counts = was && { replicas: was.replicas, fullyLabeled: was.fullyLabeled, ready: was.ready + delta, available: was.available + delta };
          if (!rs || !cached || !counts || cached.spec !== rs.spec || cached.uid !== rs.metadata.uid || counts.ready < 0 || counts.ready > counts.replicas) {
            add(keys, key, false);
            continue;
          }
          cached.counts = counts;
          if (fold && idle.hooked && delta > 0) {
            heldStatus.set(key, meta);
            continue;
          }
          heldStatus.delete(key);
          outputs.push(...statusWrite(rs, counts, meta));
        }
        const synced = new Set<string>();
        for (const key of [...keys.keys()].sort()) {
          if (synced.has(key)) continue;
          const result = syncOne(key, keys.get(key)!, state, event, meta, synced, outputs);
          if (result.commands.some((c) => c.type === 'create')) {
            // The live state may already hold a Deployment's later decisions (old ReplicaSet scaled
            // down, new one up) whose events this controller has not reached: issue the siblings'
            // deletions before these creates, or actual pods would overshoot maxSurge.
            const [namespace, name] = splitKey(key);
            const rs = getObject(state, 'ReplicaSet', namespace, name);
            const growing: SyncResult[] = [];
            for (const sibling of rs ? siblingReplicaSets(state, rs) : []) {
              const siblingKey = objectKey(sibling.metadata.namespace, sibling.metadata.name!);
              if (synced.has(siblingKey)) continue;
              const siblingResult = syncOne(siblingKey, false, state, event, meta, synced, outputs);
              if (siblingResult.commands.some((c) => c.type === 'create')) growing.push(siblingResult);
              else outputs.push(...siblingResult.commands);
            }
            for (const siblingResult of growing) outputs.push(...siblingResult.commands);
          }
          outputs.push(...result.commands);
        }
        return outputs;
      }

      return input$.pipe(reconcileEach(handle, idle));
    },
  };
}
