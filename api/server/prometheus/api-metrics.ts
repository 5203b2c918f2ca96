import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, type HistogramConfiguration, Registry, collectDefaultMetrics } from 'prom-client';
import { customTypeForPlural, servedResourceTypes } from '../../../projections/state/served-types.ts';
import type { ClusterBackend } from '../cluster-backend.ts';
import { parseResourcePath } from '../resource-path.ts';
import type { WatchHub } from '../watch/watch-hub.ts';
import type { AppendCounts } from './counting-store.ts';
import { type RequestLabels, dryRunOf, scopeOf, verbOf } from './request-labels.ts';

/**
 * The API server's own metrics in Prometheus' text format (`GET /metrics`), kube-apiserver's names
 * where it has one. prom-client keeps the metrics and writes the exposition format; what a request
 * costs is kept off its path:
 *
 * - Per request, the route's `onResponse` hook resolves the request's series (a string key, a Map
 *   lookup) and adds 1 to its code's count and to its duration bucket: plain numbers. The
 *   prom-client metrics read those numbers when scraped (`collect`), so a request never hashes a
 *   label set. Watches and followed logs (long-running) are counted when they end, and are open
 *   in `apiserver_longrunning_requests` meanwhile.
 * - The cluster's size (objects per resource, nodes by readiness, pods by phase), the log's head
 *   and the state's position are read from the state when scraped.
 * - `process_*` and `nodejs_*` come from prom-client's default collectors, once per process.
 */
export interface ApiMetrics {
  /** Fastify `onResponse` hook for the resource routes. */
  onResponse(request: FastifyRequest, reply: FastifyReply, done: () => void): void;
  /**
   * A long-running request (watch, followed log) starts: it counts as open until `end` is called,
   * then as one request of its verb with code 200 and its whole duration. Its `onResponse` is ignored.
   */
  longRunning(request: FastifyRequest, reply: FastifyReply): () => void;
  /** The exposition, and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface ApiMetricsOptions {
  cluster: ClusterBackend;
  hub: WatchHub;
  /** Appends counted by the store the cluster writes to (`countingStore`), when it is wrapped. */
  appends?: AppendCounts;
}

/** kube-apiserver's buckets for apiserver_request_duration_seconds. */
export const REQUEST_DURATION_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

const COMPONENT = 'apiserver';
const REQUEST_LABEL_NAMES = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const LONG_RUNNING_LABEL_NAMES = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
const READY_STATUSES = ['True', 'False', 'Unknown'];

/** One label set of the request metrics, with its counts. */
interface Series {
  labels: RequestLabels & { component: string };
  /** The kind served (apiserver_registered_watchers is by kind). */
  kind: string;
  /** HTTP code → requests. */
  codes: Map<number, number>;
  /** Requests per duration bucket (not cumulative); the last slot is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
  /** Long-running requests open now; undefined until one has started. */
  open?: number;
}

