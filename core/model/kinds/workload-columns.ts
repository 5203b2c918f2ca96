import type { TableColumn } from '../resource-type.ts';
import { ageColumn, column, nameColumn, timestampSince, workloadWideColumns } from './columns.ts';
import { formatLabels, labelSelectorAsSelector, selectorToString } from '../labels.ts';

export const deploymentColumns: TableColumn[] = [
  nameColumn,
  column('Ready', 'string', 'Number of the pod with ready state', (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`),
  column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', (d) => d.status?.updatedReplicas ?? 0),
  column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', (d) => d.status?.availableReplicas ?? 0),
  ageColumn,
  // Deployments print the raw selector string: empty, not <none>, when there is none.
  ...workloadWideColumns((d) => {
    try {
      return selectorToString(labelSelectorAsSelector(d.spec?.selector));
    } catch {
      return '<invalid>';
    }
  }),
];

export const replicaSetColumns: TableColumn[] = [
  nameColumn,
  column('Desired', 'integer', 'Replicas is the number of desired replicas.', (rs) => rs.spec?.replicas ?? 0),
  column('Current', 'integer', 'Replicas is the most recently observed number of replicas.', (rs) => rs.status?.replicas ?? 0),
  column('Ready', 'integer', 'The number of ready replicas for this replica set.', (rs) => rs.status?.readyReplicas ?? 0),
  ageColumn,
  ...workloadWideColumns(),
];

export const replicationControllerColumns: TableColumn[] = [
  ...replicaSetColumns.slice(0, 5),
  ...workloadWideColumns((rc) => formatLabels(rc.spec?.selector)),
];

export const daemonSetColumns: TableColumn[] = [
  nameColumn,
  column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', (ds) => ds.status?.desiredNumberScheduled ?? 0),
  column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', (ds) => ds.status?.currentNumberScheduled ?? 0),
  column('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', (ds) => ds.status?.numberReady ?? 0),
  column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod', (ds) => ds.status?.updatedNumberScheduled ?? 0),
  column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', (ds) => ds.status?.numberAvailable ?? 0),
  column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.', (ds) => formatLabels(ds.spec?.template?.spec?.nodeSelector)),
  ageColumn,
  ...workloadWideColumns(),
];

export const statefulSetColumns: TableColumn[] = [
  nameColumn,
  column('Ready', 'string', 'Number of the pod with ready state', (sts) => `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`),
  ageColumn,
  ...workloadWideColumns().slice(0, 2),
];

const hasCondition = (object: any, type: string) => (object.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');

/** The Job STATUS cell (kubectl 1.30+). */
export function jobStatus(job: any): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export function jobCompletions(job: any): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined && job.spec?.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export const jobColumns: TableColumn[] = [
  nameColumn,
  column('Status', 'string', 'Status of the job.', jobStatus),
  column('Completions', 'string', 'The desired number of successfully finished pods the job should be run with.', jobCompletions),
  column('Duration', 'string', 'Time required to complete the job.', (job, context) => {
    const start = job.status?.startTime;
    if (!start) return '';
    const end = job.status?.completionTime;
    return timestampSince(start, end ? Date.parse(end) : context.now);
  }),
  ageColumn,
  ...workloadWideColumns(),
];

export const cronJobColumns: TableColumn[] = [
  nameColumn,
  column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', (cj) => cj.spec?.schedule ?? ''),
  column('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.', (cj) => cj.spec?.timeZone ?? '<none>'),
  column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.', (cj) => (cj.spec?.suspend === undefined || cj.spec?.suspend === null ? '<unset>' : cj.spec.suspend ? 'True' : 'False')),
  column('Active', 'integer', 'A list of pointers to currently running jobs.', (cj) => (cj.status?.active ?? []).length),
  column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.', (cj, context) => (cj.status?.lastScheduleTime ? timestampSince(cj.status.lastScheduleTime, context.now) : '<none>')),
  ageColumn,
  ...workloadWideColumns((cj) => {
    const selector = cj.spec?.jobTemplate?.spec?.selector;
    return selector ? selectorToString(labelSelectorAsSelector(selector)) || '<none>' : '<none>';
  }),
];
