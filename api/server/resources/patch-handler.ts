import { apiErrors, isApiError } from '../../../core/errors.ts';
import { applyConflictError } from '../../patch/server-side-apply.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { Command } from '../../../projections/commands.ts';
import { strictDecodingError, unknownFieldWarnings } from '../../openapi/unknown-fields.ts';
import { addWarnings, unknownFieldsOf } from './field-validation.ts';
import { type PatchMediaType, decodePatchBody } from '../request-body.ts';
import { groupVersionString } from '../discovery/group-versions.ts';
import { withUpdateManagedFields } from './managed-fields.ts';
import { applyPatchDocument, serverSideApplyDocument } from './patch-appliers.ts';
import { notFoundFor } from './read-handlers.ts';
import { type ResourceScope, commandMeta, fieldManagerOf, isDryRun, sendJson, servedAs, storedAs } from './request-scope.ts';
import { execute, objectKeyOf } from './write-handlers.ts';

const MAX_CONFLICT_RETRIES = 5;

/**
 * PATCH (JSON patch, merge patch, strategic merge patch, server-side apply) on an object or its
 * status. The patch is applied to the current object and written as an update whose
 * resourceVersion precondition guards against a concurrent write; like the apiserver, a patch
 * that did not name a resourceVersion itself is retried on such a conflict.
 */
export async function patchHandler(scope: ResourceScope, subresource?: 'status') {
  const { type: patchType, patch } = decodePatchBody(scope.request);
  const manager = fieldManagerOf(scope);
  if (patchType === 'application/apply-patch+yaml' && !scope.query.fieldManager) {
    throw apiErrors.badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be specified');
  }
  const force = scope.query.force === 'true';
  if (force && patchType !== 'application/apply-patch+yaml') throw apiErrors.badRequest('force: Invalid value: true: may not be specified for non-apply patch');
  const dryRun = isDryRun(scope.query);
  const patchNamesVersion = hasResourceVersion(patch);

  for (let attempt = 0; ; attempt++) {
    const current = scope.context.cluster.state.objects.get(scope.type.kind)?.get(objectKeyOf(scope));
    try {
      if (!current) {
        if (patchType !== 'application/apply-patch+yaml' || subresource) throw notFoundFor(scope, scope.name!);
        return await applyCreate(scope, patch as KubeObject, manager, dryRun);
      }
      const patched = patchedObject(scope, current, patchType, patch, manager, force, subresource);
      checkPatchedFields(scope, patched);
      if (!patchNamesVersion) patched.metadata = { ...patched.metadata, resourceVersion: current.metadata.resourceVersion };
      const operation = patchType === 'application/apply-patch+yaml' ? 'Apply' : 'Update';
      const next = operation === 'Apply' ? patched : withUpdateManagedFields(current, patched, manager, scope.context.now(), subresource);
      const command: Command = { ...commandMeta(scope.request), type: 'update', object: next, dryRun, fieldManager: manager };
      if (subresource) command.subresource = subresource;
      const result = await execute(scope, command);
      return sendJson(scope.reply, 200, servedAs(scope, result.object));
    } catch (error) {
      if (isApiError(error) && error.code === 409 && error.reason === 'Conflict' && !patchNamesVersion && attempt < MAX_CONFLICT_RETRIES) continue;
      throw error;
    }
  }
}

function hasResourceVersion(patch: unknown): boolean {
  if (Array.isArray(patch)) return patch.some((op) => typeof op?.path === 'string' && op.path === '/metadata/resourceVersion');
  const metadata = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return !!metadata && typeof metadata === 'object' && !!metadata.resourceVersion;
}

function patchedObject(scope: ResourceScope, current: KubeObject, patchType: PatchMediaType, patch: unknown, manager: string, force: boolean, subresource?: string): KubeObject {
  const served = servedAs(scope, current);
  if (patchType === 'application/apply-patch+yaml') {
    const applied = patch as KubeObject;
    checkAppliedIdentity(scope, applied);
    const result = serverSideApplyDocument(served, applied, { fieldManager: manager, force, now: scope.context.now(), ...(subresource ? { subresource } : {}) });
    if (result.conflicts.length > 0) throw applyConflictError(result.conflicts);
    return result.object;
  }
  const patched = applyPatchDocument(patchType, served, patch) as KubeObject;
  if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw apiErrors.badRequest('the patch did not produce an object');
  if (patched.metadata?.name !== undefined && patched.metadata.name !== current.metadata.name) {
    throw apiErrors.invalid(scope.type.kind, current.metadata.name ?? '', [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "' + String(patched.metadata.name) + '": field is immutable' }], scope.type.group || undefined);
  }
  return storedAs(scope, { ...patched, kind: scope.type.kind });
}

function checkAppliedIdentity(scope: ResourceScope, applied: KubeObject): void {
  if (!applied.apiVersion || !applied.kind) throw apiErrors.badRequest('apiVersion and kind must be set in an apply patch');
  if (applied.kind !== scope.type.kind) throw apiErrors.badRequest(`the kind in the apply patch (${applied.kind}) does not match the resource (${scope.type.kind})`);
  if (applied.metadata?.name && applied.metadata.name !== scope.name) {
    throw apiErrors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${scope.name})`);
  }
}

/** fieldValidation for patches: Strict answers 400 for unknown fields in the result, Warn adds warnings. */
function checkPatchedFields(scope: ResourceScope, patched: KubeObject): void {
  const directive = scope.query.fieldValidation ?? 'Warn';
  if (directive === 'Ignore') return;
  const unknown = unknownFieldsOf(scope, patched);
  if (unknown.length === 0) return;
  if (directive === 'Strict') throw strictDecodingError(unknown);
  addWarnings(scope, unknownFieldWarnings(unknown));
}

/** Server-side apply of an object that does not exist yet: a create owned by the applier. */
async function applyCreate(scope: ResourceScope, applied: KubeObject, manager: string, dryRun: boolean) {
  checkAppliedIdentity(scope, applied);
  const expected = groupVersionString(scope.group, scope.version);
  if (applied.apiVersion !== expected) throw apiErrors.badRequest(`the API version in the data (${applied.apiVersion}) does not match the expected API version (${expected})`);
  const object: KubeObject = { ...applied, metadata: { ...applied.metadata, name: scope.name } };
  if (scope.type.namespaced) {
    if (applied.metadata?.namespace && applied.metadata.namespace !== scope.namespace) {
      throw apiErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = scope.namespace;
  }
  checkPatchedFields(scope, object);
  const { object: owned } = serverSideApplyDocument(undefined, object, { fieldManager: manager, force: false, now: scope.context.now() });
  const result = await execute(scope, { ...commandMeta(scope.request), type: 'create', object: storedAs(scope, owned), dryRun, fieldManager: manager });
  return sendJson(scope.reply, 201, servedAs(scope, result.object));
}
