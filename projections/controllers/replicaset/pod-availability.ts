import type { KubeObject } from '../../../core/model/object.ts';

/**
 * Pod predicates the workload controllers share, as Kubernetes' podutil and controller utilities
 * define them (pkg/api/v1/pod/util.go, pkg/controller/controller_utils.go).
 */

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

/** The pod's Ready condition (the first, as `find` would give it), looked up without a closure. */
export function readyCondition(pod: KubeObject): Condition | undefined {
  const conditions = pod.status?.conditions as Condition[] | undefined;
  if (conditions) for (let i = 0; i < conditions.length; i++) if (conditions[i]!.type === 'Ready') return conditions[i];
  return undefined;
}

/** `controller.IsPodActive`: not Succeeded, not Failed, not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** `controller.IsPodTerminating`: being deleted but not yet in a terminal phase. */
export function isPodTerminating(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** `podutil.IsPodReady`: the Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod last became Ready (ms), or undefined when it is not ready or the time is unknown. */
export function podReadySince(pod: KubeObject): number | undefined {
  const condition = readyCondition(pod);
  if (condition?.status !== 'True' || !condition.lastTransitionTime) return undefined;
  const time = parsedTime(condition.lastTransitionTime);
  return Number.isNaN(time) ? undefined : time;
}

/** Transition times parsed so far (whole seconds, so few distinct ones): with minReadySeconds every sync reads each pod's. */
const parsedTimes = new Map<string, number>();

function parsedTime(text: string): number {
  let time = parsedTimes.get(text);
  if (time === undefined) {
    if (parsedTimes.size >= 10_000) parsedTimes.clear();
    parsedTimes.set(text, (time = Date.parse(text)));
  }
  return time;
}

/**
 * `podutil.IsPodAvailable`: ready, and (minReadySeconds = 0 or ready since strictly more than
 * minReadySeconds before `now`).
 */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/**
 * The first virtual time at which a ready-but-not-yet-available pod becomes available (the timer a
 * controller sets so that availability is noticed without another event), or undefined.
 */
export function podAvailableAt(pod: KubeObject, minReadySeconds: number, now: number): number | undefined {
  if (!minReadySeconds || !isPodReady(pod)) return undefined;
  const since = podReadySince(pod);
  if (since === undefined) return undefined;
  const at = since + minReadySeconds * 1000 + 1;
  return at > now ? at : undefined;
}

/** The highest restart count among the pod's containers. */
export function maxContainerRestarts(pod: KubeObject): number {
  let max = 0;
  for (const status of (pod.status?.containerStatuses as Array<{ restartCount?: number }> | undefined) ?? []) {
    max = Math.max(max, status.restartCount ?? 0);
  }
  return max;
}
