import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiErrors } from '../../../core/errors.ts';
import type { ApiContext } from '../api-context.ts';
import { groupVersionDiscovery } from '../discovery/discovery-routes.ts';
import { isWatchValue } from '../prometheus/request-labels.ts';
import { parseResourcePath } from '../resource-path.ts';
import { customTypeForPlural, servedResourceTypes } from '../../../projections/state/served-types.ts';
import { bindingHandler } from '../subresources/binding.ts';
import { evictionHandler } from '../subresources/eviction.ts';
import { podLogHandler } from '../subresources/pod-log.ts';
import { podStreamHandler } from '../subresources/pod-streams.ts';
import { getScaleHandler, writeScaleHandler } from '../subresources/scale.ts';
import { tokenRequestHandler } from '../subresources/token-request.ts';
import { watchHandler } from '../watch/watch-handler.ts';
import { patchHandler } from './patch-handler.ts';
import { addWarnings } from './field-validation.ts';
import { getObjectHandler, listHandler } from './read-handlers.ts';
import { type ResourceScope, queryOf, sendJson } from './request-scope.ts';
import { createHandler, deleteCollectionHandler, deleteHandler, updateHandler } from './write-handlers.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function methodNotAllowed(): never {
  throw apiErrors.methodNotAllowed('the server does not allow this method on the requested resource');
}

function requireVerb(scope: ResourceScope, verb: string): void {
  if (!scope.type.verbs.includes(verb)) methodNotAllowed();
}

/** Every path under /api/<v> and /apis/<g>/<v>: group-version discovery, objects, collections and subresources. */
export function resourceRoutes(app: FastifyInstance, context: ApiContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const state = context.cluster.state;
    const path = parseResourcePath(request.url, (group, plural) => customTypeForPlural(state, group, plural));
    if (!path) return reply.callNotFound();
    if (path.target === 'groupVersion') {
      if (request.method !== 'GET') methodNotAllowed();
      const list = groupVersionDiscovery(path.group, path.version, servedResourceTypes(state));
      if (!list) return reply.callNotFound();
      return sendJson(reply, 200, list);
    }
    if (path.target === 'unknown') return reply.callNotFound();
    const query = queryOf(request);
    const scope: ResourceScope = { context, request, reply, type: path.type, group: path.group, version: path.version, query };
    if (path.namespace !== undefined) scope.namespace = path.namespace;
    if (path.name !== undefined) scope.name = path.name;
    if (path.subresource !== undefined) scope.subresource = path.subresource;
    if (path.type.namespaced && path.namespace === undefined && path.name !== undefined) return reply.callNotFound();
    if (!path.type.namespaced && path.namespace !== undefined) return reply.callNotFound();
    const deprecation = path.type.deprecatedVersions?.[path.version];
    if (deprecation) addWarnings(scope, [deprecation]);
    return dispatch(scope, request.method);
  };
  // Counted for /metrics when the request ends (watches and followed logs count themselves when they end).
  const onResponse = context.metrics?.onResponse;
  for (const prefix of ['/api/*', '/apis/*']) app.route({ method: [...METHODS], url: prefix, handler, ...(onResponse ? { onResponse } : {}) });
}

async function dispatch(scope: ResourceScope, method: string) {
  const watch = isWatchValue(scope.query.watch);
  if (scope.subresource) return dispatchSubresource(scope, method);
  if (scope.name === undefined) {
    switch (method) {
      case 'GET':
        if (watch) {
          requireVerb(scope, 'watch');
          return watchHandler(scope);
        }
        requireVerb(scope, 'list');
        return listHandler(scope);
      case 'POST':
        requireVerb(scope, 'create');
        return createHandler(scope);
      case 'DELETE':
        requireVerb(scope, 'deletecollection');
        return deleteCollectionHandler(scope);
      default:
        return methodNotAllowed();
    }
  }
  switch (method) {
    case 'GET':
      if (watch) {
        requireVerb(scope, 'watch');
        return watchHandler(scope);
      }
      requireVerb(scope, 'get');
      return getObjectHandler(scope);
    case 'PUT':
      requireVerb(scope, 'update');
      return updateHandler(scope);
    case 'PATCH':
      requireVerb(scope, 'patch');
      return patchHandler(scope);
    case 'DELETE':
      requireVerb(scope, 'delete');
      return deleteHandler(scope);
    default:
      return methodNotAllowed();
  }
}

async function dispatchSubresource(scope: ResourceScope, method: string) {
  const subresource = scope.subresource!;
  if (!scope.type.subresources.includes(subresource)) return scope.reply.callNotFound();
  switch (subresource) {
    case 'status':
      if (method === 'GET') return getObjectHandler(scope);
      if (method === 'PUT') return updateHandler(scope, 'status');
      if (method === 'PATCH') return patchHandler(scope, 'status');
      return methodNotAllowed();
    case 'scale':
      if (method === 'GET') return getScaleHandler(scope);
      if (method === 'PUT' || method === 'PATCH') return writeScaleHandler(scope, method);
      return methodNotAllowed();
    case 'binding':
      if (method === 'POST') return bindingHandler(scope);
      return methodNotAllowed();
    case 'eviction':
      if (method === 'POST') return evictionHandler(scope);
      return methodNotAllowed();
    case 'log':
      if (method === 'GET') return podLogHandler(scope);
      return methodNotAllowed();
    case 'token':
      if (method === 'POST') return tokenRequestHandler(scope);
      return methodNotAllowed();
    case 'exec':
    case 'attach':
    case 'portforward':
      if (method === 'GET' || method === 'POST') return podStreamHandler(scope);
      return methodNotAllowed();
    default:
      return scope.reply.callNotFound();
  }
}