/** The process-wide collectors (CPU, memory, event loop, GC): one set whatever the number of servers in the process. */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createApiMetrics(options: ApiMetricsOptions): ApiMetrics {
  const { cluster, hub, appends } = options;
  const series = new Map<string, Series>();
  const longRunningRequests = new WeakSet<FastifyRequest>();
  const lookup = (group: string, plural: string) => customTypeForPlural(cluster.state, group, plural);

  /** The series of a resource request, or undefined for any other path. */
  function seriesOf(request: FastifyRequest): Series | undefined {
    const path = parseResourcePath(request.url, lookup);
    if (path?.target !== 'resource') return undefined;
    const query = request.query as Record<string, string | string[] | undefined> | undefined;
    const resolved = {
      method: request.method,
      group: path.group,
      version: path.version,
      resource: path.type.plural,
      namespaced: path.type.namespaced,
      namespace: path.namespace,
      name: path.name,
      subresource: path.subresource,
      watch: lastValue(query?.watch),
      dryRun: lastValue(query?.dryRun),
      contentType: request.headers['content-type'],
    };
    const scope = scopeOf(resolved);
    const verb = verbOf(resolved, scope);
    const dryRun = dryRunOf(resolved.dryRun);
    const subresource = path.subresource ?? '';
    const key = `${verb} ${dryRun} ${path.group} ${path.version} ${resolved.resource} ${subresource} ${scope}`;
    let found = series.get(key);
    if (!found) {
      found = {
        labels: { verb, dry_run: dryRun, group: path.group, version: path.version, resource: resolved.resource, subresource, scope, component: COMPONENT },
        kind: path.type.kind,
        codes: new Map(),
        buckets: new Float64Array(REQUEST_DURATION_BUCKETS.length + 1),
        sum: 0,
        count: 0,
      };
      series.set(key, found);
    }
    return found;
  }

  function record(target: Series, code: number, seconds: number): void {
    target.codes.set(code, (target.codes.get(code) ?? 0) + 1);
    let bucket = 0;
    while (bucket < REQUEST_DURATION_BUCKETS.length && seconds > REQUEST_DURATION_BUCKETS[bucket]!) bucket++;
    target.buckets[bucket]!++;
    target.sum += seconds;
    target.count++;
  }

  const registry = new Registry();
  const registers = [registry];

  new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    labelNames: [...REQUEST_LABEL_NAMES, 'code'],
    registers,
    collect() {
      this.reset();
      for (const one of series.values()) for (const [code, count] of one.codes) this.inc({ ...one.labels, code: String(code) }, count);
    },
  });

  registry.registerMetric(
    new SeriesHistogram(() => series.values(), {
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: [...REQUEST_LABEL_NAMES],
      buckets: REQUEST_DURATION_BUCKETS,
      registers: [],
    }),
  );

  new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
    labelNames: [...LONG_RUNNING_LABEL_NAMES],
    registers,
    collect() {
      this.reset();
      for (const one of series.values()) {
        if (one.open === undefined) continue;
        const { dry_run: _dryRun, ...labels } = one.labels;
        this.set(labels, one.open);
      }
    },
  });

  new Gauge({
    name: 'apiserver_registered_watchers',
    help: 'Number of currently registered watchers for a given resources',
    labelNames: ['group', 'version', 'kind'],
    registers,
    collect() {
      this.reset();
      const byKind = new Map<string, { labels: { group: string; version: string; kind: string }; open: number }>();
      for (const one of series.values()) {
        if (one.open === undefined || one.labels.verb !== 'WATCH') continue;
        const key = `${one.labels.group} ${one.labels.version} ${one.kind}`;
        const entry = byKind.get(key) ?? { labels: { group: one.labels.group, version: one.labels.version, kind: one.kind }, open: 0 };
        entry.open += one.open;
        byKind.set(key, entry);
      }
      for (const { labels, open } of byKind.values()) this.set(labels, open);
    },
  });

  new Gauge({
    name: 'apiserver_storage_objects',
    help: 'Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.',
    labelNames: ['resource'],
    registers,
    collect() {
      this.reset();
      const state = cluster.state;
      for (const type of servedResourceTypes(state)) {
        if (type.answer || type.computed) continue;
        let count = state.objects.get(type.kind)?.size ?? 0;
        // core/v1 Events are mostly projected from the log by the watch hub, beside those clients create.
        if (type.kind === 'Event' && type.group === '') count += hub.kubeEvents.list().length;
        this.set({ resource: type.group ? `${type.plural}.${type.group}` : type.plural }, count);
      }
    },
  });

  new Gauge({
    name: 'orrery_log_head_position',
    help: 'Position of the last durable event in the log. Positions are dense from 1, so this is also the number of events in the log.',
    registers,
    async collect() {
      this.set(await cluster.store.head());
    },
  });

  new Gauge({
    name: 'orrery_state_position',
    help: 'Position of the last event applied to the live cluster state (it runs ahead of the log head while appends are on their way to disk).',
    registers,
    collect() {
      this.set(cluster.state.position);
    },
  });

  new Gauge({
    name: 'orrery_watch_hub_position',
    help: 'Position of the last durable event the watch hub has applied and fanned out to watches.',
    registers,
    collect() {
      this.set(hub.position());
    },
  });

  new Gauge({
    name: 'orrery_cluster_time_seconds',
    help: 'Virtual time of the cluster state (time of the last event applied), in seconds since the Unix epoch.',
    registers,
    collect() {
      this.set(cluster.state.time / 1000);
    },
  });

  new Gauge({
    name: 'orrery_cluster_nodes',
    help: 'Nodes in the cluster state, by the status of their Ready condition.',
    labelNames: ['ready'],
    registers,
    collect() {
      const counts = new Map(READY_STATUSES.map((status) => [status, 0]));
      for (const node of cluster.state.objects.get('Node')?.values() ?? []) {
        const conditions = (node.status?.conditions ?? []) as Array<{ type?: string; status?: string }>;
        const status = conditions.find((condition) => condition.type === 'Ready')?.status ?? 'Unknown';
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }
      for (const [ready, count] of counts) this.set({ ready }, count);
    },
  });

  new Gauge({
    name: 'orrery_cluster_pods',
    help: 'Pods in the cluster state, by phase.',
    labelNames: ['phase'],
    registers,
    collect() {
      const counts = new Map(POD_PHASES.map((phase) => [phase, 0]));
      for (const pod of cluster.state.objects.get('Pod')?.values() ?? []) {
        const phase = String(pod.status?.phase ?? 'Pending');
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      for (const [phase, count] of counts) this.set({ phase }, count);
    },
  });

  if (appends) {
    new Counter({
      name: 'orrery_log_appends_total',
      help: 'Appends to the log since the server started (one per command the write path executes), each of one or more events.',
      registers,
      collect() {
        this.reset();
        this.inc(appends.appends);
      },
    });
    new Counter({
      name: 'orrery_log_events_appended_total',
      help: 'Events appended to the log since the server started, by event type.',
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        for (const [type, count] of appends.byType) this.inc({ type }, count);
      },
    });
  }

  const exposition = Registry.merge([processMetrics(), registry]);

  return {
    onResponse(request, reply, done) {
      if (!longRunningRequests.has(request)) {
        const target = seriesOf(request);
        if (target) record(target, reply.statusCode, reply.elapsedTime / 1000);
      }
      done();
    },
    longRunning(request, reply) {
      const target = seriesOf(request);
      if (!target) return () => {};
      longRunningRequests.add(request);
      target.open = (target.open ?? 0) + 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        target.open!--;
        record(target, 200, reply.elapsedTime / 1000);
      };
    },
    async render() {
      return { contentType: exposition.contentType, body: await exposition.metrics() };
    },
  };
}

function lastValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/**
 * apiserver_request_duration_seconds: a prom-client Histogram whose values are the series' counts
 * (kept as plain numbers on the request path) rather than its own, in the shape prom-client's
 * registry writes out (`_bucket` with cumulative counts per `le`, `_sum`, `_count`).
 */
type HistogramValues = ReturnType<Histogram<string>['get']>;

class SeriesHistogram extends Histogram<string> {
  private readonly seriesName: string;
  private readonly seriesHelp: string;

  constructor(
    private readonly source: () => Iterable<Series>,
    configuration: HistogramConfiguration<string>,
  ) {
    super(configuration);
    this.seriesName = configuration.name;
    this.seriesHelp = configuration.help;
  }

  override async get(): HistogramValues {
    const bucket = `${this.seriesName}_bucket`;
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const one of this.source()) {
      let cumulative = 0;
      REQUEST_DURATION_BUCKETS.forEach((bound, index) => {
        cumulative += one.buckets[index]!;
        values.push({ labels: { ...one.labels, le: bound }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { ...one.labels, le: '+Inf' }, value: one.count, metricName: bucket });
      values.push({ labels: { ...one.labels }, value: one.sum, metricName: `${this.seriesName}_sum` });
      values.push({ labels: { ...one.labels }, value: one.count, metricName: `${this.seriesName}_count` });
    }
    // prom-client's typings give `type` as an enum; its registry writes the string it holds.
    return { name: this.seriesName, help: this.seriesHelp, type: 'histogram', values, aggregator: 'sum' } as unknown as Awaited<HistogramValues>;
  }

  /** What prom-client's registry formats (it prefers this to `get`): the same values. */
  async getForPromString(): HistogramValues {
    return this.get();
  }
}
