import { apiErrors } from '../../../core/errors.ts';
import { formatLabelSelector } from '../../../core/model/labels.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ResourceType } from '../../../core/model/resource-type.ts';
import { decodeBody, decodePatchBody } from '../request-body.ts';
import { notFoundFor } from '../resources/read-handlers.ts';
import { type ResourceScope, commandMeta, fieldManagerOf, isDryRun, sendJson } from '../resources/request-scope.ts';
import { withUpdateManagedFields } from '../resources/managed-fields.ts';
import { applyPatchDocument } from '../resources/patch-appliers.ts';
import { execute, objectKeyOf } from '../resources/write-handlers.ts';

type ScalePaths = NonNullable<ResourceType['scalePaths']>;

/** The value at a simple JSONPath (`.spec.replicas`), as a CustomResourceDefinition's scale paths name them. */
function valueAt(object: unknown, path: string): unknown {
  let value = object;
  for (const field of path.split('.').filter(Boolean)) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  return value;
}

/** A copy of `object` with `value` at `path` (the objects along it copied, the rest shared). */
function withValueAt(object: KubeObject, path: string, value: unknown): KubeObject {
  const fields = path.split('.').filter(Boolean);
  const set = (node: unknown, i: number): unknown => {
    const copy = { ...(node && typeof node === 'object' ? (node as Record<string, unknown>) : {}) };
    copy[fields[i]!] = i === fields.length - 1 ? value : set(copy[fields[i]!], i + 1);
    return copy;
  };
  return set(object, 0) as KubeObject;
}

/** A copy of a workload with `replicas` where its scale subresource writes them: the scale paths of a custom kind, else spec.replicas. */
export function withSpecReplicas(object: KubeObject, replicas: number, paths?: ScalePaths): KubeObject {
  return paths ? withValueAt(object, paths.specReplicas, replicas) : { ...object, spec: { ...object.spec, replicas } };
}

/** autoscaling/v1 Scale of a workload, as the scale subresource presents it. */
export function scaleOf(object: KubeObject, paths?: ScalePaths): KubeObject {
  if (paths) {
    const selector = paths.labelSelector ? valueAt(object, paths.labelSelector) : undefined;
    return scaleWith(object, Number(valueAt(object, paths.specReplicas) ?? 0), Number(valueAt(object, paths.statusReplicas) ?? 0), typeof selector === 'string' ? selector : '');
  }
  const selector = object.spec?.selector;
  const selectorText = selector && typeof selector === 'object' && !('matchLabels' in selector) && !('matchExpressions' in selector)
    ? Object.entries(selector as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',')
    : formatLabelSelector(selector);
  return scaleWith(object, Number(object.spec?.replicas ?? 0), Number(object.status?.replicas ?? 0), selectorText);
}

function scaleWith(object: KubeObject, replicas: number, statusReplicas: number, selectorText: string): KubeObject {
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
    spec: { replicas },
    status: { replicas: statusReplicas, ...(selectorText ? { selector: selectorText } : {}) },
  };
}

function currentObject(scope: ResourceScope): KubeObject {
  const object = scope.context.cluster.state.objects.get(scope.type.kind)?.get(objectKeyOf(scope));
  if (!object) throw notFoundFor(scope, scope.name!);
  return object;
}

export async function getScaleHandler(scope: ResourceScope) {
  return sendJson(scope.reply, 200, scaleOf(currentObject(scope), scope.type.scalePaths));
}

/** PUT or PATCH …/scale: sets spec.replicas on the workload (Scale's resourceVersion, if set, is a precondition). */
export async function writeScaleHandler(scope: ResourceScope, method: 'PUT' | 'PATCH') {
  const current = currentObject(scope);
  let scale: KubeObject;
  if (method === 'PUT') {
    scale = (decodeBody(scope.request) ?? {}) as unknown as KubeObject;
  } else {
    const { type, patch } = decodePatchBody(scope.request);
    const before = scaleOf(current, scope.type.scalePaths);
    if (type === 'application/apply-patch+yaml') scale = { ...before, spec: { ...(patch as KubeObject).spec } } as KubeObject;
    else scale = applyPatchDocument(type, before, patch);
  }
  const replicas = scale.spec?.replicas;
  if (replicas === undefined || !Number.isInteger(replicas) || replicas < 0) {
    throw apiErrors.invalid('Scale', scope.name!, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` }], 'autoscaling');
  }
  const manager = fieldManagerOf(scope);
  const withReplicas = withSpecReplicas(current, replicas, scope.type.scalePaths);
  const resized: KubeObject = { ...withReplicas, metadata: { ...current.metadata, resourceVersion: scale.metadata?.resourceVersion || current.metadata.resourceVersion } };
  const next = withUpdateManagedFields(current, resized, manager, scope.context.now(), 'scale');
  const result = await execute(scope, { ...commandMeta(scope.request), type: 'update', object: next, dryRun: isDryRun(scope.query), fieldManager: manager });
  return sendJson(scope.reply, 200, scaleOf(result.object ?? next, scope.type.scalePaths));
}
