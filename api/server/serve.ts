import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../../core/store/event-store.ts';
import { type EmbeddedStore, createEmbeddedStore } from '../../core/store/embedded/embedded-store.ts';
import type { DefaultControllerOptions } from '../../projections/engine/default-controllers.ts';
import { type SimulatedCluster, createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { pruneSnapshots, restoreState, writeSnapshot } from '../../projections/state/snapshot-files.ts';
import type { ApiServerOptions } from './cluster-backend.ts';
import { createApiServer } from './create-api-server.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { countingStore } from './prometheus/counting-store.ts';

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Directory of the embedded log (default `./.orrery/data`); `dataDir` is accepted too. */
  data?: string;
  dataDir?: string;
  /** `esdb://…` to use EventStoreDB instead of the embedded log. */
  store?: string;
  nodes?: number;
  seed?: number;
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Where to write the kubeconfig; default next to the data directory (`.orrery/kubeconfig`). */
  kubeconfig?: string;
  logLevel?: string;
  /** Print nothing (tests). */
  quiet?: boolean;
  /** Options for the built-in controllers (e.g. a shorter kubelet startup delay in tests). */
  controllerOptions?: DefaultControllerOptions;
  /** Install SIGINT/SIGTERM handlers (default true). */
  handleSignals?: boolean;
  /** Invariants for the replay service's 'invariant' breakpoint. */
  invariants?: ApiServerOptions['invariants'];
  /** How the embedded log makes appends durable (EmbeddedStoreOptions.sync; default O_DSYNC). */
  sync?: 'fdatasync' | 'o_dsync';
}

export interface RunningServer {
  app: FastifyInstance;
  cluster: SimulatedCluster;
  url: string;
  kubeconfigPath: string;
  close(): Promise<void>;
}

async function openStore(options: ServeOptions, dataDir: string): Promise<{ store: EventStore; embedded: boolean }> {
  if (options.store?.startsWith('esdb://')) {
    const { createEsdbStore } = await import('../../core/store/esdb/esdb-store.ts');
    return { store: await createEsdbStore(options.store), embedded: false };
  }
  const store = await createEmbeddedStore(dataDir, options.sync ? { sync: options.sync } : {});
  const report = store.openReport;
  if (report.truncatedBytes > 0 && !options.quiet) {
    console.warn(
      `orrery: cut a torn tail of ${report.truncatedBytes} bytes off ${report.file} at offset ${report.atOffset} (${report.reason ?? 'an append that was never acknowledged'}); ${report.events} events kept`,
    );
  }
  return { store, embedded: true };
}

/** A snapshot every this many events keeps restarts and replay seeks fast. */
const SNAPSHOT_EVERY = 100_000;

/**
 * `orrery serve`: opens the log (embedded at the data directory, or EventStoreDB), starts the
 * simulated cluster in server mode (N nodes on first start; a later start resumes the same log),
 * serves the Kubernetes API on 127.0.0.1, and writes a kubeconfig for kubectl.
 */
export async function runServe(options: ServeOptions = {}): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir ?? options.data ?? '.orrery/data');
  const host = options.host ?? '127.0.0.1';
  const opened = await openStore(options, dataDir);
  // Appends are counted for /metrics: the cluster's write path appends through the wrapper.
  const { store, counts: appendCounts } = countingStore(opened.store);
  const embedded = opened.embedded;
  const restored = embedded ? await restoreState(store, dataDir) : undefined;
  const cluster = await createSimulatedCluster({
    store,
    ...(restored ? { state: restored.state } : {}),
    mode: 'server',
    nodes: options.nodes ?? 3,
    seed: options.seed ?? 1,
    ...(options.controllerOptions ? { controllerOptions: options.controllerOptions } : {}),
    // wall-clock-ok: server mode follows wall time.
    wallClock: () => Date.now(),
  });
  cluster.engine.start();

  const token = options.tokenFile ? (await readFile(options.tokenFile, 'utf8')).trim() : undefined;
  const tls = options.tlsCert && options.tlsKey ? { cert: await readFile(options.tlsCert), key: await readFile(options.tlsKey) } : undefined;
  const app = createApiServer({
    cluster,
    ...(token ? { token } : {}),
    ...(tls ? { tls } : {}),
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.invariants ? { invariants: options.invariants } : {}),
    appendCounts,
  });
  await app.listen({ port: options.port ?? 6443, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 6443;
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfigPath = resolve(options.kubeconfig ?? join(options.store?.startsWith('esdb://') ? '.orrery' : dirname(dataDir), 'kubeconfig'));
  await writeKubeconfig(kubeconfigPath, { server: url, ...(token ? { token } : {}), ...(tls ? { caCertificate: tls.cert } : {}) });

  if (!options.quiet) {
    console.log(`orrery: serving the Kubernetes API at ${url} (${cluster.state.objects.get('Node')?.size ?? 0} nodes, log at ${options.store ?? dataDir})`);
    console.log(`  kubectl --kubeconfig ${kubeconfigPath} get nodes`);
    console.log(`  debugger UI: ${url}/ui`);
  }

  // Snapshots are written only from durable state: after shutdown, and periodically once the
  // in-flight appends have settled (loading skips any snapshot past the log's head anyway).
  let snapshotAt = restored?.snapshotPosition ?? 0;
  const snapshot = () => {
    if (!embedded || cluster.state.position - snapshotAt < 1) return;
    writeSnapshot(dataDir, cluster.state);
    pruneSnapshots(dataDir, 2);
    // The log's index checkpoint lets the next open skip scanning what the snapshot covers.
    if ('checkpointIndex' in store) (store as EmbeddedStore).checkpointIndex();
    snapshotAt = cluster.state.position;
  };
  const snapshotTimer = setInterval(() => {
    if (cluster.state.position - snapshotAt >= SNAPSHOT_EVERY) void store.head().then((head) => head >= cluster.state.position && snapshot());
  }, 30_000);
  snapshotTimer.unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(snapshotTimer);
      await app.close();
      await cluster.engine.stop();
      snapshot();
      await cluster.close();
    })());
  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (!options.quiet) console.log(`orrery: ${signal}, shutting down`);
      void close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return { app, cluster, url, kubeconfigPath, close };
}
