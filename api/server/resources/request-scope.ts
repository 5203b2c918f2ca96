import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiErrors } from '../../../core/errors.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { Requester, ResourceType } from '../../../core/model/resource-type.ts';
import type { CommandMeta } from '../../../projections/commands.ts';
import type { ApiContext } from '../api-context.ts';
import { groupVersionString } from '../discovery/group-versions.ts';

export type Query = Record<string, string | undefined>;

/** One request aimed at a resource, resolved: the type, where it lives, and the query. */
export interface ResourceScope {
  context: ApiContext;
  request: FastifyRequest;
  reply: FastifyReply;
  type: ResourceType;
  group: string;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: Query;
}

export function queryOf(request: FastifyRequest): Query {
  const query: Query = {};
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    query[key] = Array.isArray(value) ? String(value[value.length - 1]) : value === undefined ? undefined : String(value);
  }
  return query;
}

/**
 * Objects as served at the requested group/version: converted by the registry entry's `convert`
 * when it has one (HorizontalPodAutoscaler v1/v2), else relabelled (alsoServedAs sharing one shape).
 */
export function servedAs<T extends KubeObject | undefined>(scope: Pick<ResourceScope, 'group' | 'version'> & { type?: ResourceType }, object: T): T {
  if (!object) return object;
  const apiVersion = groupVersionString(scope.group, scope.version);
  if (object.apiVersion === apiVersion) return object;
  if (scope.type?.convert && object.kind === scope.type.kind) return scope.type.convert(object, scope.version) as T;
  return { ...object, apiVersion } as T;
}

/** A written object in the version it is stored at (the registry's primary version of the group), converted when the type converts. */
export function storedAs(scope: Pick<ResourceScope, 'type' | 'group' | 'version'>, object: KubeObject): KubeObject {
  const apiVersion = groupVersionString(scope.type.group, scope.type.version);
  if (scope.type.convert && object.apiVersion && object.apiVersion !== apiVersion) return scope.type.convert(object, scope.type.version);
  return { ...object, apiVersion };
}

/** Who is writing, as the events' provenance. */
export function commandMeta(request: FastifyRequest): CommandMeta {
  const header = request.headers['x-orrery-correlation-id'];
  return { actor: `user:${userName(request)}`, correlationId: typeof header === 'string' && header ? header : randomUUID() };
}

/** Who a review answers for: the name events record, with the groups of a client that may do anything. */
export function requesterOf(request: FastifyRequest): Requester {
  return { username: userName(request), groups: ['system:masters', 'system:authenticated'] };
}

function userName(request: FastifyRequest): string {
  const agent = request.headers['user-agent'] ?? '';
  return agent.startsWith('kubectl') ? 'kubectl' : 'admin';
}

/** `?dryRun=All` (the only value Kubernetes accepts). */
export function isDryRun(query: Query): boolean {
  const value = query.dryRun;
  if (value === undefined || value === '') return false;
  if (value !== 'All') throw apiErrors.badRequest(`Invalid dry run value: ${value}; supported values: [All]`);
  return true;
}

/** fieldManager from the query, else the user agent's program name, as the apiserver defaults it. */
export function fieldManagerOf(scope: Pick<ResourceScope, 'query' | 'request'>): string {
  const explicit = scope.query.fieldManager;
  if (explicit) {
    if (explicit.length > 128) throw apiErrors.badRequest('fieldManager: Too long: may not be longer than 128');
    return explicit;
  }
  const agent = scope.request.headers['user-agent'] ?? 'unknown';
  return agent.split('/')[0] || 'unknown';
}

export function sendJson(reply: FastifyReply, code: number, body: unknown): FastifyReply {
  return reply.code(code).header('content-type', 'application/json').send(JSON.stringify(body));
}
