import type { KubeObject } from '../object.ts';
import type { ResourceType } from '../resource-type.ts';
import { STANDARD_VERBS } from '../kinds/define.ts';
import { type CustomResourceDefinitionSpec, type CustomResourceVersion, crdSpecOf, storageVersionOf } from '../kinds/apiextensions.ts';
import { nameRules, validateObjectMeta } from '../object-meta-validation.ts';
import { deepEqual } from '../canonical-json.ts';
import { customResourceColumns } from './printer-columns.ts';
import { type JsonSchemaProps, applyDefaults, prune, unknownFields, validateAgainstSchema } from './structural-schema.ts';

const built = new WeakMap<KubeObject, ResourceType>();

/**
 * The registry entry a CustomResourceDefinition adds: its kind, served at its group and every
 * served version (stored at the storage version; with conversion `None` the versions differ only
 * in apiVersion), its objects pruned, defaulted and validated by that version's schema, printed
 * with its additionalPrinterColumns. One entry per definition object (definitions never change in
 * place, so it is built once).
 */
export function customResourceType(crd: KubeObject): ResourceType | undefined {
  const cached = built.get(crd);
  if (cached) return cached;
  const spec = crdSpecOf(crd);
  const storage = storageVersionOf(spec);
  if (!storage || !spec.names?.kind || !spec.names.plural) return undefined;
  const type = build(crd.metadata.name ?? '', spec, storage);
  built.set(crd, type);
  return type;
}

function build(definitionName: string, spec: CustomResourceDefinitionSpec, storage: CustomResourceVersion): ResourceType {
  const namespaced = spec.scope === 'Namespaced';
  const schemaOf = (object: KubeObject): JsonSchemaProps => {
    const version = object.apiVersion?.slice(object.apiVersion.indexOf('/') + 1);
    return (spec.versions.find((v) => v.name === version) ?? storage).schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  };
  const storageSchema = storage.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const hasStatus = storage.subresources?.status !== undefined;
  const scale = storage.subresources?.scale;
  const meta = { namespaced, nameRule: nameRules.dns1123Subdomain };
  const type: ResourceType = {
    kind: spec.names.kind,
    group: spec.group,
    version: storage.name,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    shortNames: spec.names.shortNames ?? [],
    namespaced,
    verbs: [...STANDARD_VERBS],
    subresources: [...(hasStatus ? ['status'] : []), ...(scale ? ['scale'] : [])],
    columns: customResourceColumns(storage.additionalPrinterColumns),
    definedBy: definitionName,
    defaults(object) {
      object.metadata ??= {};
      const schema = schemaOf(object);
      prune(object as unknown as Record<string, unknown>, schema);
      applyDefaults(object, schema);
      object.apiVersion = `${spec.group}/${storage.name}`;
      return object;
    },
    validate(object, old) {
      const causes = validateObjectMeta(object, meta, old);
      const { apiVersion: _apiVersion, kind: _kind, metadata: _metadata, ...content } = object;
      causes.push(...validateAgainstSchema(content, { ...storageSchema, required: (storageSchema.required ?? []).filter((f) => !['apiVersion', 'kind', 'metadata'].includes(f)) }));
      return causes;
    },
    defaultsStatus(status) {
      const statusSchema = storageSchema.properties?.status;
      if (!statusSchema) return status;
      const copy = structuredClone(status);
      prune(copy, statusSchema, false);
      applyDefaults(copy, statusSchema, false);
      return copy;
    },
    validateStatusUpdate(object, old) {
      const causes = validateObjectMeta(object, meta, old);
      const statusSchema = storageSchema.properties?.status;
      if (statusSchema && object.status !== undefined) causes.push(...validateAgainstSchema(object.status, statusSchema, 'status'));
      return causes;
    },
    // Every change but metadata's, and status's when it is a subresource (Kubernetes' customResourceStrategy).
    specChanged: (previous, next) => !deepEqual(content(previous, hasStatus), content(next, hasStatus)),
    unknownFields: (object) => unknownFields(object, schemaOf(object)),
    openApiSchema: storageSchema as Record<string, unknown>,
  };
  const others = spec.versions.filter((v) => v.served && v.name !== storage.name).map((v) => v.name);
  if (others.length > 0) type.alsoServedAs = others;
  if (spec.names.categories?.length) type.categories = spec.names.categories;
  type.fieldLabels = (storage.selectableFields ?? []).map((field) => field.jsonPath.slice(1));
  const deprecated = spec.versions.filter((v) => v.served && v.deprecated);
  if (deprecated.length > 0) {
    type.deprecatedVersions = Object.fromEntries(deprecated.map((v) => [v.name, v.deprecationWarning ?? `${spec.group}/${v.name} ${spec.names.kind} is deprecated`]));
  }
  if (scale) {
    type.scalePaths = { specReplicas: scale.specReplicasPath, statusReplicas: scale.statusReplicasPath };
    if (scale.labelSelectorPath) type.scalePaths.labelSelector = scale.labelSelectorPath;
  }
  return type;
}

function content(object: KubeObject, withoutStatus: boolean): unknown {
  const { metadata: _metadata, status, ...rest } = object;
  return withoutStatus ? rest : { ...rest, status };
}
