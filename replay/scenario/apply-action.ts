import type { KubeObject } from '../../core/model/object.ts';
import type { Command } from '../../projections/commands.ts';
import { isApiError } from '../../core/errors.ts';
import { parseDuration, toRfc3339 } from '../../core/virtual-clock.ts';
import type { SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { getObject, ownedBy } from '../../projections/state/queries.ts';
import { resourceTypeOfKind } from '../../projections/state/served-types.ts';
import { HEALTHY_NODE_CONDITIONS } from '../../projections/controllers/kubelet/node-conditions.ts';
import type { NodeCondition, Taint } from '../../core/events.ts';
import { drainPass, evictionCommands } from './drain.ts';
import { CPU_LOAD_ANNOTATION, FAULT_KEYS, RESTORE_PREFIX, SIM_PREFIX, type PodFaultAction, deploymentPods, faultAnnotations, isPodFault, targetPods, withAnnotations } from './pod-faults.ts';
import type { ScenarioAction } from './scenario.ts';
import { FAULT_INJECTOR, SCENARIO_USER as USER, type ScenarioDriver } from './scenario-driver.ts';
import { clonePlain } from '../../projections/write-path/clone-json.ts';

/** What the kubelet posts when a node is under pressure, with its wording. */
const PRESSURE_CONDITIONS: Record<string, NodeCondition> = {
  MemoryPressure: { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' },
  DiskPressure: { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' },
  PIDPressure: { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' },
};

/** What happened when an action was applied: `rejected` carries the API's refusal. */
export interface ActionOutcome {
  rejected?: string;
}

function mustGet(cluster: SimulatedCluster, kind: string, namespace: string | undefined, name: string): KubeObject {
  const object = getObject(cluster.state, kind, namespace, name);
  if (!object) throw new ScenarioActionError(`${kind.toLowerCase()} ${namespace ? `${namespace}/` : ''}${name} not found`);
  return object;
}

export class ScenarioActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioActionError';
  }
}

/** structuredClone's copy, several times faster for the plain data manifests and objects are. */
function clone<T>(value: T): T {
  return clonePlain(value);
}

async function updateDeployment(cluster: SimulatedCluster, namespace: string, name: string, change: (d: KubeObject) => void): Promise<void> {
  const deployment = clone(mustGet(cluster, 'Deployment', namespace, name));
  change(deployment);
  await cluster.act({ type: 'update', actor: USER, object: deployment });
}

/** The template a `kubectl rollout undo` would restore: the ReplicaSet with the given (or previous) revision. */
function undoTemplate(cluster: SimulatedCluster, deployment: KubeObject, toRevision?: number): KubeObject['spec'] | undefined {
  const revisions = ownedBy(cluster.state, deployment.metadata.uid!)
    .filter((o) => o.kind === 'ReplicaSet')
    .map((rs) => ({ rs, revision: Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) }))
    .sort((a, b) => b.revision - a.revision);
  const target = toRevision ? revisions.find((r) => r.revision === toRevision) : revisions[1];
  if (!target) return undefined;
  const template = clone(target.rs.spec.template);
  delete template.metadata?.labels?.['pod-template-hash'];
  return template;
}

/**
 * Applies one scenario action the way its real counterpart would: user actions as a user's API
 * writes (what kubectl sends), faults as the fault injector's events.
 */
export async function applyScenarioAction(cluster: SimulatedCluster, action: ScenarioAction, driver?: ScenarioDriver): Promise<ActionOutcome> {
  try {
    await perform(cluster, action, driver);
    return {};
  } catch (error) {
    if (isApiError(error) || error instanceof ScenarioActionError) return { rejected: error.message };
    throw error;
  }
}

async function perform(cluster: SimulatedCluster, action: ScenarioAction, driver?: ScenarioDriver): Promise<void> {
  if (isPodFault(action)) return injectPodFault(cluster, action);
  const namespace = 'namespace' in action ? (action.namespace ?? 'default') : 'default';
  switch (action.action) {
    case 'apply': {
      // As kubectl does, a namespaced object (custom kinds too) without a namespace goes to `default`.
      const manifest = clone(action.manifest);
      if (resourceTypeOfKind(cluster.state, manifest.kind)?.namespaced && !manifest.metadata.namespace) manifest.metadata.namespace = 'default';
      const existing = getObject(cluster.state, manifest.kind, manifest.metadata.namespace, manifest.metadata.name!);
      if (!existing) {
        await cluster.act({ type: 'create', actor: USER, object: clone(manifest) });
      } else {
        const next = { ...clone(manifest), metadata: { ...existing.metadata, ...clone(manifest.metadata), resourceVersion: existing.metadata.resourceVersion } };
        await cluster.act({ type: 'update', actor: USER, object: next });
      }
      return;
    }
    case 'delete':
      await cluster.act({ type: 'delete', actor: USER, ref: { kind: action.kind, ...(action.namespace ? { namespace: action.namespace } : {}), name: action.name } });
      return;
    case 'delete-pod': {
      const pods = deploymentPods(cluster.state, mustGet(cluster, 'Deployment', namespace, action.deployment));
      if (pods.length === 0) return;
      const pod = pods[(action.index ?? 0) % pods.length]!;
      await cluster.act({ type: 'delete', actor: USER, ref: { kind: 'Pod', namespace, name: pod.metadata.name! } });
      return;
    }
    case 'scale':
      return updateDeployment(cluster, namespace, action.deployment, (d) => {
        d.spec.replicas = action.replicas;
      });
    case 'set-image':
      return updateDeployment(cluster, namespace, action.deployment, (d) => {
        const containers = d.spec.template.spec.containers as Array<{ name: string; image: string }>;
        const target = action.container ? containers.find((c) => c.name === action.container) : containers[0];
        if (!target) throw new ScenarioActionError(`deployment ${action.deployment} has no container ${action.container}`);
        target.image = action.image;
      });
    case 'rollout-restart':
      return updateDeployment(cluster, namespace, action.deployment, (d) => {
        d.spec.template.metadata ??= {};
        d.spec.template.metadata.annotations = { ...d.spec.template.metadata.annotations, 'kubectl.kubernetes.io/restartedAt': toRfc3339(cluster.state.time) };
      });
    case 'rollout-undo': {
      const deployment = mustGet(cluster, 'Deployment', namespace, action.deployment);
      const template = undoTemplate(cluster, deployment, action.toRevision);
      if (!template) throw new ScenarioActionError(`no rollout history for deployment ${action.deployment}${action.toRevision ? ` revision ${action.toRevision}` : ''}`);
      return updateDeployment(cluster, namespace, action.deployment, (d) => {
        d.spec.template = template;
      });
    }
    case 'cordon':
    case 'uncordon': {
      const node = clone(mustGet(cluster, 'Node', undefined, action.node));
      node.spec = { ...node.spec, unschedulable: action.action === 'cordon' };
      if (action.action === 'uncordon') delete node.spec.unschedulable;
      await cluster.act({ type: 'update', actor: USER, object: node });
      return;
    }
    case 'taint':
    case 'untaint': {
      const node = clone(mustGet(cluster, 'Node', undefined, action.node));
      const existing = (node.spec?.taints as Taint[] | undefined) ?? [];
      // A taint replaces the one of the same key and effect (--overwrite); untaint removes the key's, of one effect when given.
      const removed = (taint: Taint) => taint.key === action.key && (action.effect === undefined || taint.effect === action.effect);
      const taints = existing.filter((taint) => !removed(taint));
      if (action.action === 'taint') taints.push({ key: action.key, ...(action.value ? { value: action.value } : {}), effect: action.effect });
      node.spec = { ...node.spec, taints };
      if (taints.length === 0) delete node.spec.taints;
      await cluster.act({ type: 'update', actor: USER, object: node });
      return;
    }
    case 'drain': {
      await perform(cluster, { action: 'cordon', node: action.node });
      // As `kubectl drain --ignore-daemonsets`: evict every pod but DaemonSet pods and mirror pods
      // through the Eviction API; what a PodDisruptionBudget refuses is retried every 5 s.
      const pass = drainPass(cluster.state, action.node);
      for (const pod of pass.evict) {
        await actTogether(cluster, evictionCommands(pod, USER));
      }
      if (pass.blocked.length > 0) {
        if (!driver) throw new ScenarioActionError(`cannot evict ${pass.blocked.map((b) => b.pod.metadata.name).join(', ')}: ${pass.blocked[0]!.reason}`);
        driver.continueDrain(action.node, cluster.state.time);
      }
      return;
    }
    case 'node-pressure':
    case 'node-pressure-clear': {
      mustGet(cluster, 'Node', undefined, action.node);
      const type = action.condition ?? 'MemoryPressure';
      const condition = action.action === 'node-pressure' ? PRESSURE_CONDITIONS[type]! : HEALTHY_NODE_CONDITIONS.find((c) => c.type === type)!;
      await cluster.act({ type: 'record', actor: FAULT_INJECTOR, event: { type: 'NodeConditionChanged', data: { node: action.node, condition: { ...condition } } } });
      return;
    }
    case 'load': {
      const deployment = clone(mustGet(cluster, 'Deployment', namespace, action.deployment));
      deployment.metadata.annotations = { ...deployment.metadata.annotations, [CPU_LOAD_ANNOTATION]: action.cpu };
      await cluster.act({ type: 'update', actor: FAULT_INJECTOR, object: deployment });
      return;
    }
    case 'node-crash':
    case 'node-partition':
      mustGet(cluster, 'Node', undefined, action.node);
      await cluster.act({
        type: 'record',
        actor: FAULT_INJECTOR,
        event: { type: 'KubeletStopped', data: { node: action.node, reason: action.action === 'node-crash' ? 'crash' : 'partition' } },
      });
      return;
    case 'node-recover':
      mustGet(cluster, 'Node', undefined, action.node);
      await cluster.act({ type: 'record', actor: FAULT_INJECTOR, event: { type: 'KubeletStarted', data: { node: action.node } } });
      return;
  }
}

/**
 * Commands that one API request makes (an eviction records PodEvicted and deletes the pod), written
 * before the controllers run again, as a re-run of the recording writes consecutive inputs
 * (replay/service/rerun.ts): a settle between them would let held or crashed controllers
 * (interleavings) catch up at a moment the log cannot show.
 */
async function actTogether(cluster: SimulatedCluster, commands: readonly Command[]): Promise<void> {
  for (const [i, command] of commands.entries()) {
    if (i === commands.length - 1) await cluster.act(command);
    else await cluster.writePath.execute(command);
  }
}

async function annotatePod(cluster: SimulatedCluster, pod: KubeObject, changes: Record<string, string | undefined>): Promise<void> {
  const current = getObject(cluster.state, 'Pod', pod.metadata.namespace, pod.metadata.name!);
  if (!current || current.metadata.uid !== pod.metadata.uid) return;
  const annotations = withAnnotations(current.metadata.annotations, changes);
  if (!annotations) return;
  const next = clone(current);
  next.metadata.annotations = annotations;
  if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
  await cluster.act({ type: 'update', actor: FAULT_INJECTOR, object: next });
}

function containerNames(pod: KubeObject, only?: string): string[] {
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: { name: string }) => c.name);
  return only ? names.filter((n) => n === only) : names;
}

