import type { PropagationPolicy, StoredEvent } from '../../../core/events.ts';
import type { KubeObject, ObjectRef, OwnerReference } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { objectByUid, ownedBy } from '../../state/queries.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { NO_OUTPUTS } from '../per-event.ts';

export const GARBAGE_COLLECTOR_NAME = 'garbage-collector';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/**
 * Kubernetes' garbage collector over ownerReferences:
 * - Background: once an owner is gone, dependents whose owners are all gone are deleted (their own
 *   dependents follow the same way); references to gone owners are dropped from dependents that
 *   still have a live owner.
 * - Foreground: an owner being deleted with the `foregroundDeletion` finalizer has its dependents
 *   deleted (in foreground themselves when they have dependents); the finalizer comes off once no
 *   dependent with `blockOwnerDeletion: true` is left, and the owner goes.
 * - Orphan: an owner being deleted with the `orphan` finalizer has its reference removed from every
 *   dependent, then the finalizer comes off.
 */
export function createGarbageCollectorController(): Controller {
  return {
    name: GARBAGE_COLLECTOR_NAME,
    interest: { events: ['ObjectCreated', 'ObjectReplaced', 'ObjectDeletionRequested', 'ObjectRemoved'] },
    // A fresh instance per subscription of the engine (a restart gets a new one).
    reconcile: (input$) => {
      const gc = createGarbageCollector();
      return input$.pipe(reconcileEach((input) => gc.handle(input)));
    },
  };
}

