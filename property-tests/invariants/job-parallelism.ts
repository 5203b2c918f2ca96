import { defineInvariant } from './invariant.ts';

/** A Job never runs more pods at once than its parallelism, nor more than the completions it still needs. */
export const jobWithinParallelism = defineInvariant({
  name: 'job-within-parallelism',
  description: 'When a Job creates a pod, its active pods number at most spec.parallelism and at most the completions still missing.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'ObjectCreated' || event.data.object.kind !== 'Pod') return undefined;
        const pod = event.data.object;
        const owner = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Job');
        if (!owner) return undefined;
        const job = state.objects.get('Job')?.get(`${pod.metadata.namespace}/${owner.name}`);
        if (!job || job.metadata.uid !== owner.uid) return undefined;
        let active = 0;
        let succeeded = 0;
        for (const other of state.objects.get('Pod')?.values() ?? []) {
          if (!other.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.uid)) continue;
          if (other.status?.phase === 'Succeeded') succeeded++;
          else if (other.status?.phase !== 'Failed' && !other.metadata.deletionTimestamp) active++;
        }
        const parallelism: number = job.spec?.parallelism ?? 1;
        if (active > parallelism) return `Job ${pod.metadata.namespace}/${owner.name} has ${active} active pods, parallelism is ${parallelism}`;
        const completions: number | undefined = job.spec?.completions ?? undefined;
        if (completions !== undefined && job.spec?.completionMode !== 'Indexed' && active > completions - succeeded) {
          return `Job ${pod.metadata.namespace}/${owner.name} has ${active} active pods with ${completions - succeeded} completions to go`;
        }
        return undefined;
      },
    };
  },
});
