import { parseSchedule } from '../../projections/controllers/cronjob/schedule.ts';
import { defineInvariant } from './invariant.ts';

/**
 * A CronJob's Jobs start only for scheduled times: each Job it creates is stamped with a time
 * its schedule produces, no later than the event that creates it, and never twice.
 */
export const cronJobRunsOnSchedule = defineInvariant({
  name: 'cronjob-runs-on-schedule',
  description: 'Every Job a CronJob creates is for a time its schedule (in its time zone) produces, not in the future, and each time runs at most once.',
  category: 'safety',
  start() {
    const seen = new Set<string>();
    return {
      onEvent(event, state) {
        if (event.type !== 'ObjectCreated' || event.data.object.kind !== 'Job') return undefined;
        const job = event.data.object;
        const owner = job.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'CronJob');
        if (!owner) return undefined;
        const cronJob = state.objects.get('CronJob')?.get(`${job.metadata.namespace}/${owner.name}`);
        const stamp = job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'];
        if (!cronJob || !stamp) return undefined;
        const scheduled = Date.parse(stamp);
        const where = `CronJob ${job.metadata.namespace}/${owner.name}`;
        if (scheduled > event.metadata.time) return `${where} created ${job.metadata.name} for ${stamp}, which has not come yet`;
        let schedule;
        try {
          schedule = parseSchedule(cronJob.spec.schedule, cronJob.spec.timeZone);
        } catch {
          return undefined;
        }
        if (schedule.next(scheduled - 1) !== scheduled) return `${where} created ${job.metadata.name} for ${stamp}, which its schedule "${cronJob.spec.schedule}" does not produce`;
        const key = `${owner.uid}/${scheduled}`;
        if (seen.has(key)) return `${where} ran ${stamp} twice`;
        seen.add(key);
        return undefined;
      },
    };
  },
});
