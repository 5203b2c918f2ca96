import type { StatusCause } from '../../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import { isDns1035Label, isDns1123Subdomain } from '../names.ts';
import type { KubeObject } from '../object.ts';
import { type JsonSchemaProps, isValidPattern } from '../custom-resources/structural-schema.ts';
import { column, nameColumn } from './columns.ts';
import { defineResourceType } from './define.ts';

export interface CustomResourceNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface CustomResourceVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JsonSchemaProps };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumn[];
  /** Fields a field selector may name (`.spec.color`): scalar fields of the schema, at most 8. */
  selectableFields?: Array<{ jsonPath: string }>;
}

export interface CustomResourceDefinitionSpec {
  group: string;
  names: CustomResourceNames;
  scope: 'Namespaced' | 'Cluster';
  versions: CustomResourceVersion[];
  conversion?: { strategy: string };
}

/** Holds a definition until its instances are gone (Kubernetes' CRD finalizer controller). */
export const CUSTOM_RESOURCE_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const SCOPES = ['Cluster', 'Namespaced'];
const PRINTER_COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];

export function crdSpecOf(crd: KubeObject): CustomResourceDefinitionSpec {
  return crd.spec as CustomResourceDefinitionSpec;
}

export function storageVersionOf(spec: CustomResourceDefinitionSpec): CustomResourceVersion | undefined {
  return spec.versions?.find((version) => version.storage);
}

function validateNames(names: CustomResourceNames | undefined, causes: StatusCause[]): void {
  if (!names) {
    causes.push(fieldErrors.required('spec.names'));
    return;
  }
  const label = (field: string, value: string | undefined, required: boolean) => {
    if (!value) {
      if (required) causes.push(fieldErrors.required(`spec.names.${field}`));
      return;
    }
    for (const message of isDns1035Label(value)) causes.push(fieldErrors.invalid(`spec.names.${field}`, value, message));
  };
  label('plural', names.plural, true);
  label('singular', names.singular, false);
  if (!names.kind) causes.push(fieldErrors.required('spec.names.kind'));
  else if (!/^[A-Za-z][-A-Za-z0-9]*$/.test(names.kind)) causes.push(fieldErrors.invalid('spec.names.kind', names.kind, 'may have mixed case, but should otherwise match: ^[a-z]([-a-z0-9]*[a-z0-9])?$'));
  if (names.listKind !== undefined && names.listKind === names.kind) causes.push(fieldErrors.invalid('spec.names.listKind', names.listKind, 'kind and listKind may not be the same'));
  (names.shortNames ?? []).forEach((shortName, i) => {
    for (const message of isDns1035Label(shortName)) causes.push(fieldErrors.invalid(`spec.names.shortNames[${i}]`, shortName, message));
  });
  (names.categories ?? []).forEach((category, i) => {
    for (const message of isDns1035Label(category)) causes.push(fieldErrors.invalid(`spec.names.categories[${i}]`, category, message));
  });
}

function validateSchema(schema: JsonSchemaProps | undefined, path: string, causes: StatusCause[], atRoot: boolean): void {
  if (!schema || typeof schema !== 'object') return;
  if (atRoot && schema.type !== 'object') {
    if (!schema.type) causes.push(fieldErrors.required(`${path}.type`, 'must not be empty at the root'));
    else causes.push(fieldErrors.invalid(`${path}.type`, schema.type, 'must be object at the root'));
  }
  if (schema.pattern !== undefined && !isValidPattern(schema.pattern)) causes.push(fieldErrors.invalid(`${path}.pattern`, schema.pattern, 'must be a valid regular expression'));
  if (schema.type === 'array' && !schema.items) causes.push(fieldErrors.required(`${path}.items`, 'must be specified'));
  for (const [key, property] of Object.entries(schema.properties ?? {})) validateSchema(property, `${path}.properties[${key}]`, causes, false);
  if (schema.items) validateSchema(schema.items, `${path}.items`, causes, false);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    if (schema.properties) causes.push(fieldErrors.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    validateSchema(schema.additionalProperties, `${path}.additionalProperties`, causes, false);
  }
  validateCombined(schema, path, causes, schema['x-kubernetes-int-or-string'] === true);
}

/** What a structural schema may not say inside allOf/anyOf/oneOf/not: those only add value validations. */
const STRUCTURE_FIELDS = ['type', 'description', 'default', 'additionalProperties', 'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'] as const;

/** `anyOf: [{type: integer}, {type: string}]`, which generated schemas give every int-or-string field. */
function isIntOrStringAnyOf(anyOf: JsonSchemaProps[] | undefined): boolean {
  const types = (anyOf ?? []).map((sub) => (sub && Object.keys(sub).length === 1 ? sub.type : undefined));
  return types.length === 2 && types[0] === 'integer' && types[1] === 'string';
}

