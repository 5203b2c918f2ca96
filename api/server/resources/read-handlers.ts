import { apiErrors } from '../../../core/errors.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { type ObjectFilter, objectMatches, parseFieldSelectorParam, parseLabelSelectorParam } from '../selectors.ts';
import { includeObjectOf, toTable, wantsTable } from '../table.ts';
import { groupVersionString } from '../discovery/group-versions.ts';
import { eventsCaughtUp, readViewFor } from './object-source.ts';
import { type ResourceScope, sendJson, servedAs } from './request-scope.ts';

export function notFoundFor(scope: Pick<ResourceScope, 'type'>, name: string) {
  return apiErrors.notFound(scope.type.plural, name, scope.type.group || undefined);
}

/** GET one object (or a one-row Table when kubectl asks for one). */
export async function getObjectHandler(scope: ResourceScope) {
  if (scope.type.kind === 'Event') await eventsCaughtUp(scope.context);
  const view = await readViewFor(scope.context, scope.query, true);
  const object = view.get(scope.type, scope.namespace, scope.name!);
  if (!object) throw notFoundFor(scope, scope.name!);
  const served = servedAs(scope, object);
  const table = wantsTable(scope.request.headers.accept);
  if (table) {
    return sendJson(scope.reply, 200, toTable(scope.type, [served], { version: table, context: { now: scope.context.now() }, include: includeObjectOf(scope.query.includeObject), resourceVersion: view.resourceVersion }));
  }
  return sendJson(scope.reply, 200, served);
}

export function filterOf(scope: ResourceScope): ObjectFilter {
  const filter: ObjectFilter = {};
  if (scope.namespace !== undefined && scope.type.namespaced) filter.namespace = scope.namespace;
  const labels = parseLabelSelectorParam(scope.query.labelSelector);
  if (labels) filter.labels = labels;
  const fields = parseFieldSelectorParam(scope.query.fieldSelector, scope.type);
  if (fields) filter.fields = fields;
  return filter;
}

interface ContinueToken {
  rv: string;
  start: string;
}

function decodeContinue(token: string): ContinueToken {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof value.rv === 'string' && typeof value.start === 'string') return value;
  } catch {
    // fall through
  }
  throw apiErrors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** LIST with selectors and paging, as a typed list or a Table. */
export async function listHandler(scope: ResourceScope) {
  if (scope.type.kind === 'Event') await eventsCaughtUp(scope.context);
  const filter = filterOf(scope);
  const limit = scope.query.limit ? Number(scope.query.limit) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw apiErrors.badRequest(`limit: Invalid value: ${scope.query.limit}`);
  let after: string | undefined;
  let query = scope.query;
  if (scope.query.continue) {
    const token = decodeContinue(scope.query.continue);
    after = token.start;
    // A continued list reads the same snapshot its first page did.
    query = { ...scope.query, resourceVersion: token.rv, resourceVersionMatch: 'Exact' };
  }
  const view = await readViewFor(scope.context, query, false);
  const items: KubeObject[] = [];
  let continueToken: string | undefined;
  let remaining = 0;
  for (const { key, object } of view.list(scope.type, filter.namespace)) {
    if (after !== undefined && key <= after) continue;
    if (!objectMatches(object, filter)) continue;
    if (limit > 0 && items.length >= limit) {
      remaining++;
      continue;
    }
    items.push(servedAs(scope, object));
    if (limit > 0 && items.length === limit) continueToken = Buffer.from(JSON.stringify({ rv: view.resourceVersion, start: key })).toString('base64url');
  }
  if (remaining === 0) continueToken = undefined;
  const table = wantsTable(scope.request.headers.accept);
  if (table) {
    return sendJson(scope.reply, 200, toTable(scope.type, items, { version: table, context: { now: scope.context.now() }, include: includeObjectOf(scope.query.includeObject), resourceVersion: view.resourceVersion, ...(continueToken ? { continueToken } : {}) }));
  }
  const metadata: Record<string, unknown> = { resourceVersion: view.resourceVersion };
  if (continueToken) {
    metadata.continue = continueToken;
    metadata.remainingItemCount = remaining;
  }
  return sendJson(scope.reply, 200, { kind: `${scope.type.kind}List`, apiVersion: groupVersionString(scope.group, scope.version), metadata, items });
}

