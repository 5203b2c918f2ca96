import { apiErrors } from '../../core/errors.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { SYSTEM_PRIORITY_CLASSES } from '../../core/model/kinds/scheduling.ts';
import type { ClusterState } from '../cluster-state.ts';
import { getObject } from '../state/queries.ts';

/**
 * The Priority admission plugin: a pod's `priorityClassName` (or, without one, the class marked
 * `globalDefault`) sets `spec.priority` and `spec.preemptionPolicy`. A class that does not exist,
 * or a priority the pod states that differs from its class's, is refused (403), as Kubernetes does.
 * The two system classes are known without being stored.
 */
export function admitPriority(state: ClusterState, pod: KubeObject): void {
  const spec = pod.spec ?? (pod.spec = {});
  const name = pod.metadata.name ?? '';
  let className = spec.priorityClassName as string | undefined;
  let priority = 0;
  let preemptionPolicy: string | undefined;
  if (className) {
    const system = SYSTEM_PRIORITY_CLASSES.get(className);
    const stored = getObject(state, 'PriorityClass', undefined, className);
    if (system !== undefined) priority = system;
    else if (stored) {
      priority = stored.value as number;
      preemptionPolicy = stored.preemptionPolicy as string | undefined;
    } else throw apiErrors.forbidden('pods', name, `no PriorityClass with name ${className} was found`);
  } else {
    const byDefault = defaultClass(state);
    if (byDefault) {
      className = byDefault.metadata.name!;
      priority = byDefault.value as number;
      preemptionPolicy = byDefault.preemptionPolicy as string | undefined;
    }
  }
  if (spec.priority !== undefined && spec.priority !== priority) {
    throw apiErrors.forbidden('pods', name, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  // Without a class and a default one, the Pod's defaults give it priority 0 (admitPodSpec).
  if (!className) return;
  spec.priorityClassName = className;
  spec.priority = priority;
  spec.preemptionPolicy = preemptionPolicy ?? 'PreemptLowerPriority';
}

/** The globalDefault class with the highest value (the apiserver allows only one). */
function defaultClass(state: ClusterState): KubeObject | undefined {
  let best: KubeObject | undefined;
  for (const pc of state.objects.get('PriorityClass')?.values() ?? []) {
    if (pc.globalDefault === true && (!best || (pc.value as number) > (best.value as number))) best = pc;
  }
  return best;
}
