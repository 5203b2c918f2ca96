import type { KubeObject } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command, CommandMeta } from '../../commands.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { controllerOf, newControllerRef } from '../replicaset/controller-ref.ts';
import { jobFinished } from '../job/sync-job.ts';
import { parseSchedule } from './schedule.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobSync {
  commands: Command[];
  wakeAt?: number;
}

/** `getJobName`: the CronJob's name and the scheduled time in minutes since the epoch. */
export const jobNameFor = (cronJob: KubeObject, scheduledTime: number) => `${cronJob.metadata.name}-${Math.floor(scheduledTime / 60_000)}`;

/** `getJobFromTemplate2`: the job template, owned by the CronJob, stamped with its scheduled time. */
function jobFromTemplate(cronJob: KubeObject, scheduledTime: number): KubeObject {
  const template = cronJob.spec?.jobTemplate ?? {};
  const annotations = { ...template.metadata?.annotations, [SCHEDULED_TIMESTAMP_ANNOTATION]: toRfc3339(scheduledTime) };
  const metadata: KubeObject['metadata'] = { name: jobNameFor(cronJob, scheduledTime), namespace: cronJob.metadata.namespace, annotations, ownerReferences: [newControllerRef(cronJob)] };
  if (template.metadata?.labels) metadata.labels = { ...template.metadata.labels };
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: clonePlain(template.spec ?? {}) };
}

const deleteJob = (job: KubeObject, meta: CommandMeta): Command => ({
  ...meta,
  type: 'delete',
  ref: { kind: 'Job', namespace: job.metadata.namespace!, name: job.metadata.name!, uid: job.metadata.uid! },
  propagationPolicy: 'Background',
  preconditions: { uid: job.metadata.uid! },
});

const jobRef = (job: KubeObject) => ({ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name!, namespace: job.metadata.namespace!, uid: job.metadata.uid! });

const startTimeOf = (job: KubeObject) => job.status?.startTime ?? job.metadata.creationTimestamp ?? '';

/**
 * One reconcile of one CronJob (`syncCronJob` in pkg/controller/cronjob/cronjob_controllerv2.go):
 * track its Jobs in status.active and lastSuccessfulTime, prune finished Jobs beyond the history
 * limits, and when a scheduled time has come (within startingDeadlineSeconds) start its Job as
 * concurrencyPolicy allows; then ask to be woken at the next scheduled time.
 */
export function syncCronJob(state: ClusterState, namespace: string, name: string, meta: CommandMeta): CronJobSync {
  const cronJob = getObject(state, 'CronJob', namespace, name);
  if (!cronJob || cronJob.metadata.deletionTimestamp) return { commands: [] };
  const now = state.time;
  const spec = cronJob.spec ?? {};
  const commands: Command[] = [];
  const status: Record<string, any> = clonePlain(cronJob.status ?? {});

  const jobs = listObjects(state, 'Job', namespace).filter((j) => controllerOf(j)?.uid === cronJob.metadata.uid);
  const running = jobs.filter((j) => !jobFinished(j) && !j.metadata.deletionTimestamp);
  for (const job of jobs) {
    const finished = jobFinished(job);
    if (finished?.type === 'Complete' && job.status?.completionTime) {
      if (!status.lastSuccessfulTime || job.status.completionTime > status.lastSuccessfulTime) status.lastSuccessfulTime = job.status.completionTime;
    }
  }

  // History limits: the oldest finished Jobs beyond each limit go.
  const prune = (type: 'Complete' | 'Failed', limit: number | undefined) => {
    if (limit === undefined || limit === null) return;
    const finished = jobs.filter((j) => jobFinished(j)?.type === type && !j.metadata.deletionTimestamp).sort((a, b) => startTimeOf(a).localeCompare(startTimeOf(b)) || a.metadata.name!.localeCompare(b.metadata.name!));
    for (const job of finished.slice(0, Math.max(finished.length - limit, 0))) commands.push(deleteJob(job, meta));
  };
  prune('Complete', spec.successfulJobsHistoryLimit);
  prune('Failed', spec.failedJobsHistoryLimit);

  let schedule;
  try {
    schedule = parseSchedule(spec.schedule, spec.timeZone);
  } catch {
    return finish(cronJob, status, running, commands, meta);
  }
  let wakeAt: number | undefined = schedule.next(now);
  if (spec.suspend) return finish(cronJob, status, running, commands, meta, wakeAt);

  const earliestText = status.lastScheduleTime ?? cronJob.metadata.creationTimestamp;
  let earliest = Date.parse(earliestText);
  if (spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null) earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
  const { time: scheduledTime } = schedule.mostRecent(earliest, now);
  if (scheduledTime === undefined) return finish(cronJob, status, running, commands, meta, wakeAt);

  const tooLate = spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null && scheduledTime + spec.startingDeadlineSeconds * 1000 < now;
  if (tooLate) return finish(cronJob, status, running, commands, meta, wakeAt);

  const policy = spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && running.length > 0) {
    // Kubernetes retries a forbidden run until its deadline passes: stay due.
    return finish(cronJob, status, running, commands, meta, wakeAt);
  }
  let active = running;
  if (policy === 'Replace' && running.length > 0) {
    for (const job of running) commands.push(deleteJob(job, meta));
    active = [];
  }
  const jobName = jobNameFor(cronJob, scheduledTime);
  const existing = getObject(state, 'Job', namespace, jobName);
  if (!existing) {
    const job = jobFromTemplate(cronJob, scheduledTime);
    commands.push({ ...meta, type: 'create', object: job });
  }
  status.lastScheduleTime = toRfc3339(scheduledTime);
  return finish(cronJob, status, active, commands, meta, wakeAt);
}

/** Writes status.active (a Job created in this sync is recorded by the sync its creation triggers). */
function finish(cronJob: KubeObject, status: Record<string, any>, running: KubeObject[], commands: Command[], meta: CommandMeta, wakeAt?: number): CronJobSync {
  const active = running.map(jobRef);
  if (active.length) status.active = active.sort((a, b) => a.name.localeCompare(b.name));
  else delete status.active;
  if (!jsonEqual(cronJob.status ?? {}, status)) {
    const object = clonePlain(cronJob);
    delete object.metadata.resourceVersion;
    object.status = status;
    commands.push({ ...meta, type: 'update', subresource: 'status', object });
  }
  const result: CronJobSync = { commands };
  if (wakeAt !== undefined) result.wakeAt = wakeAt;
  return result;
}
