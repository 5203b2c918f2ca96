import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { getObject, objectByUid, ownedBy } from '../../projections/state/queries.ts';
import type { PodTarget, ScenarioAction } from './scenario.ts';
import { CPU_LOAD_ANNOTATION } from '../../projections/metrics/resource-usage.ts';

/**
 * Container faults are written as the pod annotations the simulated kubelet honours
 * (docs/simulation.md), pod-wide or for one container (`sim.orrery.dev/<container>.<key>`).
 */
export const SIM_PREFIX = 'sim.orrery.dev/';
/**
 * `scenario.orrery.dev/<container>.<key>: VALUE` on a pod: when the container's current run ends,
 * the driver sets `sim.orrery.dev/<container>.<key>` to VALUE (removes it when VALUE is empty).
 */
export const RESTORE_PREFIX = 'scenario.orrery.dev/';
/** Total CPU demand on a Deployment (the `load` action, read by the autoscaler); not a pod fault, so never copied to pods. */
export { CPU_LOAD_ANNOTATION };
/** Every kubelet annotation a fault action may set; `clear-faults` removes them all. */
export const FAULT_KEYS = ['exit-after', 'exit-code', 'liveness-fail-after', 'readiness-fail-after', 'image-pull', 'startup-delay'] as const;

export type PodFaultAction = Extract<
  ScenarioAction,
  { action: 'container-crash' | 'container-crash-loop' | 'liveness-fail' | 'readiness-fail' | 'image-pull-fail' | 'slow-start' | 'clear-faults' }
>;
export const POD_FAULT_ACTIONS = new Set<string>(['container-crash', 'container-crash-loop', 'liveness-fail', 'readiness-fail', 'image-pull-fail', 'slow-start', 'clear-faults']);

export function isPodFault(action: ScenarioAction): action is PodFaultAction {
  return POD_FAULT_ACTIONS.has(action.action);
}

function key(container: string | undefined, name: string): string {
  return `${SIM_PREFIX}${container ? `${container}.` : ''}${name}`;
}

/** The annotations a standing fault sets (key → value), or removes (key → undefined). */
export function faultAnnotations(action: PodFaultAction): Record<string, string | undefined> {
  const c = action.container;
  switch (action.action) {
    case 'container-crash':
    case 'container-crash-loop':
      return { [key(c, 'exit-after')]: action.action === 'container-crash-loop' ? (action.after ?? '0s') : '0s', [key(c, 'exit-code')]: String(action.exitCode ?? 1) };
    case 'liveness-fail':
      return { [key(c, 'liveness-fail-after')]: action.after ?? '0s' };
    case 'readiness-fail':
      return { [key(c, 'readiness-fail-after')]: action.after ?? '0s' };
    case 'image-pull-fail':
      return { [key(c, 'image-pull')]: 'fail' };
    case 'slow-start':
      return { [key(c, 'startup-delay')]: action.delay };
    case 'clear-faults':
      return Object.fromEntries(FAULT_KEYS.map((k) => [key(c, k), undefined]));
  }
}

/** Applies set/remove changes; undefined when nothing would change. */
export function withAnnotations(annotations: Record<string, string> | undefined, changes: Record<string, string | undefined>): Record<string, string> | undefined {
  const next = { ...annotations };
  let changed = false;
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) {
      if (k in next) {
        delete next[k];
        changed = true;
      }
    } else if (next[k] !== v) {
      next[k] = v;
      changed = true;
    }
  }
  return changed ? next : undefined;
}

/** A Deployment's live (not terminating) pods, by name. */
export function deploymentPods(state: ClusterState, deployment: KubeObject): KubeObject[] {
  return ownedBy(state, deployment.metadata.uid!)
    .filter((o) => o.kind === 'ReplicaSet')
    .flatMap((rs) => ownedBy(state, rs.metadata.uid!))
    .filter((p) => p.kind === 'Pod' && !p.metadata.deletionTimestamp)
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}

/** The Deployment that (through its ReplicaSet) controls a pod, if any. */
export function owningDeployment(state: ClusterState, pod: KubeObject): KubeObject | undefined {
  const rsRef = pod.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'ReplicaSet');
  const rs = rsRef ? objectByUid(state, rsRef.uid) : undefined;
  const deploymentRef = rs?.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment');
  return deploymentRef ? objectByUid(state, deploymentRef.uid) : undefined;
}

/** The standing pod faults a Deployment passes on to the pods it creates. */
export function standingFaults(deployment: KubeObject): Record<string, string> {
  const faults: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployment.metadata.annotations ?? {})) {
    if (k.startsWith(SIM_PREFIX) && k !== CPU_LOAD_ANNOTATION) faults[k] = v;
  }
  return faults;
}

export function targetPods(state: ClusterState, target: PodTarget): { pods: KubeObject[]; deployment?: KubeObject; missing?: string } {
  const namespace = target.namespace ?? 'default';
  if (target.pod) {
    const pod = getObject(state, 'Pod', namespace, target.pod);
    return pod ? { pods: [pod] } : { pods: [], missing: `pod ${namespace}/${target.pod} not found` };
  }
  const deployment = getObject(state, 'Deployment', namespace, target.deployment!);
  if (!deployment) return { pods: [], missing: `deployment ${namespace}/${target.deployment} not found` };
  return { pods: deploymentPods(state, deployment), deployment };
}