/**
 * Container faults, as the fault injector's writes of the annotations the simulated kubelet
 * honours. A deployment target also records standing faults on the Deployment, which the scenario
 * driver copies onto every pod it creates later (a one-off crash is not standing).
 */
async function injectPodFault(cluster: SimulatedCluster, action: PodFaultAction): Promise<void> {
  const { pods, deployment, missing } = targetPods(cluster.state, action);
  if (missing) throw new ScenarioActionError(missing);
  if (action.container && pods.length > 0 && !pods.some((p) => containerNames(p, action.container).length > 0)) {
    throw new ScenarioActionError(`${action.pod ? `pod ${action.pod}` : `the pods of deployment ${action.deployment}`} have no container ${action.container}`);
  }
  if (action.action === 'container-crash') {
    for (const pod of pods) await crashOnce(cluster, pod, action);
    return;
  }
  const changes = faultAnnotations(action);
  if (deployment) {
    const updated = withAnnotations(deployment.metadata.annotations, changes);
    if (updated) {
      const next = clone(deployment);
      next.metadata.annotations = updated;
      await cluster.act({ type: 'update', actor: FAULT_INJECTOR, object: next });
    }
  }
  for (const pod of pods) await annotatePod(cluster, pod, podChanges(cluster.state.time, pod, action, changes));
}

