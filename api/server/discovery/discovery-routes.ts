import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGGREGATED_DISCOVERY_V2, apiGroupDiscoveryList, wantsAggregatedDiscovery } from './aggregated-discovery.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './legacy-discovery.ts';
import { isServed, servedGroups } from './group-versions.ts';
import type { ResourceType } from '../../../core/model/resource-type.ts';
import { servedResourceTypes } from '../../../projections/state/served-types.ts';
import type { ApiContext } from '../api-context.ts';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-orrery' };

/** Discovery: /version, /api, /apis, /apis/<group>; the per-group-version lists are served by the resource router. */
export function discoveryRoutes(app: FastifyInstance, context: ApiContext): void {
  const served = () => servedResourceTypes(context.cluster.state);
  app.get('/version', async () => ({
    ...KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  }));

  app.get('/api', async (request, reply) => {
    if (wantsAggregatedDiscovery(request.headers.accept)) return sendAggregated(reply, 'core', served());
    return sendJson(reply, apiVersions(serverAddress(request)));
  });
  app.get('/apis', async (request, reply) => {
    if (wantsAggregatedDiscovery(request.headers.accept)) return sendAggregated(reply, 'named', served());
    return sendJson(reply, apiGroupList(served()));
  });
  app.get('/apis/:group', async (request, reply) => {
    const { group } = request.params as { group: string };
    const found = servedGroups(served()).find((g) => g.name === group && g.name !== '');
    if (!found) return reply.callNotFound();
    return sendJson(reply, { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(found) });
  });
}

/** GET /api/v1 or /apis/<group>/<version>; undefined when that group/version is not served. */
export function groupVersionDiscovery(group: string, version: string, types?: readonly ResourceType[]) {
  return isServed(group, version, types) ? apiResourceList(group, version, types) : undefined;
}

function serverAddress(request: FastifyRequest): string {
  return request.headers.host ?? `${request.hostname}`;
}

function sendJson(reply: FastifyReply, body: unknown) {
  return reply.header('content-type', 'application/json').send(JSON.stringify(body));
}

function sendAggregated(reply: FastifyReply, which: 'core' | 'named', types: readonly ResourceType[]) {
  return reply.header('content-type', AGGREGATED_DISCOVERY_V2).header('vary', 'Accept').send(Buffer.from(JSON.stringify(apiGroupDiscoveryList(which, types))));
}
