import { allModels, modelDocs, servedKinds, type ModelClass } from './model-source.ts';
import { atomicStructs, listSemanticsTable, microTimeFields, quantityFields } from './list-semantics.ts';
import { metricsSchemas } from './metrics-schemas.ts';

/** An OpenAPI v3 schema object, as Kubernetes publishes them. */
export type Schema = Record<string, any>;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Go package (schema name prefix) and API group per client-node class or API-class prefix. */
const groups: Record<string, { group: string; pkg: string }> = {
  Core: { group: '', pkg: 'io.k8s.api.core' },
  Apps: { group: 'apps', pkg: 'io.k8s.api.apps' },
  Batch: { group: 'batch', pkg: 'io.k8s.api.batch' },
  Autoscaling: { group: 'autoscaling', pkg: 'io.k8s.api.autoscaling' },
  Policy: { group: 'policy', pkg: 'io.k8s.api.policy' },
  Admissionregistration: { group: 'admissionregistration.k8s.io', pkg: 'io.k8s.api.admissionregistration' },
  Apiextensions: { group: 'apiextensions.k8s.io', pkg: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions' },
  Apiregistration: { group: 'apiregistration.k8s.io', pkg: 'io.k8s.kube-aggregator.pkg.apis.apiregistration' },
  Authentication: { group: 'authentication.k8s.io', pkg: 'io.k8s.api.authentication' },
  Authorization: { group: 'authorization.k8s.io', pkg: 'io.k8s.api.authorization' },
  Certificates: { group: 'certificates.k8s.io', pkg: 'io.k8s.api.certificates' },
  Coordination: { group: 'coordination.k8s.io', pkg: 'io.k8s.api.coordination' },
  Discovery: { group: 'discovery.k8s.io', pkg: 'io.k8s.api.discovery' },
  Events: { group: 'events.k8s.io', pkg: 'io.k8s.api.events' },
  Flowcontrol: { group: 'flowcontrol.apiserver.k8s.io', pkg: 'io.k8s.api.flowcontrol' },
  FlowcontrolApiserver: { group: 'flowcontrol.apiserver.k8s.io', pkg: 'io.k8s.api.flowcontrol' },
  InternalApiserver: { group: 'internal.apiserver.k8s.io', pkg: 'io.k8s.api.apiserverinternal' },
  Networking: { group: 'networking.k8s.io', pkg: 'io.k8s.api.networking' },
  Node: { group: 'node.k8s.io', pkg: 'io.k8s.api.node' },
  Rbac: { group: 'rbac.authorization.k8s.io', pkg: 'io.k8s.api.rbac' },
  RbacAuthorization: { group: 'rbac.authorization.k8s.io', pkg: 'io.k8s.api.rbac' },
  Resource: { group: 'resource.k8s.io', pkg: 'io.k8s.api.resource' },
  Scheduling: { group: 'scheduling.k8s.io', pkg: 'io.k8s.api.scheduling' },
  Storage: { group: 'storage.k8s.io', pkg: 'io.k8s.api.storage' },
  Storagemigration: { group: 'storagemigration.k8s.io', pkg: 'io.k8s.api.storagemigration' },
};

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const metaTypes = new Set([
  'APIGroup', 'APIGroupList', 'APIResource', 'APIResourceList', 'APIVersions', 'Condition', 'DeleteOptions',
  'FieldSelectorRequirement', 'GroupVersionForDiscovery', 'LabelSelector', 'LabelSelectorRequirement', 'ListMeta',
  'ManagedFieldsEntry', 'ObjectMeta', 'OwnerReference', 'Preconditions', 'ServerAddressByClientCIDR', 'Status',
  'StatusCause', 'StatusDetails', 'WatchEvent',
]);
/** Kinds that several API clients use but that live in one group. */
const kindHomes: Record<string, string> = { V1Scale: 'Autoscaling', V1Eviction: 'Policy' };

export const TIME = `${META}.Time`;
export const MICRO_TIME = `${META}.MicroTime`;
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const FIELDS_V1 = `${META}.FieldsV1`;
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

const OBJECT_META_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_META_DESCRIPTION = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

const scalarSchemas: Record<string, Schema> = {
  [TIME]: {
    description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
    type: 'string',
    format: 'date-time',
  },
  [MICRO_TIME]: { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' },
  [INT_OR_STRING]: {
    description:
      'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    type: 'string',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  },
  [QUANTITY]: {
    description:
      'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.',
    type: 'string',
  },
  [FIELDS_V1]: {
    description:
      "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
    type: 'object',
  },
  [RAW_EXTENSION]: { description: 'RawExtension is used to hold extensions in external versions.', type: 'object' },
};

interface ParsedClassName {
  prefix?: string;
  version: string;
  type: string;
}

function parseClassName(className: string): ParsedClassName | undefined {
  const match = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(className);
  if (!match) return undefined;
  return { prefix: match[1], version: match[2].toLowerCase(), type: match[3] };
}

export interface SchemaCatalog {
  schemas: Map<string, Schema>;
  /** `group/version/Kind` (group '' for core) → schema name. */
  kinds: Map<string, string>;
}

function refTo(name: string): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

function buildCatalog(): SchemaCatalog {
  const models = allModels();
  const ownerPrefix = new Map<string, string>();
  const topLevel = new Map<string, GroupVersionKind>();

  const served = servedKinds()
    .map((entry) => ({ ...entry, api: /^([A-Z]\w*?)(V\d\w*)$/.exec(entry.apiClass) }))
    .filter((entry) => entry.api && groups[entry.api[1]])
    .sort((a, b) => Number(b.api![1] === 'Core') - Number(a.api![1] === 'Core'));
  for (const { className, api } of served) {
    const parsed = parseClassName(className);
    if (!parsed || !models.has(className) || metaTypes.has(parsed.type) || topLevel.has(className)) continue;
    const prefix = parsed.prefix ?? kindHomes[className] ?? api![1];
    if (!parsed.prefix && !kindHomes[className] && parsed.version !== api![2].toLowerCase()) continue;
    topLevel.set(className, { group: groups[prefix].group, version: parsed.version, kind: parsed.type });
    ownerPrefix.set(className, prefix);
  }

  // Nested types belong to the group that reaches them first, core first: PodSpec is core/v1 even
  // though apps/v1 embeds it.
  const queue = [...ownerPrefix.keys()];
  while (queue.length > 0) {
    const className = queue.shift()!;
    const prefix = ownerPrefix.get(className)!;
    for (const attribute of models.get(className)!.attributes) {
      for (const referenced of referencedClasses(attribute.type)) {
        if (ownerPrefix.has(referenced) || !models.has(referenced)) continue;
        const parsed = parseClassName(referenced);
        ownerPrefix.set(referenced, parsed?.prefix ?? prefix);
        queue.push(referenced);
      }
    }
  }

  const nameOf = (className: string): string | undefined => {
    if (className === 'VersionInfo') return 'io.k8s.apimachinery.pkg.version.Info';
    const parsed = parseClassName(className);
    if (!parsed) return undefined;
    if (metaTypes.has(parsed.type) && parsed.version === 'v1' && !parsed.prefix) return `${META}.${parsed.type}`;
    const prefix = ownerPrefix.get(className) ?? parsed.prefix;
    if (!prefix || !groups[prefix]) return undefined;
    return `${groups[prefix].pkg}.${parsed.version}.${parsed.type}`;
  };

  const schemas = new Map<string, Schema>(Object.entries(scalarSchemas));
  const kinds = new Map<string, string>();
  for (const [className, model] of models) {
    const name = nameOf(className);
    if (!name || schemas.has(name)) continue;
    schemas.set(name, classSchema(model, nameOf, topLevel.get(className)));
    const gvk = topLevel.get(className);
    if (gvk) kinds.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
  }
  // metrics.k8s.io, which client-node does not generate.
  for (const [name, schema] of Object.entries(metricsSchemas)) {
    schemas.set(name, schema);
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) kinds.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
  }
  const status = schemas.get(`${META}.Status`);
  if (status) status['x-kubernetes-group-version-kind'] = [{ group: '', kind: 'Status', version: 'v1' }];
  return { schemas, kinds };
}

function referencedClasses(type: string): string[] {
  return [...type.matchAll(/\b((?:[A-Z][a-z]+)?V\d\w*)\b/g)].map((m) => m[1]);
}

function classSchema(model: ModelClass, nameOf: (className: string) => string | undefined, gvk?: GroupVersionKind): Schema {
  const docs = modelDocs(model.className);
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const attribute of model.attributes) {
    const key = `${model.className}.${attribute.jsonName}`;
    const property = typeSchema(attribute.type, attribute.format, key, nameOf, false);
    let description = docs.fieldDescriptions.get(attribute.tsName);
    if (!description && attribute.jsonName === 'metadata') description = attribute.type === 'V1ListMeta' ? LIST_META_DESCRIPTION : OBJECT_META_DESCRIPTION;
    if (description) property.description = description;
    const semantics = listSemanticsTable.get(key);
    if (semantics && property.type === 'array') {
      property['x-kubernetes-list-type'] = semantics.listType;
      if (semantics.listMapKeys) property['x-kubernetes-list-map-keys'] = semantics.listMapKeys;
      if (semantics.patchMergeKey) property['x-kubernetes-patch-merge-key'] = semantics.patchMergeKey;
      if (semantics.patchStrategy) property['x-kubernetes-patch-strategy'] = semantics.patchStrategy;
    }
    properties[attribute.jsonName] = property;
    if (docs.required.has(attribute.tsName)) required.push(attribute.jsonName);
  }
  const schema: Schema = {};
  if (model.description) schema.description = model.description;
  schema.properties = properties;
  if (required.length > 0) schema.required = required;
  schema.type = 'object';
  if (atomicStructs.has(model.className)) schema['x-kubernetes-map-type'] = 'atomic';
  if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
  return schema;
}

function typeSchema(type: string, format: string, key: string, nameOf: (className: string) => string | undefined, item: boolean): Schema {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: 'array', items: typeSchema(array[1], '', key, nameOf, true) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1], format, key, nameOf, true) };
  const wrap = (name: string, withDefault: boolean): Schema => (item || withDefault ? { allOf: [refTo(name)], default: {} } : { allOf: [refTo(name)] });
  switch (type) {
    case 'string':
      if (quantityFields.has(key)) return item ? refTo(QUANTITY) : { allOf: [refTo(QUANTITY)] };
      return format ? { type: 'string', format } : { type: 'string' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return format ? { type: 'number', format } : { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
      return item ? refTo(microTimeFields.has(key) ? MICRO_TIME : TIME) : { allOf: [refTo(microTimeFields.has(key) ? MICRO_TIME : TIME)] };
    case 'IntOrString':
      return item ? refTo(INT_OR_STRING) : { allOf: [refTo(INT_OR_STRING)] };
    case 'any':
      if (key === 'V1ManagedFieldsEntry.fieldsV1') return { allOf: [refTo(FIELDS_V1)] };
      if (key === 'V1ControllerRevision.data') return { allOf: [refTo(RAW_EXTENSION)] };
      return { 'x-kubernetes-preserve-unknown-fields': true };
    default: {
      const name = nameOf(type);
      if (!name) return { 'x-kubernetes-preserve-unknown-fields': true };
      return wrap(name, false);
    }
  }
}

let catalog: SchemaCatalog | undefined;

/** Every component schema, built from client-node's models on first use and cached. */
export function schemaCatalog(): SchemaCatalog {
  catalog ??= buildCatalog();
  return catalog;
}

/** The `#/components/schemas/...` name a `$ref` points to, or undefined. */
export function refName(schema: Schema | undefined): string | undefined {
  const ref: unknown = schema?.$ref ?? schema?.allOf?.[0]?.$ref;
  // JSONSchemaProps (CustomResourceDefinition) has a property named `$ref`: a schema, not a reference.
  return typeof ref === 'string' ? ref.slice('#/components/schemas/'.length) : undefined;
}

// The catalog never changes once built, so each wrapper resolves to the same schema every time;
// patch and managedFields walks resolve several times per field of every write.
const resolved = new WeakMap<Schema, Schema | null>();

/** Follows `$ref` / single-`allOf` wrappers to the schema they name. */
export function resolveSchema(schema: Schema | undefined): Schema | undefined {
  if (typeof schema !== 'object' || schema === null) return schema;
  let target = resolved.get(schema);
  if (target === undefined) {
    const name = refName(schema);
    target = (name ? schemaCatalog().schemas.get(name) : schema) ?? null;
    resolved.set(schema, target);
  }
  return target ?? undefined;
}
