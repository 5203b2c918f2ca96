import { apiErrors } from '../../core/errors.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';
import type { ClusterState } from '../cluster-state.ts';
import { listObjects } from '../state/queries.ts';
import { formatQuotaAmount, missingSpecifications, namespaceUsage, quotaAmount, usageOf } from './quota-usage.ts';

/**
 * The ResourceQuota admission plugin, for creates: the new object's usage plus what the namespace
 * already uses must stay within every quota's hard limits, and a pod must state the requests and
 * limits a quota tracks; otherwise 403 Forbidden with the apiserver's wording.
 */
export function admitResourceQuota(state: ClusterState, type: ResourceType, object: KubeObject): void {
  const namespace = object.metadata.namespace;
  if (!namespace) return;
  const quotas = listObjects(state, 'ResourceQuota', namespace);
  if (quotas.length === 0) return;
  const group = type.group || undefined;
  for (const quota of quotas) {
    const hard: Record<string, string> = quota.spec?.hard ?? {};
    const resources = Object.keys(hard).sort();
    if (object.kind === 'Pod') {
      const missing = missingSpecifications(object, resources);
      if (missing.length) throw apiErrors.forbidden(type.plural, object.metadata.name ?? '', `failed quota: ${quota.metadata.name}: must specify ${missing.join('; ')}`, group);
    }
    const requested = resources.filter((r) => usageOf(object, r) > 0);
    if (requested.length === 0) continue;
    const used = namespaceUsage(state, namespace, requested);
    const exceeded = requested.filter((r) => used.get(r)! + usageOf(object, r) > quotaAmount(r, hard[r]!));
    if (exceeded.length === 0) continue;
    const list = (value: (r: string) => string) => exceeded.map((r) => `${r}=${value(r)}`).join(',');
    throw apiErrors.forbidden(
      type.plural,
      object.metadata.name ?? '',
      `exceeded quota: ${quota.metadata.name}, requested: ${list((r) => formatQuotaAmount(r, usageOf(object, r)))}, used: ${list((r) => formatQuotaAmount(r, used.get(r)!))}, limited: ${list((r) => hard[r]!)}`,
      group,
    );
  }
}
