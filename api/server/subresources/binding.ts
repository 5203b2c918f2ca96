import { apiErrors } from '../../../core/errors.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { decodeBody } from '../request-body.ts';
import { notFoundFor } from '../resources/read-handlers.ts';
import { type ResourceScope, commandMeta, sendJson } from '../resources/request-scope.ts';
import { execute, objectKeyOf } from '../resources/write-handlers.ts';

/** POST pods/<name>/binding: binds the pod to `target.name` (a PodScheduled event), as a scheduler would. */
export async function bindingHandler(scope: ResourceScope) {
  const body = (decodeBody(scope.request) ?? {}) as { target?: { name?: string; kind?: string } };
  const pod = scope.context.cluster.state.objects.get('Pod')?.get(objectKeyOf(scope)) as KubeObject | undefined;
  if (!pod) throw notFoundFor(scope, scope.name!);
  const node = body.target?.name;
  if (!node) throw apiErrors.invalid('Binding', scope.name!, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  if (pod.spec?.nodeName) {
    throw apiErrors.conflict('pods', scope.name!, `pod ${scope.name} is already assigned to node "${pod.spec.nodeName}"`);
  }
  await execute(scope, {
    ...commandMeta(scope.request),
    type: 'record',
    event: {
      type: 'PodScheduled',
      data: { ref: { kind: 'Pod', namespace: scope.namespace!, name: scope.name!, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) }, nodeName: node, decision: { evaluated: 0, feasible: 0, verdicts: [], chosen: node } },
    },
  });
  return sendJson(scope.reply, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
