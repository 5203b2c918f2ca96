import type { KubeObject } from '../../../core/model/object.ts';
import { createPrng, hashSeed, randomSuffix } from '../../../core/prng.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command, CommandMeta } from '../../commands.ts';
import { getObject } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { newControllerRef } from '../replicaset/controller-ref.ts';
import { isPodReady } from '../replicaset/pod-availability.ts';
import { podsOwnedBy } from '../replicaset/pod-index.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export const TTL_AFTER_FINISHED_CONTROLLER = 'ttl-after-finished-controller';
/** The Job controller's pod-creation backoff: 10 s doubling per failure, at most 6 minutes. */
export const DEFAULT_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 6 * 60_000;
const MAX_GENERATED_NAME_BASE = 58;

export interface JobSync {
  commands: Command[];
  wakeAt?: number;
}

interface Condition {
  type: string;
  status: string;
  lastProbeTime: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

const isFinishedCondition = (c: Condition) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True';
export const jobFinished = (job: KubeObject): Condition | undefined => ((job.status?.conditions ?? []) as Condition[]).find(isFinishedCondition);

const deletePod = (pod: KubeObject, meta: CommandMeta): Command => ({
  ...meta,
  type: 'delete',
  ref: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
  preconditions: { uid: pod.metadata.uid! },
});

const byName = (a: KubeObject, b: KubeObject) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);

function terminatedAt(pod: KubeObject): number | undefined {
  let latest: number | undefined;
  for (const status of pod.status?.containerStatuses ?? []) {
    const finished = status.state?.terminated?.finishedAt ?? status.lastState?.terminated?.finishedAt;
    const time = finished ? Date.parse(finished) : NaN;
    if (!Number.isNaN(time) && (latest === undefined || time > latest)) latest = time;
  }
  return latest;
}

