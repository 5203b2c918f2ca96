import type { OrreryEvent, Position, PropagationPolicy } from '../core/events.ts';
import type { KubeObject, ObjectRef } from '../core/model/object.ts';

/** Who is asking, and why: becomes the events' metadata. */
export interface CommandMeta {
  actor: string;
  causationId?: Position;
  correlationId?: string;
}

/**
 * What writers (the API, controllers, simulated kubelets, the fault injector) ask the write path
 * to do. The write path validates each against current state and turns it into events; a rejected
 * command appends nothing.
 */
export type Command = CommandMeta &
  (
    | { type: 'create'; object: KubeObject; dryRun?: boolean; fieldManager?: string }
    | {
        /** Full replacement. A set metadata.resourceVersion is a precondition (409 Conflict when stale). */
        type: 'update';
        object: KubeObject;
        subresource?: 'status';
        dryRun?: boolean;
        fieldManager?: string;
      }
    | {
        type: 'delete';
        ref: ObjectRef;
        propagationPolicy?: PropagationPolicy;
        gracePeriodSeconds?: number;
        preconditions?: { uid?: string; resourceVersion?: string };
        dryRun?: boolean;
      }
    /** A status fact: binding, phase, container state, heartbeat, condition, eviction, clock. */
    | { type: 'record'; event: OrreryEvent }
  );

export type CommandType = Command['type'];

/** Provenance for commands a controller issues in reaction to `event`: caused by it, in its correlation. */
export function commandMetaFor(actor: string, event: { position: Position; metadata: { correlationId?: string } }): CommandMeta {
  const meta: CommandMeta = { actor, causationId: event.position };
  if (event.metadata.correlationId !== undefined) meta.correlationId = event.metadata.correlationId;
  return meta;
}