function refTo(object: KubeObject): ObjectRef {
  return { kind: object.kind, name: object.metadata.name ?? '', ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
}

function createGarbageCollector() {
  /** Owners being deleted with a GC finalizer, by uid: rechecked whenever an object goes. */
  const waiting = new Map<string, ObjectRef>();
  let started = false;
  let out: ControllerOutput[] = [];
  let state: ClusterState;
  let event: StoredEvent;

  function meta() {
    return { actor: GARBAGE_COLLECTOR_NAME, causationId: event.position, ...(event.metadata.correlationId ? { correlationId: event.metadata.correlationId } : {}) };
  }

  function deleteObject(object: KubeObject, propagationPolicy: PropagationPolicy): void {
    out.push({ type: 'delete', ...meta(), ref: refTo(object), propagationPolicy, preconditions: { uid: object.metadata.uid ?? '' } } satisfies Command);
  }

  function update(object: KubeObject): void {
    out.push({ type: 'update', ...meta(), object } satisfies Command);
  }

  function hasFinalizer(object: KubeObject, finalizer: string): boolean {
    return object.metadata.finalizers?.includes(finalizer) ?? false;
  }

  function withoutFinalizer(object: KubeObject, finalizer: string): KubeObject {
    return { ...object, metadata: { ...object.metadata, finalizers: (object.metadata.finalizers ?? []).filter((f) => f !== finalizer) } };
  }

  function withoutOwners(object: KubeObject, uids: Set<string>): KubeObject {
    const owners = (object.metadata.ownerReferences ?? []).filter((o) => !uids.has(o.uid));
    const metadata = { ...object.metadata };
    if (owners.length) metadata.ownerReferences = owners;
    else delete metadata.ownerReferences;
    return { ...object, metadata };
  }

  type OwnerState = 'solid' | 'dangling' | 'waiting';

  function ownerState(owner: OwnerReference): OwnerState {
    const object = objectByUid(state, owner.uid);
    if (!object || object.kind !== owner.kind || object.metadata.name !== owner.name) return 'dangling';
    if (object.metadata.deletionTimestamp && hasFinalizer(object, FOREGROUND_FINALIZER)) return 'waiting';
    return 'solid';
  }

  /** attemptToDeleteItem: a dependent some of whose owners may be gone or going. */
  function attemptToDelete(item: KubeObject): void {
    const owners = item.metadata.ownerReferences ?? [];
    if (owners.length === 0 || item.metadata.deletionTimestamp) return;
    const states = owners.map(ownerState);
    const solid = states.filter((s) => s === 'solid').length;
    const stale = new Set(owners.filter((_, i) => states[i] !== 'solid').map((o) => o.uid));
    if (solid > 0) {
      // A live owner keeps it; references to owners gone or deleting in foreground are dropped, so
      // that those are not held up waiting for it.
      if (stale.size > 0) update(withoutOwners(item, stale));
      return;
    }
    const hasDependents = ownedBy(state, item.metadata.uid ?? '').length > 0;
    let policy: PropagationPolicy = 'Background';
    if (hasFinalizer(item, ORPHAN_FINALIZER)) policy = 'Orphan';
    else if (hasFinalizer(item, FOREGROUND_FINALIZER) || (states.includes('waiting') && hasDependents)) policy = 'Foreground';
    deleteObject(item, policy);
  }

  /** An owner being deleted with a GC finalizer. */
  function processDeletingOwner(owner: KubeObject): void {
    const uid = owner.metadata.uid ?? '';
    if (!owner.metadata.deletionTimestamp) return;
    const dependents = ownedBy(state, uid);
    if (hasFinalizer(owner, ORPHAN_FINALIZER)) {
      for (const dependent of dependents) update(withoutOwners(dependent, new Set([uid])));
      update(withoutFinalizer(owner, ORPHAN_FINALIZER));
      return;
    }
    if (!hasFinalizer(owner, FOREGROUND_FINALIZER)) return;
    for (const dependent of dependents) attemptToDelete(dependent);
    const blocking = dependents.filter((d) => d.metadata.ownerReferences?.some((o) => o.uid === uid && o.blockOwnerDeletion));
    if (blocking.length === 0) update(withoutFinalizer(owner, FOREGROUND_FINALIZER));
  }

  function recheckWaiting(): void {
    for (const [uid, ref] of [...waiting]) {
      const owner = objectByUid(state, uid);
      if (!owner || !(hasFinalizer(owner, FOREGROUND_FINALIZER) || hasFinalizer(owner, ORPHAN_FINALIZER))) {
        waiting.delete(uid);
        continue;
      }
      void ref;
      processDeletingOwner(owner);
    }
  }

  /** Resuming on an existing log: owners already waiting on the collector are picked up again. */
  function resume(): void {
    for (const kind of [...state.objects.keys()].sort()) {
      for (const object of state.objects.get(kind)!.values()) {
        if (!object.metadata.deletionTimestamp || !(hasFinalizer(object, FOREGROUND_FINALIZER) || hasFinalizer(object, ORPHAN_FINALIZER))) continue;
        waiting.set(object.metadata.uid ?? '', refTo(object));
      }
    }
    recheckWaiting();
  }

  function onEvent(): void {
    switch (event.type) {
      case 'ObjectRemoved': {
        const uid = event.data.ref.uid;
        if (uid) {
          waiting.delete(uid);
          for (const dependent of ownedBy(state, uid)) attemptToDelete(dependent);
        }
        if (waiting.size > 0) recheckWaiting();
        return;
      }
      case 'ObjectDeletionRequested': {
        const { ref } = event.data;
        const uid = ref.uid;
        const owner = uid ? objectByUid(state, uid) : undefined;
        if (!owner) return;
        if (hasFinalizer(owner, FOREGROUND_FINALIZER) || hasFinalizer(owner, ORPHAN_FINALIZER)) {
          waiting.set(uid!, refTo(owner));
          processDeletingOwner(owner);
        }
        return;
      }
      case 'ObjectCreated':
      case 'ObjectReplaced': {
        const object = event.data.object;
        const owners = object.metadata.ownerReferences;
        if (!owners?.length) return;
        const current = objectByUid(state, object.metadata.uid ?? '');
        if (!current) return;
        if (owners.some((o) => ownerState(o) === 'dangling')) attemptToDelete(current);
        // A new dependent of an owner deleting in foreground is deleted too.
        for (const o of owners) {
          const owner = waiting.has(o.uid) ? objectByUid(state, o.uid) : undefined;
          if (owner && hasFinalizer(owner, FOREGROUND_FINALIZER)) attemptToDelete(current);
        }
        return;
      }
      default:
        return;
    }
  }

  return {
    handle(input: ReconcileInput): readonly ControllerOutput[] {
      state = input.state;
      event = input.event;
      // An event with nothing to do keeps the empty list (it was never handed out) instead of a new one.
      if (out.length !== 0) out = [];
      if (!started) {
        started = true;
        if (event.type !== 'ClusterInitialized') resume();
      }
      onEvent();
      return out.length === 0 ? NO_OUTPUTS : dedupe(out);
    },
  };
}

/** One delete per object per input, whichever path asked first. */
function dedupe(outputs: ControllerOutput[]): ControllerOutput[] {
  if (outputs.length < 2) return outputs;
  const seen = new Set<string>();
  return outputs.filter((o) => {
    if (o.type !== 'delete') return true;
    const key = `${o.ref.kind}/${o.ref.namespace ?? ''}/${o.ref.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
