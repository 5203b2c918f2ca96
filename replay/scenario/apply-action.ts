import type { KubeObject } from '../../core/model/object.ts';
import { isApiError } from '../../core/errors.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import type { SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { getObject, ownedBy, podsOnNode } from '../../projections/state/queries.ts';
import type { ScenarioAction } from './scenario.ts';

const USER = 'user:scenario';
const FAULT_INJECTOR = 'fault-injector';

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

function clone<T>(value: T): T {
  return structuredClone(value);
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
export async function applyScenarioAction(cluster: SimulatedCluster, action: ScenarioAction): Promise<ActionOutcome> {
  try {
    await perform(cluster, action);
    return {};
  } catch (error) {
    if (isApiError(error) || error instanceof ScenarioActionError) return { rejected: error.message };
    throw error;
  }
}

async function perform(cluster: SimulatedCluster, action: ScenarioAction): Promise<void> {
  const namespace = 'namespace' in action ? (action.namespace ?? 'default') : 'default';
  switch (action.action) {
    case 'apply': {
      const manifest = action.manifest;
      const existing = getObject(cluster.state, manifest.kind, manifest.metadata.namespace ?? (manifest.kind === 'Node' ? undefined : 'default'), manifest.metadata.name!);
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
      const deployment = mustGet(cluster, 'Deployment', namespace, action.deployment);
      const pods = ownedBy(cluster.state, deployment.metadata.uid!)
        .filter((o) => o.kind === 'ReplicaSet')
        .flatMap((rs) => ownedBy(cluster.state, rs.metadata.uid!))
        .filter((p) => p.kind === 'Pod' && !p.metadata.deletionTimestamp)
        .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
      if (pods.length === 0) return;
      const pod = pods[action.index % pods.length]!;
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
    case 'drain': {
      await perform(cluster, { action: 'cordon', node: action.node });
      // As `kubectl drain --ignore-daemonsets`: evict every pod but DaemonSet pods and mirror pods.
      for (const pod of podsOnNode(cluster.state, action.node)) {
        if (pod.metadata.deletionTimestamp) continue;
        if (pod.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet')) continue;
        if (pod.metadata.annotations?.['kubernetes.io/config.mirror']) continue;
        await cluster.act({ type: 'delete', actor: USER, ref: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name! } });
      }
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


