/**
 * Deployment + ReplicaSet controller benchmark over the built-in scheduler and simulated kubelet:
 * one Deployment of N replicas on 100 nodes is created and run until available, then rolled to a
 * new image (25% surge / 25% unavailable) until the rollout completes. Reports wall time and log
 * events per second for each phase.
 */
import { createSimulatedCluster } from '../projections/engine/simulated-cluster.ts';
import type { KubeObject } from '../core/model/object.ts';
import type { InMemoryStore } from '../core/store/in-memory-store.ts';
import { createInMemoryStore } from '../core/store/in-memory-store.ts';
import { formatRate, peakRssMiB, recordBenchmark, table } from './harness.ts';

const SIZES = (process.env.BENCH_REPLICAS ?? '100,1000,3000').split(',').map(Number); // wall-clock-ok (bench)
const NODES = 100;

function deployment(replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'web:v1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    },
  };
}

const rows: Array<Array<string | number>> = [];
for (const replicas of SIZES) {
  const store: InMemoryStore = createInMemoryStore();
  const sim = await createSimulatedCluster({ store, seed: 1, nodes: NODES });
  const status = () => sim.state.objects.get('Deployment')!.get('default/web')!.status ?? {};

  let before = store.events().length;
  let started = performance.now();
  await sim.apply([deployment(replicas)]);
  while ((status().availableReplicas ?? 0) < replicas) await sim.run(30_000);
  let seconds = (performance.now() - started) / 1000;
  let events = store.events().length - before;
  rows.push([replicas, 'create → all available', events, seconds.toFixed(2), formatRate(events / seconds)]);

  before = store.events().length;
  started = performance.now();
  const current = structuredClone(sim.state.objects.get('Deployment')!.get('default/web')!);
  delete current.status;
  current.spec.template.spec.containers[0].image = 'web:v2';
  await sim.act({ type: 'update', object: current });
  while (!((status().updatedReplicas ?? 0) === replicas && (status().replicas ?? 0) === replicas && (status().availableReplicas ?? 0) === replicas)) await sim.run(30_000);
  seconds = (performance.now() - started) / 1000;
  events = store.events().length - before;
  rows.push([replicas, 'rolling update → complete', events, seconds.toFixed(2), formatRate(events / seconds)]);
  await sim.close();
}

const markdown = `One Deployment on ${NODES} simulated nodes with every built-in controller (Deployment, ReplicaSet, scheduler, kubelet), in-memory log, simulation mode. Events include the nodes' heartbeats during the virtual time the rollout takes.

${table(['replicas', 'phase', 'events', 'seconds', 'events/s'], rows)}

Peak RSS ${peakRssMiB().toFixed(0)} MiB.`;
console.log(markdown);
recordBenchmark('workload-controllers', 'Deployment and ReplicaSet controllers: create and roll over', markdown);