/**
 * The schemas inside allOf/anyOf/oneOf/not. An int-or-string field may say which two types it
 * takes there (`anyOf: [{type: integer}, {type: string}]`, directly or inside an allOf).
 */
function validateCombined(schema: JsonSchemaProps, path: string, causes: StatusCause[], intOrString: boolean): void {
  const anyOfIsIntOrString = intOrString && isIntOrStringAnyOf(schema.anyOf);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (key === 'anyOf' && anyOfIsIntOrString) continue;
    (schema[key] ?? []).forEach((sub, i) => validateValueValidation(sub, `${path}.${key}[${i}]`, causes, intOrString && key === 'allOf'));
  }
  if (schema.not) validateValueValidation(schema.not, `${path}.not`, causes, false);
}

/**
 * A schema inside allOf/anyOf/oneOf/not, which may only add value validations: the apiserver's
 * structural-schema check refuses anything else there (`...oneOf[0].type: Forbidden: must be empty
 * to be structural`).
 */
function validateValueValidation(schema: JsonSchemaProps, path: string, causes: StatusCause[], intOrString: boolean): void {
  if (!schema || typeof schema !== 'object') return;
  for (const field of STRUCTURE_FIELDS) {
    if (schema[field] !== undefined) causes.push(fieldErrors.forbidden(`${path}.${field}`, 'must be empty to be structural'));
  }
  if (schema.pattern !== undefined && !isValidPattern(schema.pattern)) causes.push(fieldErrors.invalid(`${path}.pattern`, schema.pattern, 'must be a valid regular expression'));
  for (const [key, property] of Object.entries(schema.properties ?? {})) validateValueValidation(property, `${path}.properties[${key}]`, causes, false);
  if (schema.items) validateValueValidation(schema.items, `${path}.items`, causes, false);
  validateCombined(schema, path, causes, intOrString);
}