function podFromTemplate(job: KubeObject, name: string, generateName: string, index?: number): KubeObject {
  const template = job.spec?.template ?? {};
  const metadata: KubeObject['metadata'] = { name, generateName, namespace: job.metadata.namespace, labels: { ...template.metadata?.labels }, ownerReferences: [newControllerRef(job)] };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  const spec = clonePlain(template.spec ?? {});
  if (index !== undefined) {
    metadata.annotations = { ...metadata.annotations, 'batch.kubernetes.io/job-completion-index': String(index) };
    metadata.labels!['batch.kubernetes.io/job-completion-index'] = String(index);
    spec.hostname ??= `${job.metadata.name}-${index}`;
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** `"1,3-5"` for [1,3,4,5], as status.completedIndexes shows them. */
export function formatIndexes(indexes: number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const completionIndexOf = (pod: KubeObject): number | undefined => {
  const value = pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];
  return value === undefined ? undefined : Number(value);
};

/**
 * One reconcile of one Job (`syncJob` in pkg/controller/job): count succeeded and failed pods,
 * finish the Job (Complete once enough pods succeeded, Failed past backoffLimit or
 * activeDeadlineSeconds), otherwise keep min(parallelism, remaining completions) pods active,
 * holding new pods back after failures (10 s doubling, capped at 6 min); a suspended Job has no
 * active pods. A finished Job with ttlSecondsAfterFinished is deleted when its time is up.
 */
export function syncJob(state: ClusterState, namespace: string, name: string, meta: CommandMeta, position: number): JobSync {
  const job = getObject(state, 'Job', namespace, name);
  if (!job) return { commands: [] };
  const now = state.time;
  const nowText = toRfc3339(now);
  const spec = job.spec ?? {};
  const commands: Command[] = [];
  let wakeAt: number | undefined;
  const wake = (time: number) => {
    if (wakeAt === undefined || time < wakeAt) wakeAt = time;
  };

  const finished = jobFinished(job);
  if (finished) {
    if (spec.ttlSecondsAfterFinished !== undefined && spec.ttlSecondsAfterFinished !== null && !job.metadata.deletionTimestamp) {
      const finishedAt = Date.parse(job.status?.completionTime ?? finished.lastTransitionTime);
      const expiresAt = finishedAt + spec.ttlSecondsAfterFinished * 1000;
      if (now >= expiresAt) {
        commands.push({ ...meta, actor: TTL_AFTER_FINISHED_CONTROLLER, type: 'delete', ref: { kind: 'Job', namespace, name, uid: job.metadata.uid! }, propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid! } });
      } else wake(expiresAt);
    }
    // A finished Job's remaining pods are removed (the controller's cleanup once it has decided).
    for (const pod of podsOwnedBy(state, job.metadata.uid ?? '').sort(byName)) {
      if (!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') commands.push(deletePod(pod, meta));
    }
    return withWake({ commands }, wakeAt);
  }
  if (job.metadata.deletionTimestamp) return { commands };

  const pods = podsOwnedBy(state, job.metadata.uid ?? '').sort(byName);
  const active = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
  const terminating = pods.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  const indexed = spec.completionMode === 'Indexed';
  const completions: number | undefined = spec.completions ?? undefined;
  const succeededIndexes = indexed ? [...new Set(succeededPods.map(completionIndexOf).filter((i): i is number => i !== undefined && i < completions!))] : [];
  // Counts only grow: a counted pod that is later removed stays counted.
  const succeeded = Math.max(job.status?.succeeded ?? 0, indexed ? succeededIndexes.length : succeededPods.length);
  const failed = Math.max(job.status?.failed ?? 0, failedPods.length);
  const restarts = spec.template?.spec?.restartPolicy === 'OnFailure'
    ? active.reduce((sum, p) => sum + (p.status?.containerStatuses ?? []).reduce((s: number, c: { restartCount?: number }) => s + (c.restartCount ?? 0), 0), 0)
    : 0;

  const status: Record<string, any> = clonePlain(job.status ?? {});
  const conditions: Condition[] = [...(status.conditions ?? [])];
  const setCondition = (type: string, reason: string, message: string) => {
    if (conditions.some((c) => c.type === type && c.status === 'True')) return;
    conditions.push({ type, status: 'True', lastProbeTime: nowText, lastTransitionTime: nowText, reason, message });
  };
  const suspended = spec.suspend === true;
  if (!suspended && !status.startTime) status.startTime = nowText;

  let outcome: 'complete' | 'failed' | undefined;
  let failure: [string, string] | undefined;
  if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) outcome = 'complete';
  else if (failed + restarts > (spec.backoffLimit ?? 6)) failure = ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
  else if (!suspended && spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && status.startTime) {
    const deadline = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000;
    if (now >= deadline) failure = ['DeadlineExceeded', 'Job was active longer than specified deadline'];
    else wake(deadline);
  }
  if (failure) outcome = 'failed';

  if (outcome) {
    for (const pod of active) commands.push(deletePod(pod, meta));
    // The TTL counts from now (the finish this sync writes); nothing else may come to start its timer.
    if (spec.ttlSecondsAfterFinished !== undefined && spec.ttlSecondsAfterFinished !== null) wake(now + spec.ttlSecondsAfterFinished * 1000);
    if (outcome === 'complete') {
      setCondition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods');
      setCondition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods');
      status.completionTime = nowText;
    } else {
      setCondition('FailureTarget', failure![0], failure![1]);
      setCondition('Failed', failure![0], failure![1]);
    }
  } else if (suspended) {
    for (const pod of active) commands.push(deletePod(pod, meta));
    if (!conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
      const existing = conditions.findIndex((c) => c.type === 'Suspended');
      if (existing >= 0) conditions.splice(existing, 1);
      conditions.push({ type: 'Suspended', status: 'True', lastProbeTime: nowText, lastTransitionTime: nowText, reason: 'JobSuspended', message: 'Job suspended' });
    }
  } else {
    const suspendedAt = conditions.findIndex((c) => c.type === 'Suspended' && c.status === 'True');
    if (suspendedAt >= 0) {
      conditions[suspendedAt] = { type: 'Suspended', status: 'False', lastProbeTime: nowText, lastTransitionTime: nowText, reason: 'JobResumed', message: 'Job resumed' };
      status.startTime = nowText;
    }
    commands.push(...manageActive(state, job, active, succeeded, succeededIndexes, failedPods, failed, meta, position, wake));
  }

  if (!outcome && !suspended && active.length > 0) status.active = active.length;
  else delete status.active;
  status.ready = outcome ? 0 : active.filter(isPodReady).length;
  status.terminating = terminating + (outcome || suspended ? active.length : 0);
  if (succeeded) status.succeeded = succeeded;
  else delete status.succeeded;
  if (failed) status.failed = failed;
  else delete status.failed;
  if (indexed) status.completedIndexes = formatIndexes(succeededIndexes);
  status.uncountedTerminatedPods ??= {};
  if (conditions.length) status.conditions = conditions;
  if (!jsonEqual(job.status ?? {}, status)) {
    const object = clonePlain(job);
    delete object.metadata.resourceVersion;
    object.status = status;
    commands.push({ ...meta, type: 'update', subresource: 'status', object });
  }
  return withWake({ commands }, wakeAt);
}

function withWake(result: JobSync, wakeAt: number | undefined): JobSync {
  if (wakeAt !== undefined) result.wakeAt = wakeAt;
  return result;
}

function manageActive(
  state: ClusterState,
  job: KubeObject,
  active: KubeObject[],
  succeeded: number,
  succeededIndexes: number[],
  failedPods: KubeObject[],
  failed: number,
  meta: CommandMeta,
  position: number,
  wake: (time: number) => void,
): Command[] {
  const spec = job.spec ?? {};
  const parallelism: number = spec.parallelism ?? 1;
  const completions: number | undefined = spec.completions ?? undefined;
  let wantActive = parallelism;
  if (completions !== undefined) wantActive = Math.min(parallelism, Math.max(completions - succeeded, 0));
  else if (succeeded > 0) wantActive = Math.min(active.length, parallelism);
  const diff = active.length - wantActive;
  if (diff > 0) {
    // Not-yet-running pods go first, then the youngest.
    const ranked = [...active].sort((a, b) => Number(a.status?.phase === 'Running') - Number(b.status?.phase === 'Running') || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || byName(a, b));
    return ranked.slice(0, diff).map((pod) => deletePod(pod, meta));
  }
  if (diff === 0) return [];

  if (failed > 0) {
    const lastFailure = Math.max(...failedPods.map((p) => terminatedAt(p) ?? 0));
    const backoff = Math.min(DEFAULT_BACKOFF_MS * 2 ** (failed - 1), MAX_BACKOFF_MS);
    if (lastFailure > 0 && state.time < lastFailure + backoff) {
      wake(lastFailure + backoff);
      return [];
    }
  }

  const prng = createPrng(hashSeed(state.seed, 'name', position, `${job.metadata.namespace}/${job.metadata.name}`));
  const commands: Command[] = [];
  const indexes: (number | undefined)[] = [];
  if (spec.completionMode === 'Indexed') {
    const taken = new Set<number>([...succeededIndexes, ...active.map(completionIndexOf).filter((i): i is number => i !== undefined)]);
    for (let i = 0; i < completions! && indexes.length < -diff; i++) if (!taken.has(i)) indexes.push(i);
  } else for (let i = 0; i < -diff; i++) indexes.push(undefined);
  for (const index of indexes) {
    const base = index === undefined ? `${job.metadata.name}-` : `${job.metadata.name}-${index}-`;
    const prefix = base.length > MAX_GENERATED_NAME_BASE ? base.slice(0, MAX_GENERATED_NAME_BASE) : base;
    let podName: string;
    do podName = prefix + randomSuffix(prng);
    while (getObject(state, 'Pod', job.metadata.namespace, podName));
    commands.push({ ...meta, type: 'create', object: podFromTemplate(job, podName, prefix, index) });
  }
  return commands;
}
