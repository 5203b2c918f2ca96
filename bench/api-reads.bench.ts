import type { StoredEvent } from '../core/events.ts';
import { createEmbeddedStore } from '../core/store/embedded/embedded-store.ts';
import { applyEvent, createClusterState } from '../projections/state/reducer.ts';
import { apiContextOf, createApiServer } from '../api/server/create-api-server.ts';
import { percentile, recordBenchmark, table } from './harness.ts';
import { cachedSyntheticLog } from './synthetic-cluster-log.ts';

/**
 * The Kubernetes API over a large log (bench/synthetic-cluster-log.ts; 1,000 nodes, 4,000 pods):
 * LIST latency as JSON and as kubectl's Table, the watch hub's startup (live at once, then a
 * background replay projecting recent Events and offering checkpoints), and exact reads of the past
 * (`resourceVersionMatch=Exact`) at random positions, which rebuild from the nearest checkpoint.
 * Requests go through fastify's inject (no sockets), so the figures are the server's own work.
 */
const EVENTS = Number(process.env.ORRERY_BENCH_EVENTS ?? 1_000_000);
const SAMPLES = 20;

console.log(`api-reads: preparing a ${EVENTS.toLocaleString('en')}-event log`);
const dir = await cachedSyntheticLog(EVENTS);
const store = await createEmbeddedStore(dir);
const state = createClusterState();
for await (const event of store.readAll(0)) applyEvent(state, event as StoredEvent);
const head = state.position;
const cluster = { store, state, writePath: { execute: async () => ({ events: [] }) } };

const hubStart = process.hrtime.bigint();
const app = createApiServer({ cluster });
await app.ready();
await apiContextOf(app).hub.reached(head);
const hubMs = Number(process.hrtime.bigint() - hubStart) / 1e6;
await apiContextOf(app).hub.backfilled;
const backfillMs = Number(process.hrtime.bigint() - hubStart) / 1e6;

async function time(url: string, headers: Record<string, string> = {}): Promise<number> {
  const start = process.hrtime.bigint();
  const response = await app.inject({ url, headers });
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 200)}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function sample(label: string, urls: () => string, headers?: Record<string, string>): Promise<Array<string | number>> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) times.push(await time(urls(), headers));
  times.sort((a, b) => a - b);
  return [label, percentile(times, 50).toFixed(1), percentile(times, 95).toFixed(1)];
}

const pods = state.objects.get('Pod')?.size ?? 0;
let seed = 12345;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const rows = [
  await sample(`LIST pods, all namespaces (${pods.toLocaleString('en')} pods), JSON`, () => '/api/v1/pods'),
  await sample('LIST pods, all namespaces, Table (kubectl get pods -A)', () => '/api/v1/pods', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' }),
  await sample('LIST pods, labelSelector, limit=500', () => '/api/v1/pods?labelSelector=app%3Ddeploy-7&limit=500'),
  await sample('GET one node', () => '/api/v1/nodes/node-1'),
  await sample('LIST pods Exact at a random past position', () => `/api/v1/pods?resourceVersion=${1 + Math.floor(random() * head)}&resourceVersionMatch=Exact&limit=1`),
];
recordBenchmark(
  'api-reads',
  'API reads over a large log',
  `${EVENTS.toLocaleString('en')}-event log (${pods.toLocaleString('en')} pods at the head). The watch hub is live ${(hubMs / 1000).toFixed(1)} s after the server is created (it starts from a copy of the live state); its background replay of the log before startup (the last hour's Events, a checkpoint every 10,000 events for exact reads) takes ${(backfillMs / 1000).toFixed(1)} s.\n\n${table(['request (fastify inject)', 'p50 ms', 'p95 ms'], rows)}`,
);
console.log(rows.map((r) => r.join('  ')).join('\n'));
console.log(`hub live after ${hubMs.toFixed(0)} ms, backfill done after ${backfillMs.toFixed(0)} ms`);
await app.close();
await store.close();