/** Running time of each running target container (ms since it started). */
function runningFor(now: number, pod: KubeObject, only?: string): Map<string, number> {
  const statuses: Array<{ name: string; state?: { running?: { startedAt?: string } } }> = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const result = new Map<string, number>();
  for (const name of containerNames(pod, only)) {
    const startedAt = statuses.find((s) => s.name === name)?.state?.running?.startedAt;
    if (startedAt) result.set(name, now - Date.parse(startedAt));
  }
  return result;
}

/**
 * What one live pod gets. `clear-faults` without a container also clears per-container forms. A
 * probe failure on a running container starts now at the earliest: the kubelet reads
 * `*-fail-after` as time into the run, so a time already past would count probes that passed as
 * failed (an instant liveness kill; for readiness, "never ready" rather than "no longer ready").
 */
function podChanges(now: number, pod: KubeObject, action: PodFaultAction, changes: Record<string, string | undefined>): Record<string, string | undefined> {
  if (action.action === 'clear-faults' && !action.container) {
    const all = { ...changes };
    for (const key of Object.keys(pod.metadata.annotations ?? {})) {
      if (FAULT_KEYS.some((k) => key.startsWith(SIM_PREFIX) && key.endsWith(`.${k}`))) all[key] = undefined;
      if (key.startsWith(RESTORE_PREFIX)) all[key] = undefined;
    }
    return all;
  }
  if (action.action === 'readiness-fail' || action.action === 'liveness-fail') {
    const probe = action.action === 'readiness-fail' ? 'readiness' : 'liveness';
    const after = parseDuration(action.after ?? '0s');
    const perContainer: Record<string, string | undefined> = { ...changes };
    for (const [name, ran] of runningFor(now, pod, action.container)) {
      if (ran <= after) continue;
      perContainer[`${SIM_PREFIX}${name}.${probe}-fail-after`] = `${ran}ms`;
      // A killed container's next runs fail `after` into them again: the driver restores this then.
      if (probe === 'liveness') perContainer[`${RESTORE_PREFIX}${name}.liveness-fail-after`] = action.container ? (action.after ?? '0s') : '';
    }
    return perContainer;
  }
  return changes;
}

