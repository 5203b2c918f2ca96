import { namespaceUsage, quotaAmount, usageOf } from '../../projections/write-path/quota-usage.ts';
import { defineInvariant } from './invariant.ts';

/** No create takes a namespace past a ResourceQuota for a resource the new object uses. */
export const quotaRespected = defineInvariant({
  name: 'quota-respected',
  description: 'No object is created that takes its namespace past a ResourceQuota hard limit on a resource it uses.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'ObjectCreated') return undefined;
        const object = event.data.object;
        const namespace = object.metadata.namespace;
        if (!namespace) return undefined;
        for (const quota of state.objects.get('ResourceQuota')?.values() ?? []) {
          if (quota.metadata.namespace !== namespace) continue;
          const hard: Record<string, string> = quota.spec?.hard ?? {};
          const used = Object.keys(hard).filter((r) => usageOf(object, r) > 0);
          if (used.length === 0) continue;
          const usage = namespaceUsage(state, namespace, used);
          for (const resource of used) {
            if (usage.get(resource)! > quotaAmount(resource, hard[resource]!)) {
              return `${object.kind} ${namespace}/${object.metadata.name} took ${resource} past quota ${quota.metadata.name} (${hard[resource]})`;
            }
          }
        }
        return undefined;
      },
    };
  },
});
