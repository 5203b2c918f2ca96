import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrreryEvent } from '../core/events.ts';
import type { KubeObject } from '../core/model/object.ts';
import { createPrng, hashSeed } from '../core/prng.ts';
import type { EventStore } from '../core/store/event-store.ts';
import { createEmbeddedStore } from '../core/store/embedded/embedded-store.ts';
import { CURRENT_RECORD_FORMAT } from '../core/store/embedded/record-format.ts';
import type { ClusterState } from '../projections/cluster-state.ts';
import type { Command } from '../projections/commands.ts';
import { getObject, listObjects } from '../projections/state/queries.ts';
import { createClusterState } from '../projections/state/reducer.ts';
import { KUBELET_CONTROLLER_NAME } from '../projections/controllers/kubelet/kubelet-controller.ts';
import { createWritePath } from '../projections/write-path/write-path.ts';

/**
 * A realistic cluster history for the rebuild and startup benchmarks, written through the real write
 * path (so every event is one the system would write): nodes registering and heartbeating every 10 s
 * (one NodeHeartbeat naming every node per tick, as the kubelet controller writes it),
 * deployments whose pods are created, scheduled, started, become ready, and are replaced by a
 * rolling churn (graceful delete, container terminated, removed).
 */
export interface SyntheticLogOptions {
  events: number;
  nodes?: number;
  deployments?: number;
  replicas?: number;
  /** Pods replaced per 10-second tick. */
  churnPerTick?: number;
  onProgress?: (events: number) => void;
}

export const SYNTHETIC_DEFAULTS = { nodes: 1000, deployments: 200, replicas: 20, churnPerTick: 100 };
const T0 = Date.UTC(2026, 0, 1);
const TICK_MS = 10_000;