function validateVersions(versions: CustomResourceVersion[] | undefined, causes: StatusCause[]): void {
  if (!Array.isArray(versions) || versions.length === 0) {
    causes.push(fieldErrors.invalid('spec.versions', versions ?? null, 'must have exactly one version marked as storage version'));
    return;
  }
  const seen = new Set<string>();
  versions.forEach((version, i) => {
    const path = `spec.versions[${i}]`;
    if (!version.name) causes.push(fieldErrors.required(`${path}.name`));
    else {
      for (const message of isDns1035Label(version.name)) causes.push(fieldErrors.invalid(`${path}.name`, version.name, message));
      if (seen.has(version.name)) causes.push(fieldErrors.invalid('spec.versions', versions, 'must contain unique version names'));
      seen.add(version.name);
    }
    const schema = version.schema?.openAPIV3Schema;
    if (!schema) causes.push(fieldErrors.required(`${path}.schema.openAPIV3Schema`, 'schemas are required'));
    else validateSchema(schema, `${path}.schema.openAPIV3Schema`, causes, true);
    (version.additionalPrinterColumns ?? []).forEach((printer, j) => {
      const columnPath = `${path}.additionalPrinterColumns[${j}]`;
      if (!printer.name) causes.push(fieldErrors.required(`${columnPath}.name`));
      if (!PRINTER_COLUMN_TYPES.includes(printer.type)) causes.push(fieldErrors.notSupported(`${columnPath}.type`, printer.type ?? '', PRINTER_COLUMN_TYPES));
      if (!printer.jsonPath) causes.push(fieldErrors.required(`${columnPath}.jsonPath`));
    });
    validateSelectableFields(version, path, causes);
    const scale = version.subresources?.scale;
    if (scale) {
      if (!scale.specReplicasPath) causes.push(fieldErrors.required(`${path}.subresources.scale.specReplicasPath`));
      else if (!scale.specReplicasPath.startsWith('.spec.')) causes.push(fieldErrors.invalid(`${path}.subresources.scale.specReplicasPath`, scale.specReplicasPath, 'should start with .spec'));
      if (!scale.statusReplicasPath) causes.push(fieldErrors.required(`${path}.subresources.scale.statusReplicasPath`));
      else if (!scale.statusReplicasPath.startsWith('.status.')) causes.push(fieldErrors.invalid(`${path}.subresources.scale.statusReplicasPath`, scale.statusReplicasPath, 'should start with .status'));
    }
  });
  if (versions.filter((version) => version.storage).length !== 1) {
    causes.push(fieldErrors.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  }
  if (!versions.some((version) => version.served)) causes.push(fieldErrors.invalid('spec.versions', versions, 'must have at least one version marked as served'));
}

const SELECTABLE_TYPES = ['string', 'integer', 'boolean'];
const MAX_SELECTABLE_FIELDS = 8;

/** A schema's property at a simple JSONPath (`.spec.color`), if it declares one. */
export function schemaAt(schema: JsonSchemaProps | undefined, jsonPath: string): JsonSchemaProps | undefined {
  let at = schema;
  for (const field of jsonPath.split('.').slice(1)) at = at?.properties?.[field];
  return at;
}

function validateSelectableFields(version: CustomResourceVersion, path: string, causes: StatusCause[]): void {
  const fields = version.selectableFields ?? [];
  if (fields.length > MAX_SELECTABLE_FIELDS) causes.push(fieldErrors.tooMany(`${path}.selectableFields`, fields.length, MAX_SELECTABLE_FIELDS));
  const seen = new Set<string>();
  for (const [i, field] of fields.entries()) {
    const at = `${path}.selectableFields[${i}].jsonPath`;
    if (!field.jsonPath) {
      causes.push(fieldErrors.required(at));
      continue;
    }
    if (!/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(field.jsonPath) || field.jsonPath.startsWith('.metadata')) {
      causes.push(fieldErrors.invalid(at, field.jsonPath, 'must be a simple JSON path to a field of the object other than metadata (.spec.color)'));
      continue;
    }
    const property = schemaAt(version.schema?.openAPIV3Schema, field.jsonPath);
    if (!property) causes.push(fieldErrors.invalid(at, field.jsonPath, 'is not a field of the schema'));
    else if (!SELECTABLE_TYPES.includes(property.type ?? '')) causes.push(fieldErrors.invalid(at, field.jsonPath, 'must point to a field of type string, boolean or integer'));
    if (seen.has(field.jsonPath)) causes.push(fieldErrors.duplicate(at, field.jsonPath));
    seen.add(field.jsonPath);
  }
}

/** apiextensions' ValidateCustomResourceDefinition (and its update rules), the checks a definition's shape needs. */
function validateDefinition(crd: KubeObject, old?: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = crd.spec as Partial<CustomResourceDefinitionSpec> | undefined;
  if (!spec) return [fieldErrors.required('spec')];
  if (!spec.group) causes.push(fieldErrors.required('spec.group'));
  else {
    for (const message of isDns1123Subdomain(spec.group)) causes.push(fieldErrors.invalid('spec.group', spec.group, message));
    if (!spec.group.includes('.')) causes.push(fieldErrors.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  const name = crd.metadata.name ?? '';
  if (spec.names?.plural && spec.group && name !== `${spec.names.plural}.${spec.group}`) {
    causes.push(fieldErrors.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!spec.scope) causes.push(fieldErrors.required('spec.scope'));
  else if (!SCOPES.includes(spec.scope)) causes.push(fieldErrors.notSupported('spec.scope', spec.scope, SCOPES));
  validateNames(spec.names, causes);
  validateVersions(spec.versions, causes);
  const strategy = spec.conversion?.strategy;
  if (strategy !== undefined && strategy !== 'None' && strategy !== 'Webhook') causes.push(fieldErrors.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (strategy === 'Webhook') causes.push(fieldErrors.forbidden('spec.conversion.strategy', 'Orrery runs no conversion webhooks; use "None"'));
  if (old) {
    const before = old.spec as CustomResourceDefinitionSpec;
    if (spec.scope !== before.scope) causes.push(fieldErrors.invalid('spec.scope', spec.scope ?? '', 'field is immutable'));
    if (spec.group !== before.group) causes.push(fieldErrors.invalid('spec.group', spec.group ?? '', 'field is immutable'));
    if (spec.names?.kind !== before.names.kind) causes.push(fieldErrors.invalid('spec.names.kind', spec.names?.kind ?? '', 'field is immutable'));
    const storedVersions = (old.status?.storedVersions as string[] | undefined) ?? [];
    storedVersions.forEach((stored, i) => {
      if (!(spec.versions ?? []).some((version) => version.name === stored)) causes.push(fieldErrors.invalid(`status.storedVersions[${i}]`, stored, 'must appear in spec.versions'));
    });
  }
  return causes;
}

/** apiextensions.k8s.io/v1 CustomResourceDefinition: each one adds a kind the API serves (core/model/custom-resources/). */
export const customResourceDefinitionType = defineResourceType({
  kind: 'CustomResourceDefinition',
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  namespaced: false,
  subresources: ['status'],
  columns: [nameColumn, column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.', (crd) => crd.metadata.creationTimestamp ?? null)],
  defaults(crd) {
    const spec = crd.spec as Partial<CustomResourceDefinitionSpec> | undefined;
    if (!spec) return;
    spec.conversion ??= { strategy: 'None' };
    if (spec.names?.kind) {
      spec.names.singular ??= spec.names.kind.toLowerCase();
      spec.names.listKind ??= `${spec.names.kind}List`;
    }
  },
  validateSpec: validateDefinition,
});

