import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import type { ResourceType, TableColumn } from '../resource-type.ts';
import { nameRules, validateObjectMeta, type NameRule } from '../object-meta-validation.ts';
import { ageColumn, nameColumn } from './columns.ts';
import { deepEqual } from '../canonical-json.ts';

export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** What a kind file declares; `defineResourceType` fills in the registry's common parts. */
export interface KindDefinition {
  kind: string;
  group: string;
  version: string;
  alsoServedAs?: string[];
  plural: string;
  singular?: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  verbs?: string[];
  subresources?: string[];
  /** Defaults to Name + Age. */
  columns?: TableColumn[];
  /** Defaults to DNS-1123 subdomain. */
  nameRule?: NameRule;
  defaults?(object: KubeObject): void;
  /** Checks beyond ObjectMeta; `old` is set on update. */
  validateSpec?(object: KubeObject, old?: KubeObject): StatusCause[];
  specChanged?(previous: KubeObject, next: KubeObject): boolean;
  convert?(object: KubeObject, version: string): KubeObject;
}

/** Default generation semantics: any change to `spec` is a spec change. */
export function specDiffers(previous: KubeObject, next: KubeObject): boolean {
  return !deepEqual(previous.spec, next.spec);
}

/** For kinds whose objects carry no metadata.generation in Kubernetes (Nodes, Services, PVCs, ...). */
export const neverBumpsGeneration = (): boolean => false;

export function defineResourceType(definition: KindDefinition): ResourceType {
  const nameRule = definition.nameRule ?? nameRules.dns1123Subdomain;
  const type: ResourceType = {
    kind: definition.kind,
    group: definition.group,
    version: definition.version,
    plural: definition.plural,
    singular: definition.singular ?? definition.kind.toLowerCase(),
    shortNames: definition.shortNames ?? [],
    namespaced: definition.namespaced,
    verbs: definition.verbs ?? [...STANDARD_VERBS],
    subresources: definition.subresources ?? [],
    columns: definition.columns ?? [nameColumn, ageColumn],
    defaults(object) {
      object.metadata ??= {};
      definition.defaults?.(object);
      return object;
    },
    validate(object, old) {
      const causes = validateObjectMeta(object, { namespaced: definition.namespaced, nameRule }, old);
      if (definition.validateSpec) causes.push(...definition.validateSpec(object, old));
      return causes;
    },
    validateStatusUpdate(object, old) {
      return validateObjectMeta(object, { namespaced: definition.namespaced, nameRule }, old);
    },
  };
  if (definition.alsoServedAs) type.alsoServedAs = definition.alsoServedAs;
  if (definition.categories) type.categories = definition.categories;
  type.specChanged = definition.specChanged ?? specDiffers;
  if (definition.convert) type.convert = definition.convert;
  return type;
}
