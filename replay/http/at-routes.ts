import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, apiErrors } from '../../core/errors.ts';
import type { Position } from '../../core/events.ts';
import type { EventStore } from '../../core/store/event-store.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { createClusterState } from '../../projections/state/reducer.ts';
import { replayApiError } from './replay-errors.ts';

/** What the Kubernetes API needs of a cluster (api/server's ClusterBackend), read-only here. */
export interface ReadOnlyCluster {
  store: EventStore;
  readonly state: ClusterState;
  writePath: { execute(command: unknown): Promise<never> };
}

export interface AtRoutesOptions {
  /**
   * Builds the Kubernetes API over a cluster (the API server passes its own `createApiServer`):
   * replay may not import api/, so the API layer hands its factory in.
   */
  createApp(cluster: ReadOnlyCluster, now: () => number): FastifyInstance;
  /** The state just after `position` (the API server's exact-read history). */
  stateAt(position: Position): Promise<ClusterState>;
  head(): Position;
  positionAtTime(time: number): Promise<Position>;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * `/at/<position or RFC 3339 time>/...`: the read-only Kubernetes API (discovery, OpenAPI, get,
 * list, tables) over the cluster as it was at that point, so
 * `kubectl --server http://host:port/at/1234 get pods -o wide` shows the past. The request is
 * answered by a second API app whose cluster state is the past state of the request, with an
 * empty log behind it (no watches, no projected Events). Writes answer 405.
 */
export async function atRoutes(app: FastifyInstance, options: AtRoutesOptions): Promise<void> {
  // The past state of the request being answered. Requests take turns (a promise chain): an async
  // local would not survive fastify's inject, and reads of the past are quick.
  let past: ClusterState | undefined;
  let turn: Promise<unknown> = Promise.resolve();
  const readOnly = (): never => {
    throw apiErrors.methodNotAllowed('the past is read-only: this server serves the cluster as it was at /at/<position>');
  };
  const outsideRequests = createClusterState();
  const cluster: ReadOnlyCluster = {
    store: createInMemoryStore(),
    // Outside a request (the API app reads it once while it is built) the past is empty.
    get state() {
      return past ?? outsideRequests;
    },
    writePath: { execute: async () => readOnly() },
  };
  let inner: FastifyInstance | undefined;
  const innerApp = async () => {
    if (!inner) {
      inner = options.createApp(cluster, () => (past ?? outsideRequests).time);
      await inner.ready();
    }
    return inner;
  };
  app.addHook('onClose', async () => inner?.close());

  async function resolve(at: string): Promise<Position> {
    const decoded = decodeURIComponent(at);
    if (/^\d+$/.test(decoded)) {
      const position = Number(decoded);
      if (position > options.head()) {
        throw new ApiError(404, 'NotFound', `position ${position} is beyond the end of the log (${options.head()})`, {});
      }
      return position;
    }
    const time = Date.parse(decoded);
    if (Number.isNaN(time)) throw apiErrors.badRequest(`"${decoded}" is neither a log position nor an RFC 3339 time`);
    return options.positionAtTime(time);
  }

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { at } = request.params as { at: string };
    const prefix = `/at/${at}`;
    const path = request.url.slice(request.url.indexOf(prefix) + prefix.length) || '/';
    if (!READ_METHODS.has(request.method)) readOnly();
    const query = request.query as Record<string, string | undefined>;
    if (query.watch === 'true' || query.watch === '1') throw apiErrors.methodNotAllowed('watch is not served at a past position: the past does not change');
    const state = await options.stateAt(await resolve(at));
    const api = await innerApp();
    const headers = { ...request.headers };
    delete headers.host;
    delete headers['content-length'];
    const answer = turn.then(async () => {
      past = state;
      try {
        return await api.inject({ method: request.method as 'GET', url: path, headers });
      } finally {
        past = undefined;
      }
    });
    turn = answer.catch(() => undefined);
    const response = await answer;
    reply.code(response.statusCode);
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || ['content-length', 'transfer-encoding', 'connection', 'date', 'keep-alive'].includes(name)) continue;
      reply.header(name, value);
    }
    return reply.send(response.rawPayload);
  };

  app.setErrorHandler((error, _request, reply) => {
    const apiError = replayApiError(error);
    return reply.code(apiError.code).header('content-type', 'application/json').send(JSON.stringify(apiError.toStatus()));
  });
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/at/:at', handler });
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/at/:at/*', handler });
}
