/**
 * Simulated kubelet benchmark: a cluster of 5,000 simulated nodes (kubelet + node lifecycle
 * controllers) run through virtual minutes of Lease heartbeats, then pods bound straight to nodes
 * and run to Running. Reports wall time, log events per second and virtual-to-real speed.
 */
import { createSimulatedCluster } from '../projections/engine/simulated-cluster.ts';
import { createKubeletController } from '../projections/controllers/kubelet/kubelet-controller.ts';
import { createNodeLifecycleController } from '../projections/controllers/node-lifecycle/node-lifecycle-controller.ts';
import type { InMemoryStore } from '../core/store/in-memory-store.ts';
import { createInMemoryStore } from '../core/store/in-memory-store.ts';
import { formatRate, peakRssMiB, recordBenchmark, table } from './harness.ts';

const NODES = Number(process.env.BENCH_NODES ?? 5000); // wall-clock-ok (bench)
const VIRTUAL_MINUTES = Number(process.env.BENCH_MINUTES ?? 5); // wall-clock-ok (bench)
const PODS = Number(process.env.BENCH_PODS ?? 10000); // wall-clock-ok (bench)

const store: InMemoryStore = createInMemoryStore();
let started = performance.now();
const sim = await createSimulatedCluster({ store, nodes: NODES, controllers: [createKubeletController(), createNodeLifecycleController()] });
const bootSeconds = (performance.now() - started) / 1000;
const bootEvents = store.events().length;

started = performance.now();
await sim.run(VIRTUAL_MINUTES * 60_000);
const heartbeatSeconds = (performance.now() - started) / 1000;
const heartbeatEvents = store.events().length - bootEvents;

const beforePods = store.events().length;
started = performance.now();
for (let i = 0; i < PODS; i++) {
  await sim.writePath.execute({
    type: 'create',
    actor: 'user:bench',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, namespace: 'default' }, spec: { nodeName: `node-${(i % NODES) + 1}`, containers: [{ name: 'app', image: 'nginx' }] } },
  });
}
await sim.run(5_000);
const podSeconds = (performance.now() - started) / 1000;
const podEvents = store.events().length - beforePods;
const running = [...(sim.state.objects.get('Pod')?.values() ?? [])].filter((p) => p.status?.phase === 'Running').length;
if (running !== PODS) throw new Error(`only ${running}/${PODS} pods Running`);
await sim.close();

const rows = [
  ['register nodes (NodeRegistered + 4 conditions each)', bootEvents, bootSeconds.toFixed(2), formatRate(bootEvents / bootSeconds), '—'],
  [`${VIRTUAL_MINUTES} virtual min of heartbeats`, heartbeatEvents, heartbeatSeconds.toFixed(2), formatRate(heartbeatEvents / heartbeatSeconds), `${((VIRTUAL_MINUTES * 60) / heartbeatSeconds).toFixed(0)}×`],
  [`${PODS} pods created bound, run to Running`, podEvents, podSeconds.toFixed(2), formatRate(podEvents / podSeconds), '—'],
];
const markdown = `${NODES} simulated nodes, one kubelet controller and the node lifecycle controller, in-memory log, simulation mode.

${table(['phase', 'events', 'seconds', 'events/s', 'virtual/real'], rows)}

Peak RSS ${peakRssMiB().toFixed(0)} MiB.`;
console.log(markdown);
recordBenchmark('kubelet', 'Simulated kubelet: 5,000 nodes', markdown);
