import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiContext } from './api-context.ts';
import { bearerAuthPlugin } from './bearer-auth.ts';
import { type ApiServerOptions, DEFAULT_BODY_LIMIT } from './cluster-backend.ts';
import { discoveryRoutes } from './discovery/discovery-routes.ts';
import { openApiRoutes } from './openapi-routes.ts';
import { createApiMetrics } from './prometheus/api-metrics.ts';
import { metricsRoute } from './prometheus/metrics-route.ts';
import { createServiceAccountTokens, serviceAccountIssuerRoutes } from './service-account-tokens.ts';
import { rawBodyPlugin } from './request-body.ts';
import { resourceRoutes } from './resources/resource-router.ts';
import { createStateHistory } from './state-at.ts';
import { statusErrorsPlugin } from './status-errors.ts';
import { createWatchHub } from './watch/watch-hub.ts';
import { atRoutes } from '../../replay/http/at-routes.ts';
import { replayRoutes } from '../../replay/http/replay-routes.ts';
import { positionAtTime } from '../../replay/service/position-at-time.ts';
import { ReplayService } from '../../replay/service/replay-service.ts';
import { uiPlugin } from '../../replay/ui/ui-plugin.ts';

/**
 * The Kubernetes-compatible HTTP API over a cluster (store, live state, write path). Routes are
 * registered in plain functions, one concern per file; the watch hub is closed with the server.
 */
export function createApiServer(options: ApiServerOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    logger: options.logLevel ? { level: options.logLevel } : false,
    bodyLimit,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // Watches are long-lived; Kubernetes clients time them out themselves.
    requestTimeout: 0,
    connectionTimeout: 0,
    // Closing the server ends open watches rather than waiting for their clients.
    forceCloseConnections: true,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  const { cluster } = options;
  const history = createStateHistory(cluster.store, () => cluster.state.position);
  const hub = createWatchHub(cluster.store, history, { startFrom: cluster.state });
  const context: ApiContext = {
    cluster,
    hub,
    history,
    // wall-clock-ok: the API measures ages in server mode against wall time, as kubectl expects.
    now: options.now ?? (() => (cluster.state.mode === 'server' ? Date.now() : cluster.state.time)),
  };
  if (options.metrics !== false) context.metrics = createApiMetrics({ cluster, hub, ...(options.appendCounts ? { appends: options.appendCounts } : {}) });
  // The past (/at/<position>) is read-only: it issues no tokens, nor counts requests.
  if (!options.readOnly) context.tokens = createServiceAccountTokens();
  app.decorate('orrery', context);
  statusErrorsPlugin(app, bodyLimit);
  bearerAuthPlugin(app, options.token);
  rawBodyPlugin(app);
  discoveryRoutes(app, context);
  openApiRoutes(app, context);
  resourceRoutes(app, context);
  if (context.metrics) metricsRoute(app, context.metrics);
  if (context.tokens) serviceAccountIssuerRoutes(app, context.tokens);
  // The replay API (docs/replay-api.md) over this server's log, and the Kubernetes API in the past.
  void app.register(replayRoutes, {
    prefix: '/replay',
    service: new ReplayService({ liveStore: cluster.store, liveState: () => cluster.state, ...(options.invariants ? { invariants: options.invariants } : {}) }),
  });
  void app.register(uiPlugin);
  void app.register(atRoutes, {
    createApp: (past, now) => createApiServer({ cluster: past, now, metrics: false, readOnly: true }),
    stateAt: (position) => history.stateAt(position),
    head: () => cluster.state.position,
    positionAtTime: (time) => positionAtTime(cluster.store, time, cluster.state.position),
  });
  app.get('/healthz', async () => 'ok');
  app.get('/readyz', async () => 'ok');
  app.get('/livez', async () => 'ok');
  app.addHook('onClose', async () => hub.close());
  return app;
}

/** The server's shared pieces (watch hub, state history), for embedding and benchmarks. */
export function apiContextOf(app: FastifyInstance): ApiContext {
  return (app as unknown as { orrery: ApiContext }).orrery;
}

export type { ApiServerOptions };
