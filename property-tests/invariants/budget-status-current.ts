import { budgetStatus } from '../../projections/controllers/disruption/disruption-controller.ts';
import { defineInvariant } from './invariant.ts';

/** Once quiet, every PodDisruptionBudget's status says what its pods allow now. */
export const budgetStatusCurrent = defineInvariant({
  name: 'budget-status-current',
  description: 'Once quiet, each PodDisruptionBudget\'s currentHealthy, desiredHealthy and disruptionsAllowed match its pods.',
  category: 'liveness',
  start() {
    return {
      atEnd({ state }) {
        for (const pdb of state.objects.get('PodDisruptionBudget')?.values() ?? []) {
          if (pdb.metadata.deletionTimestamp) continue;
          const want = budgetStatus(state, pdb, state.time);
          for (const field of ['currentHealthy', 'desiredHealthy', 'disruptionsAllowed'] as const) {
            if (pdb.status?.[field] !== want[field]) {
              return `PodDisruptionBudget ${pdb.metadata.namespace}/${pdb.metadata.name}: status.${field} is ${pdb.status?.[field]}, its pods give ${want[field]}`;
            }
          }
        }
        return undefined;
      },
    };
  },
});
