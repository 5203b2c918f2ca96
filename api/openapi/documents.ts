import { createHash } from 'node:crypto';
import type { ResourceType } from '../../core/model/resource-type.ts';
import { refName, schemaCatalog, type GroupVersionKind, type Schema } from './component-schemas.ts';
import { schemaNameFor } from './schema-lookup.ts';
import { allResourceTypes } from '../../core/model/registry.ts';

/**
 * The `/openapi/v3` discovery document and the per-group-version documents, shaped like
 * kube-apiserver's. kubectl reads them for `explain` (it finds a kind's schema by its
 * `x-kubernetes-group-version-kind`) and to decide whether the server validates fields itself
 * (it looks for a `fieldValidation` parameter on the kind's PATCH operation; when present it
 * skips client-side schema validation and sends `fieldValidation=Strict`).
 */

type Parameter = Record<string, unknown>;

const queryParam = (name: string, description: string, schema: Schema = { type: 'string' }, extra: Parameter = {}): Parameter => ({
  name,
  in: 'query',
  description,
  schema,
  ...extra,
});

const params = {
  pretty: queryParam('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: queryParam(
    'dryRun',
    'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: queryParam(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.',
  ),
  patchFieldManager: queryParam(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch).',
  ),
  fieldValidation: queryParam(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
  ),
  force: queryParam(
    'force',
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
    { type: 'boolean' },
  ),
  name: (kind: string): Parameter => ({ name: 'name', in: 'path', description: `name of the ${kind}`, required: true, schema: { type: 'string', uniqueItems: true } }),
  namespace: { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } },
  list: [
    queryParam('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.', { type: 'boolean', uniqueItems: true }),
    queryParam('continue', 'The continue option should be set when retrieving more results from the server.', { type: 'string', uniqueItems: true }),
    queryParam('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.', { type: 'string', uniqueItems: true }),
    queryParam('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.', { type: 'string', uniqueItems: true }),
    queryParam('limit', 'limit is a maximum number of responses to return for a list call.', { type: 'integer', uniqueItems: true }),
    queryParam('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset', { type: 'string', uniqueItems: true }),
    queryParam('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset', { type: 'string', uniqueItems: true }),
    queryParam('sendInitialEvents', '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection.', { type: 'boolean', uniqueItems: true }),
    queryParam('timeoutSeconds', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.', { type: 'integer', uniqueItems: true }),
    queryParam('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.', { type: 'boolean', uniqueItems: true }),
  ],
  delete: [
    queryParam('gracePeriodSeconds', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.', { type: 'integer', uniqueItems: true }),
    queryParam('propagationPolicy', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.", { type: 'string', uniqueItems: true }),
    queryParam('orphanDependents', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.', { type: 'boolean', uniqueItems: true }),
  ],
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const WATCH_EVENT = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

function jsonContent(schemaName: string, types = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']): Schema {
  return Object.fromEntries(types.map((type) => [type, { schema: ref(schemaName) }]));
}

function responses(codes: Record<string, string>, schemaName: string): Schema {
  const result: Schema = {};
  const words: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  for (const code of Object.keys(codes)) result[code] = { description: words[code], content: jsonContent(codes[code] || schemaName) };
  result['401'] = { description: 'Unauthorized' };
  return result;
}

/** `apps` → `Apps`, `rbac.authorization.k8s.io` → `RbacAuthorization`, '' → `Core`. */
function operationGroup(group: string, version: string): string {
  const words = group === '' ? ['core'] : group.replace(/\.k8s\.io$/, '').split('.');
  return words.map((word) => word[0].toUpperCase() + word.slice(1)).join('') + version[0].toUpperCase() + version.slice(1);
}

interface KindInDocument {
  type: ResourceType;
  gvk: GroupVersionKind;
  schemaName: string;
  listSchemaName: string;
}

function buildPaths(groupVersion: string, kinds: KindInDocument[], extraSchemas: Map<string, Schema>): Schema {
  const paths: Schema = {};
  const root = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
  for (const { type, gvk, schemaName, listSchemaName } of kinds) {
    const verbs = new Set(type.verbs);
    const opGroup = operationGroup(gvk.group, gvk.version);
    const scope = type.namespaced ? 'Namespaced' : '';
    const tags = [opGroup.replace(/^(\w+?)(V\d\w*)$/, (_, g: string, v: string) => `${g.toLowerCase()}_${v.toLowerCase()}`)];
    const op = (action: string, id: string, description: string, extra: Schema): Schema => ({
      tags,
      description,
      operationId: id,
      ...extra,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    const collectionPath = type.namespaced ? `${root}/namespaces/{namespace}/${type.plural}` : `${root}/${type.plural}`;
    const itemPath = `${collectionPath}/{name}`;
    const scopeParams = type.namespaced ? [params.namespace] : [];

    const collection: Schema = { parameters: [...scopeParams, params.pretty] };
    if (verbs.has('list'))
      collection.get = op('list', `list${opGroup}${scope}${gvk.kind}`, `list or watch objects of kind ${gvk.kind}`, {
        parameters: params.list,
        responses: responses({ '200': listSchemaName }, listSchemaName),
      });
    if (verbs.has('create'))
      collection.post = op('post', `create${opGroup}${scope}${gvk.kind}`, `create ${article(gvk.kind)} ${gvk.kind}`, {
        parameters: [params.dryRun, params.fieldManager, params.fieldValidation],
        requestBody: { content: { '*/*': { schema: ref(schemaName) } }, required: true },
        responses: responses({ '200': schemaName, '201': schemaName, '202': schemaName }, schemaName),
      });
    if (verbs.has('deletecollection'))
      collection.delete = op('deletecollection', `delete${opGroup}Collection${scope}${gvk.kind}`, `delete collection of ${gvk.kind}`, {
        parameters: [params.dryRun, ...params.delete, ...params.list.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
        requestBody: { content: { '*/*': { schema: ref(DELETE_OPTIONS) } } },
        responses: responses({ '200': STATUS }, STATUS),
      });
    if (Object.keys(collection).length > 1) paths[collectionPath] = collection;

    const item: Schema = { parameters: [params.name(gvk.kind), ...scopeParams, params.pretty] };
    const itemOps = itemOperations(op, opGroup, `${scope}${gvk.kind}`, gvk.kind, schemaName, verbs, '');
    Object.assign(item, itemOps);
    if (verbs.has('delete'))
      item.delete = op('delete', `delete${opGroup}${scope}${gvk.kind}`, `delete ${article(gvk.kind)} ${gvk.kind}`, {
        parameters: [params.dryRun, ...params.delete],
        requestBody: { content: { '*/*': { schema: ref(DELETE_OPTIONS) } } },
        responses: responses({ '200': STATUS, '202': STATUS }, STATUS),
      });
    if (Object.keys(item).length > 1) paths[itemPath] = item;

    for (const subresource of type.subresources) {
      const subPath = `${itemPath}/${subresource}`;
      if (subresource === 'status') {
        paths[subPath] = { parameters: item.parameters, ...itemOperations(op, opGroup, `${scope}${gvk.kind}Status`, gvk.kind, schemaName, verbs, 'status of the specified ') };
      } else if (subresource === 'scale') {
        const scaleGvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
        const scaleOp = (action: string, id: string, description: string, extra: Schema): Schema => ({ ...op(action, id, description, extra), 'x-kubernetes-group-version-kind': scaleGvk });
        paths[subPath] = { parameters: item.parameters, ...itemOperations(scaleOp, opGroup, `${scope}${gvk.kind}Scale`, gvk.kind, 'io.k8s.api.autoscaling.v1.Scale', verbs, 'scale of the specified ') };
      } else if (subresource === 'binding' || subresource === 'eviction') {
        const target = subresource === 'binding' ? { group: '', version: 'v1', kind: 'Binding', schema: 'io.k8s.api.core.v1.Binding' } : { group: 'policy', version: 'v1', kind: 'Eviction', schema: 'io.k8s.api.policy.v1.Eviction' };
        paths[subPath] = {
          parameters: item.parameters,
          post: {
            ...op('post', `create${opGroup}${scope}${gvk.kind}${target.kind}`, `create ${target.kind.toLowerCase()} of ${article(gvk.kind)} ${gvk.kind}`, {
              parameters: [params.dryRun, params.fieldManager, params.fieldValidation],
              requestBody: { content: { '*/*': { schema: ref(target.schema) } }, required: true },
              responses: responses({ '200': target.schema, '201': target.schema, '202': target.schema }, target.schema),
            }),
            'x-kubernetes-group-version-kind': { group: target.group, version: target.version, kind: target.kind },
          },
        };
      } else if (subresource === 'log') {
        paths[subPath] = {
          parameters: item.parameters,
          get: op('get', `read${opGroup}${scope}${gvk.kind}Log`, `read log of the specified ${gvk.kind}`, {
            parameters: ['container', 'follow', 'previous', 'sinceSeconds', 'tailLines', 'timestamps'].map((name) => queryParam(name, name)),
            responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': { description: 'Unauthorized' } },
          }),
        };
      }
    }

    if (verbs.has('watch')) {
      const watchRoot = type.namespaced ? `${root}/watch/namespaces/{namespace}/${type.plural}` : `${root}/watch/${type.plural}`;
      paths[watchRoot] = {
        parameters: [...scopeParams, params.pretty, ...params.list],
        get: op('watchlist', `watch${opGroup}${scope}${gvk.kind}List`, `watch individual changes to a list of ${gvk.kind}. deprecated: use the 'watch' parameter with a list operation instead.`, {
          responses: responses({ '200': WATCH_EVENT }, WATCH_EVENT),
        }),
      };
      paths[`${watchRoot}/{name}`] = {
        parameters: [params.name(gvk.kind), ...scopeParams, params.pretty, ...params.list],
        get: op('watch', `watch${opGroup}${scope}${gvk.kind}`, `watch changes to an object of kind ${gvk.kind}. deprecated: use the 'watch' parameter with a list operation, filtered to a single item with the 'fieldSelector' parameter.`, {
          responses: responses({ '200': WATCH_EVENT }, WATCH_EVENT),
        }),
      };
    }
    if (type.namespaced && verbs.has('list')) {
      paths[`${root}/${type.plural}`] = {
        parameters: [params.pretty, ...params.list],
        get: op('list', `list${opGroup}${gvk.kind}ForAllNamespaces`, `list or watch objects of kind ${gvk.kind}`, {
          responses: responses({ '200': listSchemaName }, listSchemaName),
        }),
      };
    }
  }
  extraSchemas.set(PATCH, { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' });
  return paths;
}

function itemOperations(
  op: (action: string, id: string, description: string, extra: Schema) => Schema,
  opGroup: string,
  suffix: string,
  kind: string,
  schemaName: string,
  verbs: Set<string>,
  what: string,
): Schema {
  const result: Schema = {};
  if (verbs.has('get'))
    result.get = op('get', `read${opGroup}${suffix}`, `read ${what || 'the specified '}${kind}`, { responses: responses({ '200': schemaName }, schemaName) });
  if (verbs.has('update'))
    result.put = op('put', `replace${opGroup}${suffix}`, `replace ${what || 'the specified '}${kind}`, {
      parameters: [params.dryRun, params.fieldManager, params.fieldValidation],
      requestBody: { content: { '*/*': { schema: ref(schemaName) } }, required: true },
      responses: responses({ '200': schemaName, '201': schemaName }, schemaName),
    });
  if (verbs.has('patch'))
    result.patch = op('patch', `patch${opGroup}${suffix}`, `partially update ${what || 'the specified '}${kind}`, {
      parameters: [params.dryRun, params.patchFieldManager, params.fieldValidation, params.force],
      requestBody: {
        content: Object.fromEntries(
          ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].map((type) => [type, { schema: ref(PATCH) }]),
        ),
        required: true,
      },
      responses: responses({ '200': schemaName, '201': schemaName }, schemaName),
    });
  return result;
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}

function servedIn(type: ResourceType, group: string, version: string): boolean {
  if (type.group !== group) return false;
  if (type.version === version) return true;
  return (type.alsoServedAs ?? []).some((v) => v === version || v === `${group}/${version}`);
}

/** A custom resource's schema as the apiserver publishes it: the definition's, with the object's standard fields. */
function customKindSchema(schema: Schema, gvk: GroupVersionKind): Schema {
  return {
    ...schema,
    type: 'object',
    // The definition's own properties, then the standard fields over them: generated schemas
    // declare `metadata: {type: object}`, which would hide ObjectMeta's fields from kubectl's
    // patch computation.
    properties: {
      ...(schema.properties ?? {}),
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')], description: 'Standard object\'s metadata.' },
    },
    'x-kubernetes-group-version-kind': [gvk],
  };
}

/** A permissive schema for kinds client-node does not know, so explain and validation still find them. */
function openKindSchema(gvk: GroupVersionKind): Schema {
  return {
    description: `${gvk.kind} is served by Orrery.`,
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')], default: {} },
    },
    'x-kubernetes-preserve-unknown-fields': true,
    'x-kubernetes-group-version-kind': [gvk],
  };
}

function collectReferenced(start: Schema, schemas: Map<string, Schema>, extra: Map<string, Schema>, into: Map<string, Schema>): void {
  const stack: unknown[] = [start];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
    } else if (node && typeof node === 'object') {
      const name = refName(node as Schema);
      if (name && (node as Schema).$ref && !into.has(name)) {
        const target = extra.get(name) ?? schemas.get(name);
        if (target) {
          into.set(name, target);
          stack.push(target);
        }
      }
      for (const value of Object.values(node)) stack.push(value);
    }
  }
}

const documentCache = new WeakMap<readonly ResourceType[], Map<string, { document: Schema; hash: string }>>();

function cachedDocument(groupVersion: string, types: readonly ResourceType[]): { document: Schema; hash: string } {
  let perTypes = documentCache.get(types);
  if (!perTypes) documentCache.set(types, (perTypes = new Map()));
  let entry = perTypes.get(groupVersion);
  if (!entry) {
    const document = buildDocument(groupVersion, types);
    entry = { document, hash: createHash('sha512').update(JSON.stringify(document)).digest('hex').toUpperCase() };
    perTypes.set(groupVersion, entry);
  }
  return entry;
}

function buildDocument(groupVersion: string, types: readonly ResourceType[]): Schema {
  const slash = groupVersion.indexOf('/');
  const group = slash < 0 ? '' : groupVersion.slice(0, slash);
  const version = slash < 0 ? groupVersion : groupVersion.slice(slash + 1);
  const { schemas } = schemaCatalog();
  const extra = new Map<string, Schema>();
  const kinds: KindInDocument[] = [];
  for (const type of types) {
    if (!servedIn(type, group, version)) continue;
    const gvk = { group, version, kind: type.kind };
    let schemaName = schemaNameFor(type.kind, groupVersion);
    if (!schemaName) {
      schemaName = `io.orrery.${group || 'core'}.${version}.${type.kind}`;
      extra.set(schemaName, type.openApiSchema ? customKindSchema(type.openApiSchema, gvk) : openKindSchema(gvk));
    }
    let listSchemaName = schemaNameFor(`${type.kind}List`, groupVersion);
    if (!listSchemaName) {
      listSchemaName = `io.orrery.${group || 'core'}.${version}.${type.kind}List`;
      extra.set(listSchemaName, {
        type: 'object',
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, items: { type: 'array', items: { allOf: [ref(schemaName)], default: {} } }, metadata: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta')], default: {} } },
        required: ['items'],
        'x-kubernetes-group-version-kind': [{ ...gvk, kind: `${type.kind}List` }],
      });
    }
    kinds.push({ type, gvk, schemaName, listSchemaName });
  }
  const paths = buildPaths(groupVersion, kinds, extra);
  const components = new Map<string, Schema>();
  collectReferenced(paths, schemas, extra, components);
  for (const { schemaName, listSchemaName } of kinds) {
    collectReferenced(ref(schemaName), schemas, extra, components);
    collectReferenced(ref(listSchemaName), schemas, extra, components);
  }
  const sorted = Object.fromEntries([...components.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: {
      schemas: sorted,
      securitySchemes: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    },
  };
}

/** `v1` → `api/v1`, `apps/v1` → `apis/apps/v1`: the key under `/openapi/v3`'s `paths`. */
export function openApiV3PathOf(groupVersion: string): string {
  return groupVersion.includes('/') ? `apis/${groupVersion}` : `api/${groupVersion}`;
}

/** The per-group-version document served at `/openapi/v3/api/v1` or `/openapi/v3/apis/<group>/<version>`. */
export function openApiV3Document(groupVersion: string, types: readonly ResourceType[] = allResourceTypes()): Schema {
  return cachedDocument(groupVersion, types).document;
}

/** The hash the discovery document advertises for a group-version document (uppercase hex sha512). */
export function openApiV3Hash(groupVersion: string, types: readonly ResourceType[] = allResourceTypes()): string {
  return cachedDocument(groupVersion, types).hash;
}

/** The `/openapi/v3` discovery document. */
export function openApiV3Root(groupVersions: string[], types: readonly ResourceType[] | ((groupVersion: string) => readonly ResourceType[]) = allResourceTypes()): Schema {
  const typesFor = typeof types === 'function' ? types : () => types;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const groupVersion of groupVersions) {
    const path = openApiV3PathOf(groupVersion);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${openApiV3Hash(groupVersion, typesFor(groupVersion))}` };
  }
  return { paths };
}
