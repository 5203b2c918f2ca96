import type { EventMetadata, NewEvent, StoredEvent } from '../../core/events.ts';
import { apiErrors } from '../../core/errors.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import type { ClusterState } from '../cluster-state.ts';
import type { Command } from '../commands.ts';
import { applyEvent } from '../state/reducer.ts';
import { getObject } from '../state/queries.ts';
import { planCreate } from './plan-create.ts';
import { planDelete } from './plan-delete.ts';
import { planRecord } from './plan-record.ts';
import { planUpdate } from './plan-update.ts';
import type { Plan, WriteContext } from './write-context.ts';

export interface WriteResult {
  /** The object as the state holds it after the write (as it was, for a removal or a no-op). */
  object?: KubeObject;
  /** The events appended; empty for no-ops, dry runs and already-terminating deletes. */
  events: StoredEvent[];
}

export interface WritePath {
  readonly state: ClusterState;
  execute(command: Command): Promise<WriteResult>;
  /**
   * With a local store: `execute` without its answer. Plans, appends and applies at once (a
   * rejected command throws its ApiError here) and returns the append's `durable` promise, or
   * nothing when the store was durable on return (in memory). The engine runs a controller's
   * commands through this, so that a burst of a million commands holds no promise per command.
   */
  executeNow?(command: Command): Promise<unknown> | undefined;
}

export interface WritePathOptions {
  store: EventStore;
  /** The live projection, in step with the store: the write path applies what it appends. */
  state: ClusterState;
  /** Stamps events; default the state's virtual time (simulation). Server mode passes a wall clock. */
  now?: () => number;
  /** The resource registry (write-path.ts supplies core/model/registry.ts). */
  resourceTypeForKind: (kind: string) => ResourceType | undefined;
}

/**
 * The only code that appends. Each command is planned against the current state (validation,
 * defaults, preconditions: a rejected command throws an ApiError and appends nothing), appended,
 * and applied to the state.
 *
 * With a local store (`appendNow`) planning, appending and applying all happen synchronously
 * inside `execute`, before its first await: call order is log order, each command sees the effects
 * of every earlier one, and many commands share one group commit; the caller is answered once the
 * events are durable. A remote store is awaited per command, so commands are queued one by one.
 */
export function createCommandExecutor(options: WritePathOptions): WritePath {
  const { store, state } = options;
  const context: WriteContext = {
    state,
    now: options.now ?? (() => state.time),
    resourceTypeForKind: options.resourceTypeForKind,
  };

  function plan(command: Command): Plan {
    switch (command.type) {
      case 'create':
        return planCreate(context, command.object, command.dryRun);
      case 'update':
        return planUpdate(context, command.object, command.subresource, command.dryRun);
      case 'delete':
        return planDelete(context, command.ref, command);
      case 'record':
        return planRecord(context, command.event);
      default:
        throw apiErrors.badRequest(`unknown command type ${(command as { type: string }).type}`);
    }
  }

  function stamp(command: Command, plan: Plan): NewEvent[] {
    const time = context.now();
    // Whole literals, fields in the logged order: the log keeps every event, and a spread copy or
    // a field added afterwards leaves V8 an extra properties array on each of them.
    return plan.events.map((event) => ({ type: event.type, data: event.data, metadata: metadataOf(command, time) }) as NewEvent);
  }

  /**
   * Consecutive commands from one reconcile (a ReplicaSet's 50 pod creations, a kubelet's phase and
   * container facts) carry the same provenance: their events share one metadata object, which the
   * in-memory log would otherwise hold once per event. Events are never changed once written.
   */
  let lastMetadata: EventMetadata | undefined;

  function metadataOf({ actor, causationId, correlationId }: Command, time: number): EventMetadata {
    const last = lastMetadata;
    if (last !== undefined && last.time === time && last.actor === actor && last.causationId === causationId && last.correlationId === correlationId) return last;
    let metadata: EventMetadata;
    if (causationId === undefined) metadata = correlationId === undefined ? { actor, time } : { actor, time, correlationId };
    else metadata = correlationId === undefined ? { actor, time, causationId } : { actor, time, causationId, correlationId };
    lastMetadata = metadata;
    return metadata;
  }

  function apply(stored: StoredEvent[]): void {
    for (const event of stored) {
      if (event.position !== state.position + 1) {
        // The state has fallen out of step with the log (another writer?): uids and names drawn
        // for this position would not replay. Stop rather than diverge.
        throw apiErrors.internal(`write path out of step with the log: state at ${state.position}, event at ${event.position}`);
      }
      applyEvent(state, event);
    }
  }

  function result(plan: Plan, stored: StoredEvent[]): WriteResult {
    if (stored.length === 0) return plan.object ? { object: plan.object, events: stored } : { events: stored };
    if (plan.removed) return { object: plan.removed, events: stored };
    const ref = plan.resultRef;
    const object = ref ? getObject(state, ref.kind, ref.namespace, ref.name) : undefined;
    return object ? { object, events: stored } : { events: stored };
  }

  const appendNow = store.appendNow?.bind(store);
  if (appendNow) {
    return {
      state,
      async execute(command) {
        const planned = plan(command);
        if (planned.events.length === 0) return result(planned, []);
        const { events: stored, durable } = appendNow(planned.stream, stamp(command, planned));
        apply(stored);
        const answer = result(planned, stored);
        await durable;
        return answer;
      },
      executeNow(command) {
        const planned = plan(command);
        if (planned.events.length === 0) return undefined;
        const appended = appendNow(planned.stream, stamp(command, planned));
        apply(appended.events);
        return appended.alreadyDurable ? undefined : appended.durable;
      },
    };
  }

  let queue: Promise<unknown> = Promise.resolve();
  return {
    state,
    execute(command) {
      const run = async (): Promise<WriteResult> => {
        const planned = plan(command);
        if (planned.events.length === 0) return result(planned, []);
        const appended = await store.append(planned.stream, stamp(command, planned));
        apply(appended.events);
        return result(planned, appended.events);
      };
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
