import { ApiError, apiErrors } from '../../../core/errors.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { Command } from '../../../projections/commands.ts';
import { decodeBody } from '../request-body.ts';
import { deleteOptionsFrom } from '../resources/delete-options.ts';
import { notFoundFor } from '../resources/read-handlers.ts';
import { type ResourceScope, commandMeta, sendJson } from '../resources/request-scope.ts';
import { execute, objectKeyOf } from '../resources/write-handlers.ts';
import { budgetsCovering, evaluateBudget, isPodReady } from './disruption-budget.ts';

/**
 * POST pods/<name>/eviction (policy/v1 Eviction): deletes the pod unless a PodDisruptionBudget
 * would be violated, in which case it answers 429 as the apiserver does.
 */
export async function evictionHandler(scope: ResourceScope) {
  const body = (decodeBody(scope.request) ?? {}) as { metadata?: { name?: string }; deleteOptions?: Record<string, unknown> };
  if (body.metadata?.name && body.metadata.name !== scope.name) {
    throw apiErrors.badRequest(`name in URL does not match name in Eviction object`);
  }
  const state = scope.context.cluster.state;
  const pod = state.objects.get('Pod')?.get(objectKeyOf(scope)) as KubeObject | undefined;
  if (!pod) throw notFoundFor(scope, scope.name!);
  const options = deleteOptionsFrom((body.deleteOptions ?? {}) as Record<string, any>);

  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || pod.status?.phase === 'Pending';
  if (!terminal && !pod.metadata.deletionTimestamp) {
    const budgets = budgetsCovering(state, pod);
    if (budgets.length > 1) {
      throw apiErrors.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    if (budgets.length === 1) {
      const verdict = evaluateBudget(state, budgets[0]!);
      const allowed = isPodReady(pod) ? verdict.disruptionsAllowed > 0 : verdict.currentHealthy >= verdict.desiredHealthy;
      if (!allowed) {
        throw new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${verdict.budget.metadata.name} needs ${verdict.desiredHealthy} healthy pods and has ${verdict.currentHealthy} currently` }],
        });
      }
    }
  }
  if (!options.dryRun && !pod.metadata.deletionTimestamp) {
    await execute(scope, {
      ...commandMeta(scope.request),
      type: 'record',
      event: { type: 'PodEvicted', data: { ref: { kind: 'Pod', namespace: scope.namespace!, name: scope.name!, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) }, reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' } },
    });
  }
  const command: Command = { ...commandMeta(scope.request), type: 'delete', ref: { kind: 'Pod', namespace: scope.namespace!, name: scope.name! }, dryRun: options.dryRun };
  if (options.gracePeriodSeconds !== undefined) command.gracePeriodSeconds = options.gracePeriodSeconds;
  if (options.preconditions) command.preconditions = options.preconditions;
  if (options.propagationPolicy) command.propagationPolicy = options.propagationPolicy;
  await execute(scope, command);
  return sendJson(scope.reply, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
