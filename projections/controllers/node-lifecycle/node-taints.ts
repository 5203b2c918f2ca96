import type { Taint } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';

/** Taint keys the node lifecycle controller owns (k8s.io/api/core/v1 well_known_taints.go). */
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

const MANAGED_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, TAINT_MEMORY_PRESSURE, TAINT_DISK_PRESSURE, TAINT_PID_PRESSURE, TAINT_NETWORK_UNAVAILABLE]);

/** NoSchedule taints by condition (TaintNodesByCondition): condition type → status → taint key. */
const CONDITION_TAINTS: Array<{ type: string; status: string; key: string }> = [
  { type: 'Ready', status: 'False', key: TAINT_NOT_READY },
  { type: 'Ready', status: 'Unknown', key: TAINT_UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: TAINT_MEMORY_PRESSURE },
  { type: 'DiskPressure', status: 'True', key: TAINT_DISK_PRESSURE },
  { type: 'NetworkUnavailable', status: 'True', key: TAINT_NETWORK_UNAVAILABLE },
  { type: 'PIDPressure', status: 'True', key: TAINT_PID_PRESSURE },
];

function conditionStatus(node: KubeObject, type: string): string | undefined {
  return (node.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((c) => c.type === type)?.status;
}

/**
 * The taints the node lifecycle controller wants on a node: NoSchedule for each bad condition and
 * for `spec.unschedulable` (cordon), and NoExecute `not-ready` / `unreachable` for a Ready
 * condition that is False / Unknown. NoExecute taints carry `timeAdded`, which the taint
 * manager's tolerationSeconds count from.
 */
export function desiredManagedTaints(node: KubeObject): Array<Omit<Taint, 'timeAdded'>> {
  const taints: Array<Omit<Taint, 'timeAdded'>> = [];
  for (const rule of CONDITION_TAINTS) if (conditionStatus(node, rule.type) === rule.status) taints.push({ key: rule.key, effect: 'NoSchedule' });
  if (node.spec?.unschedulable) taints.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = conditionStatus(node, 'Ready');
  if (ready === 'False') taints.push({ key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') taints.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  return taints;
}

function isManaged(t: Taint): boolean {
  return MANAGED_KEYS.has(t.key) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute');
}

const sameTaint = (a: Pick<Taint, 'key' | 'effect'>, b: Pick<Taint, 'key' | 'effect'>) => a.key === b.key && a.effect === b.effect;

/** The node's full taint list with the managed ones brought to `desired`, or undefined when nothing changes. */
export function reconcileTaints(current: readonly Taint[], desired: ReadonlyArray<Omit<Taint, 'timeAdded'>>, timeAdded: string): Taint[] | undefined {
  const managed = current.filter(isManaged);
  const unchanged = managed.length === desired.length && desired.every((d) => managed.some((m) => sameTaint(m, d)));
  if (unchanged) return undefined;
  const next: Taint[] = current.filter((t) => !isManaged(t) || desired.some((d) => sameTaint(t, d)));
  for (const d of desired) {
    if (next.some((t) => sameTaint(t, d))) continue;
    next.push(d.effect === 'NoExecute' ? { ...d, timeAdded } : { ...d });
  }
  return next;
}
