import type { FastifyInstance } from 'fastify';
import { openApiV3Document, openApiV3Root } from '../openapi/documents.ts';
import { OPENAPI_V2_PROTOBUF, openApiV2Json, openApiV2Protobuf } from '../openapi/openapi-v2.ts';
import { groupVersionString, servedGroups } from './discovery/group-versions.ts';
import { allResourceTypes } from '../../core/model/registry.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { customResourceTypes, servedResourceTypes } from '../../projections/state/served-types.ts';
import type { ApiContext } from './api-context.ts';

function servedGroupVersions(types?: readonly ResourceType[]): string[] {
  return servedGroups(types).flatMap((group) => group.versions.map((version) => groupVersionString(group.name, version)));
}

/**
 * The types a group-version's document is built from: the built-ins' documents are built once
 * per process; a group-version a CustomResourceDefinition serves is built from the definitions
 * (again whenever they change).
 */
function typesFor(state: ClusterState): (groupVersion: string) => readonly ResourceType[] {
  return (groupVersion) => {
    const custom = customResourceTypes(state);
    if (custom.length === 0) return allResourceTypes();
    const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
    const customHere = custom.some((type) => type.group === group && (type.version === version || type.alsoServedAs?.includes(version!)));
    return customHere ? servedResourceTypes(state) : allResourceTypes();
  };
}

/**
 * /openapi/v3 (the index of per-group-version documents) and the documents themselves, which
 * kubectl uses for explain, apply's patch computation and field-validation support detection.
 * /openapi/v2 is a minimal document (api/openapi/openapi-v2.ts says why).
 */
export function openApiRoutes(app: FastifyInstance, context: ApiContext): void {
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
    const state = context.cluster.state;
    return reply.header('content-type', 'application/json').send(JSON.stringify(openApiV3Root(servedGroupVersions(servedResourceTypes(state)), typesFor(state))));
  });
  const documentHandler = async (groupVersion: string, reply: import('fastify').FastifyReply) => {
    const state = context.cluster.state;
    if (!servedGroupVersions(servedResourceTypes(state)).includes(groupVersion)) return reply.callNotFound();
    const document = openApiV3Document(groupVersion, typesFor(state)(groupVersion));
    return reply.header('content-type', 'application/json').header('cache-control', 'public, immutable').send(JSON.stringify(document));
  };
  app.get('/openapi/v3/api/:version', async (request, reply) => documentHandler((request.params as { version: string }).version, reply));
  app.get('/openapi/v3/apis/:group/:version', async (request, reply) => {
    const { group, version } = request.params as { group: string; version: string };
    return documentHandler(`${group}/${version}`, reply);
  });
}
