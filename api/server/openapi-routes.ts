import type { FastifyInstance } from 'fastify';
import { openApiV3Document, openApiV3Root } from '../openapi/documents.ts';
import { OPENAPI_V2_PROTOBUF, openApiV2Json, openApiV2Protobuf } from '../openapi/openapi-v2.ts';
import { groupVersionString, servedGroups } from './discovery/group-versions.ts';

function servedGroupVersions(): string[] {
  return servedGroups().flatMap((group) => group.versions.map((version) => groupVersionString(group.name, version)));
}

/**
 * /openapi/v3 (the index of per-group-version documents) and the documents themselves, which
 * kubectl uses for explain, apply's patch computation and field-validation support detection.
 * /openapi/v2 is a minimal document (api/openapi/openapi-v2.ts says why).
 */
export function openApiRoutes(app: FastifyInstance): void {
  // Building every group-version document takes a few seconds once per process: do it as soon as
  // the server listens rather than inside a client's first request.
  app.addHook('onListen', async () => {
    setImmediate(() => openApiV3Root(servedGroupVersions()));
  });
  app.get('/openapi/v2', async (request, reply) => {
    if ((request.headers.accept ?? '').includes(OPENAPI_V2_PROTOBUF)) return reply.header('content-type', OPENAPI_V2_PROTOBUF).send(openApiV2Protobuf);
    return reply.header('content-type', 'application/json').send(openApiV2Json);
  });
  app.get('/openapi/v3', async (_request, reply) => {
    return reply.header('content-type', 'application/json').send(JSON.stringify(openApiV3Root(servedGroupVersions())));
  });
  const documentHandler = async (groupVersion: string, reply: import('fastify').FastifyReply) => {
    if (!servedGroupVersions().includes(groupVersion)) return reply.callNotFound();
    return reply.header('content-type', 'application/json').header('cache-control', 'public, immutable').send(JSON.stringify(openApiV3Document(groupVersion)));
  };
  app.get('/openapi/v3/api/:version', async (request, reply) => documentHandler((request.params as { version: string }).version, reply));
  app.get('/openapi/v3/apis/:group/:version', async (request, reply) => {
    const { group, version } = request.params as { group: string; version: string };
    return documentHandler(`${group}/${version}`, reply);
  });
}
