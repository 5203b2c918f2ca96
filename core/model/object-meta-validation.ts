import type { StatusCause } from '../errors.ts';
import type { KubeObject } from './object.ts';
import { fieldErrors } from './field-errors.ts';
import { isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from './names.ts';

/** Which rule a kind's names follow: most kinds use DNS-1123 subdomains, a few (namespaces, services) labels. */
export type NameRule = (name: string) => string[];

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const hasOwn = Object.prototype.hasOwnProperty;

export function validateLabels(labels: Record<string, string> | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  // for-in over own keys lists what Object.entries lists, in the same order, without the arrays.
  for (const key in labels) {
    if (!hasOwn.call(labels, key)) continue;
    const value = labels[key];
    for (const message of isQualifiedName(key)) causes.push(fieldErrors.invalid(field, key, message));
    if (typeof value !== 'string') causes.push(fieldErrors.invalid(field, value, 'label values must be strings'));
    else for (const message of isValidLabelValue(value)) causes.push(fieldErrors.invalid(field, value, message));
  }
  return causes;
}

/**
 * Annotation keys already found valid (their lower-case form a qualified name): every status write
 * validates the object's annotations again, and they are the same few keys. Bounded like names.ts's.
 */
const validAnnotationKeys = new Set<string>();

export function validateAnnotations(annotations: Record<string, string> | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let total = 0;
  for (const key in annotations) {
    if (!hasOwn.call(annotations, key)) continue;
    const value = annotations[key];
    if (!validAnnotationKeys.has(key)) {
      const messages = isQualifiedName(key.toLowerCase());
      for (const message of messages) causes.push(fieldErrors.invalid(field, key, message));
      if (messages.length === 0 && validAnnotationKeys.size < 10_000) validAnnotationKeys.add(key);
    }
    total += key.length + String(value).length;
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) causes.push(fieldErrors.tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return causes;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** apimachinery's ValidateFinalizers: qualified names, and not both orphan and foregroundDeletion. */
export function validateFinalizers(finalizers: unknown, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (finalizers === undefined || finalizers === null) return causes;
  if (!Array.isArray(finalizers)) return [fieldErrors.invalid(field, finalizers, 'must be a list of strings')];
  for (const [i, finalizer] of finalizers.entries()) {
    const name = String(finalizer);
    for (const message of isQualifiedName(name)) causes.push(fieldErrors.invalid(`${field}[${i}]`, name, message));
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    causes.push(fieldErrors.invalid(field, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return causes;
}

/**
 * The core group's extra rule (validateKubeFinalizerName): a finalizer is a standard one or carries a
 * domain (`example.com/cleanup`). Not yet applied by validateObjectMeta: callers' fixtures still use
 * bare names.
 */
export function validateKubeFinalizerNames(finalizers: readonly string[] | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [i, name] of (finalizers ?? []).entries()) {
    if (isQualifiedName(name).length === 0 && !STANDARD_FINALIZERS.has(name) && !name.includes('/')) {
      causes.push(fieldErrors.invalid(`${field}[${i}]`, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return causes;
}

/**
 * ObjectMeta checks every kind shares (Kubernetes' ValidateObjectMeta): name or generateName,
 * name syntax, namespace presence matching the kind's scope, labels, annotations, and on update
 * the fields that never change (name, namespace, uid, creationTimestamp).
 */
export function validateObjectMeta(object: KubeObject, options: { namespaced: boolean; nameRule: NameRule }, old?: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = object.metadata ?? {};
  if (!meta.name) {
    if (!meta.generateName) causes.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const message of options.nameRule(meta.name)) causes.push(fieldErrors.invalid('metadata.name', meta.name, message));
  }
  if (options.namespaced) {
    if (!meta.namespace) causes.push(fieldErrors.required('metadata.namespace'));
    else for (const message of isDns1123Label(meta.namespace)) causes.push(fieldErrors.invalid('metadata.namespace', meta.namespace, message));
  } else if (meta.namespace) {
    causes.push(fieldErrors.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (meta.generation !== undefined && meta.generation < 0) causes.push(fieldErrors.invalid('metadata.generation', meta.generation, 'must be greater than or equal to 0'));
  if (meta.finalizers !== undefined && meta.finalizers !== null) causes.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  if (meta.labels) causes.push(...validateLabels(meta.labels, 'metadata.labels'));
  if (meta.annotations) causes.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  for (const [i, owner] of (meta.ownerReferences ?? []).entries()) {
    const path = `metadata.ownerReferences[${i}]`;
    if (!owner.apiVersion) causes.push(fieldErrors.invalid(`${path}.apiVersion`, owner.apiVersion ?? '', 'version must not be empty'));
    if (!owner.kind) causes.push(fieldErrors.invalid(`${path}.kind`, owner.kind ?? '', 'kind must not be empty'));
    if (!owner.name) causes.push(fieldErrors.invalid(`${path}.name`, owner.name ?? '', 'name must not be empty'));
    if (!owner.uid) causes.push(fieldErrors.invalid(`${path}.uid`, owner.uid ?? '', 'uid must not be empty'));
  }
  const controllers = (meta.ownerReferences ?? []).filter((o) => o.controller);
  if (controllers.length > 1) {
    causes.push(
      fieldErrors.invalid('metadata.ownerReferences', meta.ownerReferences, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.map((o) => `${o.kind}/${o.name}`).join(' and ')}`),
    );
  }
  if (old) {
    const oldMeta = old.metadata ?? {};
    if (oldMeta.name !== undefined && meta.name !== oldMeta.name) causes.push(fieldErrors.invalid('metadata.name', meta.name ?? '', 'field is immutable'));
    if ((oldMeta.namespace ?? '') !== (meta.namespace ?? '')) causes.push(fieldErrors.invalid('metadata.namespace', meta.namespace ?? '', 'field is immutable'));
    if (oldMeta.uid && meta.uid && meta.uid !== oldMeta.uid) causes.push(fieldErrors.invalid('metadata.uid', meta.uid, 'field is immutable'));
    if (oldMeta.creationTimestamp && meta.creationTimestamp && meta.creationTimestamp !== oldMeta.creationTimestamp) {
      causes.push(fieldErrors.invalid('metadata.creationTimestamp', meta.creationTimestamp, 'field is immutable'));
    }
  }
  return causes;
}

export const nameRules = {
  dns1123Subdomain: isDns1123Subdomain,
  dns1123Label: isDns1123Label,
} satisfies Record<string, NameRule>;
