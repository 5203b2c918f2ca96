import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Breakpoint } from '../service/breakpoints.ts';
import type { ForkRequest, OpenSource, ReplayService } from '../service/replay-service.ts';
import { BadRequestError, type EventQuery, type ReplaySession } from '../service/session.ts';
import { replayApiError } from './replay-errors.ts';
import { replayOpenApi } from './replay-openapi.ts';

export interface ReplayRoutesOptions {
  service: ReplayService;
  /** Largest recording `POST /replay/import` accepts, in bytes (default 1 GiB). */
  importLimit?: number;
}

type Params = Record<string, string>;
type Query = Record<string, string | undefined>;

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new BadRequestError(`${name} must be a whole number, not "${value}"`);
  return n;
}

function body<T>(request: FastifyRequest): T {
  const value = request.body;
  if (value === undefined || value === null || typeof value !== 'object') throw new BadRequestError('the request needs a JSON object body');
  return value as T;
}

/**
 * The replay HTTP API (docs/replay-api.md), as a Fastify plugin: register it with the prefix
 * `/replay`. Errors are metav1.Status objects, as everywhere else in the API.
 */
export async function replayRoutes(app: FastifyInstance, options: ReplayRoutesOptions): Promise<void> {
  const { service } = options;
  const session = (request: FastifyRequest): Promise<ReplaySession> => service.get((request.params as Params).id!);
  // Reads that scan the whole recording wait until a lazily opened one has loaded (background
  // loading keeps the server responsive; scanning unloaded blocks would block it for seconds).
  const loadedSession = async (request: FastifyRequest): Promise<ReplaySession> => {
    const found = await session(request);
    await found.timeline.loaded;
    return found;
  };

  app.setErrorHandler((error, _request, reply) => {
    const apiError = replayApiError(error);
    return reply.code(apiError.code).header('content-type', 'application/json').send(JSON.stringify(apiError.toStatus()));
  });
  // Our own body parsing, whatever the parent server does: JSON bodies, and recordings as bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, text === '' ? undefined : JSON.parse(text as string));
    } catch {
      done(new BadRequestError('the request body is not valid JSON'), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.importLimit ?? 2 ** 30 }, (_request, payload, done) => done(null, payload));

  app.post('/sessions', async (request, reply) => {
    const { source } = body<{ source: OpenSource }>(request);
    const opened = await service.open(source);
    return reply.code(201).send(opened.info());
  });
  app.get('/sessions', async () => ({ items: service.list().map((s) => s.info()) }));
  app.get('/sessions/:id', async (request) => (await session(request)).info());
  app.delete('/sessions/:id', async (request) => {
    service.delete((request.params as Params).id!);
    return { deleted: true };
  });

  app.post('/sessions/:id/seek', async (request) => (await session(request)).seek(body<{ position?: number; time?: string }>(request)));
  app.post('/sessions/:id/step', async (request) => {
    const { count, unit } = (request.body ?? {}) as { count?: number; unit?: 'event' | 'reconcile' };
    return (await (unit === 'reconcile' ? loadedSession : session)(request)).step(count ?? 1, unit ?? 'event');
  });
  app.post('/sessions/:id/run', async (request) => {
    const { direction, breakpoint } = body<{ direction: 'forward' | 'back'; breakpoint: Breakpoint }>(request);
    if (!breakpoint || typeof breakpoint !== 'object') throw new BadRequestError('run needs a breakpoint');
    return (await loadedSession(request)).run(direction ?? 'forward', breakpoint);
  });

  app.get('/sessions/:id/state', async (request) => (await session(request)).summary((request.query as Query).at));
  app.get('/sessions/:id/objects/:kind', async (request) => {
    const { kind } = request.params as Params;
    const query = request.query as Query;
    return { items: (await session(request)).objects(kind!, query.namespace, query.at) };
  });
  app.get('/sessions/:id/objects/:kind/:namespace/:name', async (request) => {
    const { kind, namespace, name } = request.params as Params;
    return (await session(request)).object(kind!, namespace, name!, (request.query as Query).at);
  });
  app.get('/sessions/:id/history/:kind/:namespace/:name', async (request) => {
    const { kind, namespace, name } = request.params as Params;
    return { items: (await loadedSession(request)).history(kind!, namespace, name!) };
  });
  app.get('/sessions/:id/events', async (request) => {
    const query = request.query as Query;
    const eventQuery: EventQuery = {};
    const from = optionalNumber(query.from, 'from');
    const limit = optionalNumber(query.limit, 'limit');
    if (from !== undefined) eventQuery.from = from;
    if (limit !== undefined) eventQuery.limit = limit;
    let filtered = false;
    for (const key of ['type', 'actor', 'kind', 'object', 'q'] as const) {
      if (!query[key]) continue;
      eventQuery[key] = query[key];
      filtered = true;
    }
    return (await (filtered ? loadedSession : session)(request)).events(eventQuery);
  });
  app.get('/sessions/:id/events/:position', async (request) => {
    const position = optionalNumber((request.params as Params).position, 'position')!;
    return (await session(request)).event(position);
  });
  app.get('/sessions/:id/density', async (request) => (await session(request)).density(optionalNumber((request.query as Query).buckets, 'buckets') ?? 200));
  app.get('/sessions/:id/markers', async (request) => (await session(request)).markers());
  app.get('/sessions/:id/invariant-failures', async (request) => (await session(request)).invariantFailures());
  app.get('/sessions/:id/diff', async (request) => {
    const { from, to } = request.query as Query;
    if (from === undefined || to === undefined) throw new BadRequestError('diff needs from= and to=');
    return (await session(request)).diff(from, to);
  });

  app.get('/sessions/:id/explain/event/:position', async (request) => {
    const position = optionalNumber((request.params as Params).position, 'position')!;
    return (await session(request)).explainEvent(position);
  });
  app.get('/sessions/:id/explain/pod/:namespace/:name', async (request) => {
    const { namespace, name } = request.params as Params;
    return (await loadedSession(request)).explainPod(namespace!, name!, (request.query as Query).at);
  });

  app.post('/sessions/:id/forks', async (request, reply) => {
    const fork = body<ForkRequest>(request);
    const branch = await service.fork(await loadedSession(request), fork);
    return reply.code(201).send(branch.info());
  });
  app.get('/sessions/:id/compare/:other', async (request) => {
    const left = await session(request);
    const right = await service.get((request.params as Params).other!);
    return service.compare(left, right, (request.query as Query).time);
  });
  app.post('/sessions/:id/verify', async (request) => service.verify(await loadedSession(request)));
  app.get('/sessions/:id/export', async (request, reply: FastifyReply) => {
    const current = await loadedSession(request);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${current.id}.orrec"`)
      .send(service.export(current));
  });
  app.post('/import', async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw new BadRequestError('send the exported recording as application/octet-stream');
    return reply.code(201).send(service.import(request.body).info());
  });
  app.get('/openapi.json', async () => replayOpenApi(app.prefix));
}