/**
 * One crash of each running target container: its run is made to end now (exit-after = how long
 * it has run), the kubelet records the exit and applies the restart policy, and the annotations
 * are put back as they were so the next run lasts.
 */
async function crashOnce(cluster: SimulatedCluster, pod: KubeObject, action: Extract<PodFaultAction, { action: 'container-crash' }>): Promise<void> {
  const now = cluster.state.time;
  const changes: Record<string, string | undefined> = {};
  const previous: Record<string, string | undefined> = {};
  let latest = 0;
  for (const [name, runTime] of runningFor(now, pod, action.container)) {
    // A container started this very instant crashes 1 ms in (an exit-after of 0 would crash every run).
    const ran = Math.max(1, runTime);
    latest = Math.max(latest, now - runTime + ran);
    for (const [key, value] of Object.entries({ 'exit-after': `${ran}ms`, 'exit-code': String(action.exitCode ?? 1) })) {
      const annotation = `${SIM_PREFIX}${name}.${key}`;
      changes[annotation] = value;
      previous[annotation] = pod.metadata.annotations?.[annotation];
    }
  }
  if (Object.keys(changes).length === 0) return;
  await annotatePod(cluster, pod, changes);
  await cluster.engine.runUntil(latest);
  await annotatePod(cluster, pod, previous);
}
