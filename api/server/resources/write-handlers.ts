import { ApiError, apiErrors } from '../../../core/errors.ts';
import { type KubeObject, refOf } from '../../../core/model/object.ts';
import type { Command } from '../../../projections/commands.ts';
import { decodeBody } from '../request-body.ts';
import { objectMatches } from '../selectors.ts';
import { groupVersionString } from '../discovery/group-versions.ts';
import { deleteOptionsOf } from './delete-options.ts';
import { checkFieldValidation } from './field-validation.ts';
import { filterOf, notFoundFor } from './read-handlers.ts';
import { type ResourceScope, commandMeta, fieldManagerOf, isDryRun, requesterOf, sendJson, servedAs, storedAs } from './request-scope.ts';
import { withUpdateManagedFields } from './managed-fields.ts';

/** Runs a command through the write path (the only code that appends). */
export async function execute(scope: ResourceScope, command: Command) {
  return scope.context.cluster.writePath.execute(command);
}

/**
 * Decodes a request body as an object of this resource: fills kind/apiVersion when missing, and
 * rejects a different kind, group/version, namespace or name the way the apiserver does.
 */
export function objectFromBody(scope: ResourceScope): KubeObject {
  const body = decodeBody(scope.request);
  if (!body) throw apiErrors.badRequest('the request body is empty: expected a ' + scope.type.kind);
  const object = body as unknown as KubeObject;
  const expectedVersion = groupVersionString(scope.group, scope.version);
  if (object.apiVersion && object.apiVersion !== expectedVersion) {
    throw apiErrors.badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expectedVersion})`);
  }
  if (object.kind && object.kind !== scope.type.kind) {
    throw apiErrors.badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${scope.type.kind})`);
  }
  object.apiVersion = expectedVersion;
  object.kind = scope.type.kind;
  if (object.metadata === undefined || object.metadata === null) object.metadata = {};
  if (typeof object.metadata !== 'object') throw apiErrors.badRequest('metadata must be an object');
  if (scope.type.namespaced && scope.namespace !== undefined) {
    if (object.metadata.namespace && object.metadata.namespace !== scope.namespace) {
      throw apiErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = scope.namespace;
  }
  return object;
}

function checkedBody(scope: ResourceScope): KubeObject {
  const object = objectFromBody(scope);
  checkFieldValidation(scope, object);
  return object;
}

/** POST: create. */
export async function createHandler(scope: ResourceScope) {
  if (scope.type.namespaced && scope.namespace === undefined) {
    throw apiErrors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  if (scope.type.answer) return answerHandler(scope, scope.type.answer);
  const object = storedAs(scope, checkedBody(scope));
  const manager = fieldManagerOf(scope);
  const withFields = withUpdateManagedFields(undefined, object, manager, scope.context.now());
  const result = await execute(scope, { ...commandMeta(scope.request), type: 'create', object: withFields, dryRun: isDryRun(scope.query), fieldManager: manager });
  return sendJson(scope.reply, 201, servedAs(scope, result.object));
}

/** POST of a review: validated and answered at once; nothing is stored or appended. */
function answerHandler(scope: ResourceScope, answer: NonNullable<ResourceScope['type']['answer']>) {
  const review = checkedBody(scope);
  const causes = scope.type.validate(review);
  if (causes.length > 0) throw apiErrors.invalid(scope.type.kind, '', causes, scope.type.group);
  return sendJson(scope.reply, 201, answer(review, requesterOf(scope.request)));
}

/** PUT: full replacement, or the status subresource. A stale metadata.resourceVersion is a 409. */
export async function updateHandler(scope: ResourceScope, subresource?: 'status') {
  const body = objectFromBody(scope);
  if (body.metadata.name && body.metadata.name !== scope.name) {
    throw apiErrors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${scope.name})`);
  }
  body.metadata.name = scope.name;
  checkFieldValidation(scope, body);
  const object = storedAs(scope, body);
  const current = scope.context.cluster.state.objects.get(scope.type.kind)?.get(objectKeyOf(scope));
  if (!current) throw notFoundFor(scope, scope.name!);
  const manager = fieldManagerOf(scope);
  const withFields = withUpdateManagedFields(current, object, manager, scope.context.now(), subresource);
  const command: Command = { ...commandMeta(scope.request), type: 'update', object: withFields, dryRun: isDryRun(scope.query), fieldManager: manager };
  if (subresource) command.subresource = subresource;
  const result = await execute(scope, command);
  return sendJson(scope.reply, 200, servedAs(scope, result.object));
}

export function objectKeyOf(scope: Pick<ResourceScope, 'type' | 'namespace' | 'name'>): string {
  return scope.type.namespaced ? `${scope.namespace}/${scope.name}` : scope.name!;
}

/** DELETE one object: the object while it terminates (200), or a Success Status once it is gone. */
export async function deleteHandler(scope: ResourceScope) {
  const options = deleteOptionsOf(scope.request, scope.query);
  const ref = { kind: scope.type.kind, name: scope.name!, ...(scope.type.namespaced ? { namespace: scope.namespace! } : {}) };
  const command: Command = { ...commandMeta(scope.request), type: 'delete', ref, dryRun: options.dryRun };
  if (options.propagationPolicy) command.propagationPolicy = options.propagationPolicy;
  if (options.gracePeriodSeconds !== undefined) command.gracePeriodSeconds = options.gracePeriodSeconds;
  if (options.preconditions) command.preconditions = options.preconditions;
  const result = await execute(scope, command);
  const object = result.object;
  const stillThere = scope.context.cluster.state.objects.get(scope.type.kind)?.get(objectKeyOf(scope));
  if (object && (stillThere || options.dryRun)) return sendJson(scope.reply, 200, servedAs(scope, object));
  return sendJson(scope.reply, 200, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: scope.name, ...(scope.type.group ? { group: scope.type.group } : {}), kind: scope.type.plural, ...(object?.metadata.uid ? { uid: object.metadata.uid } : {}) },
  });
}

/** DELETE on a collection: every object the selectors match, each through the write path. */
export async function deleteCollectionHandler(scope: ResourceScope) {
  const options = deleteOptionsOf(scope.request, scope.query);
  const filter = filterOf(scope);
  const objects: KubeObject[] = [];
  for (const [key, object] of scope.context.cluster.state.objects.get(scope.type.kind) ?? []) {
    if (filter.namespace && !key.startsWith(`${filter.namespace}/`)) continue;
    if (objectMatches(object, filter)) objects.push(object);
  }
  const deleted: KubeObject[] = [];
  for (const object of objects) {
    const command: Command = { ...commandMeta(scope.request), type: 'delete', ref: refOf(object), dryRun: options.dryRun };
    if (options.propagationPolicy) command.propagationPolicy = options.propagationPolicy;
    if (options.gracePeriodSeconds !== undefined) command.gracePeriodSeconds = options.gracePeriodSeconds;
    try {
      const result = await execute(scope, command);
      if (result.object) deleted.push(servedAs(scope, result.object));
    } catch (error) {
      // Gone in the meantime: deletecollection carries on, as the apiserver's does.
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
  return sendJson(scope.reply, 200, { kind: `${scope.type.kind}List`, apiVersion: groupVersionString(scope.group, scope.version), metadata: { resourceVersion: String(scope.context.cluster.state.position) }, items: deleted });
}
