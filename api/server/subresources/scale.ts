import { apiErrors } from '../../../core/errors.ts';
import { formatLabelSelector } from '../../../core/model/labels.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { decodeBody, decodePatchBody } from '../request-body.ts';
import { notFoundFor } from '../resources/read-handlers.ts';
import { type ResourceScope, commandMeta, fieldManagerOf, isDryRun, sendJson } from '../resources/request-scope.ts';
import { withUpdateManagedFields } from '../resources/managed-fields.ts';
import { applyPatchDocument } from '../resources/patch-appliers.ts';
import { execute, objectKeyOf } from '../resources/write-handlers.ts';

/** autoscaling/v1 Scale of a workload, as the scale subresource presents it. */
export function scaleOf(object: KubeObject): KubeObject {
  const selector = object.spec?.selector;
  const selectorText = selector && typeof selector === 'object' && !('matchLabels' in selector) && !('matchExpressions' in selector)
    ? Object.entries(selector as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',')
    : formatLabelSelector(selector);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: Number(object.spec?.replicas ?? 0) },
    status: { replicas: Number(object.status?.replicas ?? 0), ...(selectorText ? { selector: selectorText } : {}) },
  };
}

function currentObject(scope: ResourceScope): KubeObject {
  const object = scope.context.cluster.state.objects.get(scope.type.kind)?.get(objectKeyOf(scope));
  if (!object) throw notFoundFor(scope, scope.name!);
  return object;
}

export async function getScaleHandler(scope: ResourceScope) {
  return sendJson(scope.reply, 200, scaleOf(currentObject(scope)));
}

/** PUT or PATCH …/scale: sets spec.replicas on the workload (Scale's resourceVersion, if set, is a precondition). */
export async function writeScaleHandler(scope: ResourceScope, method: 'PUT' | 'PATCH') {
  const current = currentObject(scope);
  let scale: KubeObject;
  if (method === 'PUT') {
    scale = (decodeBody(scope.request) ?? {}) as unknown as KubeObject;
  } else {
    const { type, patch } = decodePatchBody(scope.request);
    if (type === 'application/apply-patch+yaml') scale = { ...scaleOf(current), spec: { ...(patch as KubeObject).spec } } as KubeObject;
    else scale = applyPatchDocument(type, scaleOf(current), patch);
  }
  const replicas = scale.spec?.replicas;
  if (replicas === undefined || !Number.isInteger(replicas) || replicas < 0) {
    throw apiErrors.invalid('Scale', scope.name!, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` }], 'autoscaling');
  }
  const manager = fieldManagerOf(scope);
  const resized: KubeObject = { ...current, spec: { ...current.spec, replicas }, metadata: { ...current.metadata, resourceVersion: scale.metadata?.resourceVersion || current.metadata.resourceVersion } };
  const next = withUpdateManagedFields(current, resized, manager, scope.context.now(), 'scale');
  const result = await execute(scope, { ...commandMeta(scope.request), type: 'update', object: next, dryRun: isDryRun(scope.query), fieldManager: manager });
  return sendJson(scope.reply, 200, scaleOf(result.object ?? next));
}