export async function writeSyntheticLog(store: EventStore, options: SyntheticLogOptions): Promise<ClusterState> {
  const { nodes, deployments, replicas, churnPerTick } = { ...SYNTHETIC_DEFAULTS, ...options };
  const state = createClusterState();
  let clock = T0;
  const writePath = createWritePath({ store, state, now: () => clock });
  const pending: Promise<unknown>[] = [];
  const run = async (command: Command) => {
    pending.push(writePath.execute(command));
    if (pending.length >= 2000) {
      await Promise.all(pending.splice(0));
      options.onProgress?.(state.position);
    }
  };
  const record = (actor: string, event: OrreryEvent) => run({ type: 'record', actor, event });
  const prng = createPrng(hashSeed('synthetic-cluster-log'));
  const nodeNames = Array.from({ length: nodes }, (_, i) => `node-${i + 1}`);

  await record('orrery', { type: 'ClusterInitialized', data: { seed: 1, startTime: T0, mode: 'simulation' } });
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await run({ type: 'create', actor: 'orrery', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  }
  for (const [i, name] of nodeNames.entries()) {
    await record(`kubelet/${name}`, { type: 'NodeRegistered', data: { node: nodeObject(name, i) } });
    await record(`kubelet/${name}`, { type: 'NodeConditionChanged', data: { node: name, condition: { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' } } });
  }

  const replicaSets: KubeObject[] = [];
  for (let d = 0; d < deployments; d++) {
    const name = `app-${d + 1}`;
    await run({ type: 'create', actor: 'user:admin', object: deploymentObject(name, replicas) });
    await Promise.all(pending.splice(0));
    const deployment = getObject(state, 'Deployment', 'default', name)!;
    await run({ type: 'create', actor: 'deployment-controller', object: replicaSetObject(deployment, replicas) });
    await Promise.all(pending.splice(0));
    replicaSets.push(getObject(state, 'ReplicaSet', 'default', `${name}-7d9f8b6c5d`)!);
  }

  let podCounter = 0;
  const startPod = async (rs: KubeObject) => {
    // A generated name can collide with a live pod's (AlreadyExists appends nothing); like the
    // ReplicaSet controller, try again: the next position draws another suffix.
    for (;;) {
      const before = state.position;
      const created = writePath.execute({ type: 'create', actor: 'replicaset-controller', object: podObject(rs) });
      if (state.position > before) {
        pending.push(created);
        break;
      }
      await created.catch(() => undefined);
      await record('clock', { type: 'ClockAdvanced', data: { time: clock } });
    }
    const pod = getObject(state, 'Pod', 'default', lastCreatedPodName(state))!;
    const ref = { kind: 'Pod', namespace: 'default', name: pod.metadata.name!, uid: pod.metadata.uid! };
    const node = nodeNames[prng.int(nodeNames.length)]!;
    const nodeIndex = nodeNames.indexOf(node);
    const kubelet = `kubelet/${node}`;
    await record('scheduler', { type: 'PodScheduled', data: { ref, nodeName: node, decision: { evaluated: 100, feasible: 100, verdicts: [], chosen: node, decidedBy: 'NodeResourcesBalancedAllocation' } } });
    const hostIP = nodeIp(nodeIndex);
    await record(kubelet, { type: 'PodPhaseChanged', data: { ref, phase: 'Pending', hostIP } });
    await record(kubelet, { type: 'ContainerStateChanged', data: { ref, container: 'app', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false, restartCount: 0 } });
    const startedAt = new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await record(kubelet, { type: 'ContainerStateChanged', data: { ref, container: 'app', state: { running: { startedAt } }, ready: true, started: true, restartCount: 0 } });
    podCounter++;
    await record(kubelet, { type: 'PodPhaseChanged', data: { ref, phase: 'Running', podIP: `10.${(podCounter >> 16) & 255}.${(podCounter >> 8) & 255}.${podCounter & 255}`, hostIP } });
  };
  const stopPod = async (pod: KubeObject) => {
    const ref = { kind: 'Pod', namespace: 'default', name: pod.metadata.name!, uid: pod.metadata.uid! };
    const kubelet = `kubelet/${pod.spec.nodeName as string}`;
    await run({ type: 'delete', actor: 'replicaset-controller', ref });
    const finishedAt = new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await record(kubelet, { type: 'ContainerStateChanged', data: { ref, container: 'app', state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt } }, ready: false, started: false, restartCount: 0 } });
    await run({ type: 'delete', actor: kubelet, ref, gracePeriodSeconds: 0 });
  };

  for (const rs of replicaSets) for (let r = 0; r < replicas; r++) await startPod(rs);

  while (state.position < options.events) {
    clock += TICK_MS;
    await record('clock', { type: 'ClockAdvanced', data: { time: clock } });
    // Like the kubelet controller (heartbeatSlots 1): every node's Lease renewal at this instant in one event.
    await record(KUBELET_CONTROLLER_NAME, { type: 'NodeHeartbeat', data: { nodes: nodeNames } });
    const pods = listObjects(state, 'Pod', 'default');
    for (let c = 0; c < churnPerTick && state.position < options.events; c++) {
      const victim = pods[prng.int(pods.length)]!;
      if (!getObject(state, 'Pod', 'default', victim.metadata.name!)) continue;
      const rs = replicaSets.find((r) => r.metadata.uid === victim.metadata.ownerReferences?.[0]?.uid)!;
      await stopPod(victim);
      await startPod(rs);
    }
    const picked = replicaSets[prng.int(replicaSets.length)]!;
    const rs = getObject(state, 'ReplicaSet', 'default', picked.metadata.name!)!;
    await run({ type: 'update', actor: 'replicaset-controller', subresource: 'status', object: { ...rs, status: { replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1, fullyLabeledReplicas: replicas, lastTick: clock } } });
  }
  await Promise.all(pending.splice(0));
  return state;

  function lastCreatedPodName(s: ClusterState): string {
    // The pod just created is the last ObjectCreated applied: its generated name is in the state's
    // newest Pod entry (Map insertion order).
    let last = '';
    for (const key of s.objects.get('Pod')!.keys()) last = key;
    return last.slice('default/'.length);
  }
}

/**
 * The 1M-event log in the embedded store, generated once per machine into the temp directory and
 * reused by later runs (a marker file records that generation finished).
 */
export async function cachedSyntheticLog(events: number, log: (line: string) => void = console.log): Promise<string> {
  // v2: one batched heartbeat per tick (v1 logs held one heartbeat event per node per tick); f<n>: the record format.
  const dir = join(tmpdir(), `orrery-bench-log-v2-f${CURRENT_RECORD_FORMAT}-${events}`);
  const marker = join(dir, 'complete.json');
  // The generator stops at the first command boundary past `events`, so the log holds a few more.
  if (existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).events >= events) return dir;
  rmSync(dir, { recursive: true, force: true });
  const store = await createEmbeddedStore(dir);
  const started = process.hrtime.bigint();
  let shown = 0;
  await writeSyntheticLog(store, {
    events,
    onProgress: (n) => {
      if (n - shown >= 100_000) {
        shown = n;
        log(`  generated ${n.toLocaleString('en')} events`);
      }
    },
  });
  const head = await store.head();
  await store.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  writeFileSync(marker, JSON.stringify({ events: head, seconds }));
  log(`  generated ${head.toLocaleString('en')} events through the write path in ${seconds.toFixed(1)} s`);
  return dir;
}

function nodeIp(index: number): string {
  return `10.0.${Math.floor((index + 1) / 250)}.${((index + 1) % 250) + 1}`;
}

function nodeObject(name: string, index: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${index % 3}` } },
    spec: { podCIDR: `10.244.${index % 256}.0/24` },
    status: {
      capacity: { cpu: '16', memory: '64Gi', pods: '110' },
      allocatable: { cpu: '16', memory: '64Gi', pods: '110' },
      addresses: [
        { type: 'InternalIP', address: nodeIp(index) },
        { type: 'Hostname', address: name },
      ],
      conditions: [],
    },
  };
}

function podTemplate(app: string) {
  return {
    metadata: { labels: { app, 'pod-template-hash': '7d9f8b6c5d' } },
    spec: { containers: [{ name: 'app', image: `registry.example.com/${app}:1.0`, ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
}

function deploymentObject(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate(name) },
  };
}

function replicaSetObject(deployment: KubeObject, replicas: number): KubeObject {
  const app = deployment.metadata.name!;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${app}-7d9f8b6c5d`,
      namespace: 'default',
      labels: { app, 'pod-template-hash': '7d9f8b6c5d' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: deployment.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas, selector: { matchLabels: { app, 'pod-template-hash': '7d9f8b6c5d' } }, template: podTemplate(app) },
  };
}

function podObject(rs: KubeObject): KubeObject {
  const template = rs.spec.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name}-`,
      namespace: 'default',
      labels: template.metadata.labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: template.spec,
  };
}
