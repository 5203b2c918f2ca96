import { admitCustomResourceDefinition } from './crd-admission.ts';
import type { OrreryEvent } from '../../core/events.ts';
import { apiErrors } from '../../core/errors.ts';
import { fieldErrors } from '../../core/model/field-errors.ts';
import { type KubeObject, refOf, streamOf } from '../../core/model/object.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';
import { getObject } from '../state/queries.ts';
import { jsonEqual } from './json-equal.ts';
import { allocateServiceAddresses, prepareServiceUpdate } from './service-allocation.ts';
import { MODIFIED_CONFLICT, type Plan, type WriteContext, asDecoded, asDecodedSharing, asLogged, groupOf, hasFinalizers, notFound, requireType } from './write-context.ts';

/**
 * A full replacement (PUT), or a status update (PUT …/status), as Kubernetes' generic registry
 * does it: a set resourceVersion is a precondition, the server-owned metadata is kept, the main
 * resource ignores status changes (and the status subresource ignores everything else), a no-op
 * appends nothing, and removing the last finalizer of an object being deleted removes it.
 */
export function planUpdate(context: WriteContext, input: KubeObject, subresource?: 'status', dryRun = false): Plan {
  const type = requireType(context, input.kind);
  const incoming = subresource === 'status' ? asDecodedForStatus(input, context, type) : asDecoded(input);
  const metadata = (incoming.metadata ??= {});
  const name = metadata.name ?? '';
  const namespace = type.namespaced ? metadata.namespace : undefined;
  const existing = getObject(context.state, type.kind, namespace, name);
  if (!existing) throw notFound(type, name);
  const group = groupOf(type);

  if (metadata.uid && metadata.uid !== existing.metadata.uid) {
    throw apiErrors.conflict(type.plural, name, `Precondition failed: UID in precondition: ${metadata.uid}, UID in object meta: ${existing.metadata.uid ?? ''}`, group);
  }
  if (metadata.resourceVersion && metadata.resourceVersion !== existing.metadata.resourceVersion) {
    throw apiErrors.conflict(type.plural, name, MODIFIED_CONFLICT, group);
  }
  const ref = refOf(existing);
  const stream = streamOf(ref);

  if (subresource === 'status') {
    if (type.defaultsStatus && incoming.status && typeof incoming.status === 'object') incoming.status = type.defaultsStatus(incoming.status);
    const next: KubeObject = { ...existing, status: incoming.status };
    // Kubernetes' Deployment status strategy keeps the request's annotations (the controller
    // stamps deployment.kubernetes.io/revision with its status write); spec and labels stay.
    const annotationsChange = type.kind === 'Deployment' && metadata.annotations !== undefined && !jsonEqual(existing.metadata.annotations ?? {}, metadata.annotations ?? {});
    if (annotationsChange) next.metadata = { ...existing.metadata, annotations: metadata.annotations };
    const causes = type.validateStatusUpdate ? type.validateStatusUpdate(next, existing) : type.validate(next, existing);
    if (causes.length > 0) throw apiErrors.invalid(type.kind, name, causes, group);
    if (dryRun) return { stream, events: [], object: next };
    if (annotationsChange) return { stream, events: [{ type: 'ObjectReplaced', data: { object: asLogged(next) } }], resultRef: ref };
    if (jsonEqual(existing.status, next.status)) return { stream, events: [], object: existing };
    // The decoded status is already a copy as the log gives it back (JSON values, no nulls in objects), held by nothing else.
    return { stream, events: [{ type: 'ObjectStatusReplaced', data: { ref, status: next.status } }], resultRef: ref };
  }

  const next = incoming;
  next.apiVersion ||= existing.apiVersion;
  next.kind = existing.kind;
  next.metadata = {
    ...metadata,
    name: existing.metadata.name,
    uid: existing.metadata.uid,
    creationTimestamp: existing.metadata.creationTimestamp,
    resourceVersion: existing.metadata.resourceVersion,
  };
  if (type.namespaced) next.metadata.namespace = existing.metadata.namespace;
  else delete next.metadata.namespace;
  copyOrDelete(next.metadata, existing.metadata, 'deletionTimestamp');
  copyOrDelete(next.metadata, existing.metadata, 'deletionGracePeriodSeconds');
  copyOrDelete(next.metadata, existing.metadata, 'generation');
  if (type.subresources.includes('status')) copyOrDelete(next, existing, 'status');
  if (type.kind === 'Service') prepareServiceUpdate(next, existing);

  type.defaults(next);
  const causes = type.validate(next, existing);
  if (existing.metadata.deletionTimestamp) {
    const added = (next.metadata.finalizers ?? []).filter((f) => !(existing.metadata.finalizers ?? []).includes(f));
    if (added.length > 0) {
      causes.push(fieldErrors.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if (causes.length > 0) throw apiErrors.invalid(type.kind, name, causes, group);
  if (type.kind === 'CustomResourceDefinition') admitCustomResourceDefinition(context.state, next, context.now(), existing);
  if (type.kind === 'Service') allocateServiceAddresses(context.state, next, context.state.position + 1, existing);
  if (bumpsGeneration(type, existing, next)) next.metadata.generation = (existing.metadata.generation ?? 0) + 1;

  if (jsonEqual(existing, next)) return { stream, events: [], object: existing };
  if (dryRun) return { stream, events: [], object: next };

  if (existing.metadata.deletionTimestamp && !hasFinalizers(next)) {
    return { stream, events: [{ type: 'ObjectReplaced', data: { object: asLogged(next) } }, { type: 'ObjectRemoved', data: { ref } }], removed: next };
  }
  const unschedulable = onlyUnschedulableChanged(existing, next);
  if (unschedulable !== undefined) {
    return { stream, events: [{ type: 'NodeUnschedulableChanged', data: { node: name, unschedulable } }], resultRef: ref };
  }
  const event: OrreryEvent = { type: 'ObjectReplaced', data: { object: asLogged(next) } };
  return { stream, events: [event], resultRef: ref };
}

/**
 * What a status update reads of `asDecoded(input)` (the metadata fields below and the status),
 * decoded without copying the rest: a ReplicaSet's or Deployment's spec, pod template, labels and
 * owner references, which the status subresource ignores, are most of the object, and status
 * writes are most of a simulation's updates.
 */
function asDecodedForStatus(input: KubeObject, context: WriteContext, type: ResourceType): KubeObject {
  const proto = Object.getPrototypeOf(input);
  if ((proto !== Object.prototype && proto !== null) || typeof (input as { toJSON?: unknown }).toJSON === 'function') return asDecoded(input);
  const decoded = { kind: input.kind } as KubeObject;
  const metadata = input.metadata;
  if (metadata !== undefined && metadata !== null) {
    decoded.metadata = asDecoded({ name: metadata.name, namespace: metadata.namespace, uid: metadata.uid, resourceVersion: metadata.resourceVersion, annotations: metadata.annotations });
  }
  if (input.status !== undefined && input.status !== null) {
    // The status may hold parts of the stored one (a conditions list the controller left as it was): those are not copied again.
    const name = decoded.metadata?.name;
    const stored = typeof name === 'string' ? getObject(context.state, type.kind, type.namespaced ? decoded.metadata!.namespace : undefined, name) : undefined;
    decoded.status = asDecodedSharing(input.status, stored?.status);
  }
  return decoded;
}

/**
 * metadata.generation counts spec changes. Nodes have no generation in Kubernetes' node strategy
 * (and NodeUnschedulableChanged/NodeTaintsChanged must agree with updates), so theirs never moves.
 */
function bumpsGeneration(type: ResourceType, previous: KubeObject, next: KubeObject): boolean {
  if (type.kind === 'Node') return false;
  return type.specChanged ? type.specChanged(previous, next) : !jsonEqual(previous.spec, next.spec);
}

/** For a Node update that changes nothing but spec.unschedulable, the new value; else undefined. */
function onlyUnschedulableChanged(existing: KubeObject, next: KubeObject): boolean | undefined {
  if (existing.kind !== 'Node') return undefined;
  const before = existing.spec?.unschedulable === true;
  const after = next.spec?.unschedulable === true;
  if (before === after) return undefined;
  const strip = (object: KubeObject) => {
    const spec = { ...object.spec };
    delete spec.unschedulable;
    return { ...object, spec };
  };
  return jsonEqual(strip(existing), strip(next)) ? after : undefined;
}

function copyOrDelete(target: Record<string, unknown>, source: Record<string, unknown>, key: string): void {
  if (source[key] === undefined) delete target[key];
  else target[key] = source[key];
}
