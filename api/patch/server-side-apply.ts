import { ApiError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { FieldSet, formatFieldPath } from './field-set.ts';
import { cloneJson, isPlainObject, type JsonObject } from './json-values.ts';
import {
  decodeManagedFields,
  encodeManagedFields,
  managedFieldsTime,
  managerKey,
  objectSchema,
  trackedContent,
  type ManagedFieldsOptions,
  type ManagerFields,
  withoutFields,
} from './managed-fields.ts';
import { appliedFieldSet, compareFields, FieldPathError, mergeApplied, removeFields, typedPatchError, undeclaredFields } from './typed-fields.ts';

/** One field another manager owns with a different value than the applied configuration sets. */
export interface ApplyConflict {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  /** structured-merge-diff's path: `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`. */
  field: string;
}

export interface ServerSideApplyOptions extends Partial<ManagedFieldsOptions> {
  fieldManager: string;
  force?: boolean;
  /** Write time, RFC 3339 or ms since the epoch. */
  time: string | number;
}

export interface ServerSideApplyResult {
  /** The merged object with updated managedFields; the current object, unchanged, when there are unforced conflicts. */
  object: KubeObject;
  /** Unforced conflicts; the server answers them with `applyConflictError`. Empty when forced. */
  conflicts: ApplyConflict[];
}

const BEFORE_FIRST_APPLY = 'before-first-apply';

/**
 * Server-side apply (`application/apply-patch+yaml`): merges the applied configuration into the
 * current object by the schema's list-map keys, makes `fieldManager` own exactly the applied
 * fields, removes fields it applied before but no longer does (unless another manager owns them),
 * and reports fields other managers own with different values as conflicts — or, with `force`,
 * takes them over. Creating the object when it is absent (current undefined) is the caller's job;
 * this computes its content and managedFields.
 */
export function serverSideApply(current: KubeObject | undefined, applied: unknown, options: ServerSideApplyOptions): ServerSideApplyResult {
  if (!isPlainObject(applied)) throw new ApiError(400, 'BadRequest', 'error decoding YAML: the applied configuration must be an object');
  const config = applied as KubeObject;
  if (!config.metadata || !isPlainObject(config.metadata)) config.metadata = {};
  const schema = objectSchema(config);
  const undeclared = undeclaredFields(config as JsonObject, schema);
  if (undeclared.length > 0) throw typedPatchError(config, undeclared);

  const subresource = options.subresource;
  const live: JsonObject = current ? cloneJson(current as JsonObject) : { apiVersion: config.apiVersion, kind: config.kind, metadata: {} };
  let appliedSet: FieldSet;
  let merged: JsonObject;
  try {
    const configContent = trackedContent(config as JsonObject, subresource);
    appliedSet = appliedFieldSet(configContent, schema);
    merged = mergeApplied(live, configWithoutIgnored(config as JsonObject, subresource), schema) as JsonObject;
  } catch (error) {
    if (error instanceof FieldPathError) throw typedPatchError(config, [error.message]);
    throw error;
  }
  merged.apiVersion = config.apiVersion;
  merged.kind = config.kind;

  const managers = decodeManagedFields(current?.metadata?.managedFields);
  if (current && managers.length === 0) {
    const everything = compareFields({}, trackedContent(current as JsonObject, subresource), schema).added;
    if (!everything.isEmpty()) managers.push({ manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: current.apiVersion, fields: everything });
  }
  const identity = { manager: options.fieldManager, operation: 'Apply' as const, apiVersion: config.apiVersion, ...(subresource ? { subresource } : {}) };
  const key = managerKey(identity);
  const previous = managers.find((entry) => managerKey(entry) === key);
  const others = managers.filter((entry) => entry !== previous);

  if (previous) {
    const ownedByOthers = others.reduce((all, entry) => all.union(entry.fields), new FieldSet());
    const dropped = previous.fields.difference(appliedSet).paths().filter((path) => !ownedByOthers.hasAnyAtOrBelow(path) && !appliedSet.hasAnyAtOrBelow(path));
    merged = removeFields(merged, dropped, schema);
  }

  const diff = compareFields(trackedContent(live, subresource), trackedContent(merged, subresource), schema);
  const changed = diff.modified.union(diff.added);
  const conflicts: ApplyConflict[] = [];
  for (const entry of others) {
    for (const path of entry.fields.intersection(changed).paths()) conflicts.push(conflictOf(entry, path));
  }
  conflicts.sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  if (conflicts.length > 0 && !options.force) return { object: current ?? (live as KubeObject), conflicts };

  const taken = changed.union(diff.removed);
  for (const entry of others) entry.fields = withoutFields(entry.fields, taken);
  const time = managedFieldsTime(options.time);
  const own: ManagerFields = previous ?? { ...identity, fields: new FieldSet() };
  const ownChanged = !own.fields.equals(appliedSet);
  own.fields = appliedSet;
  if (ownChanged || !own.time) own.time = time;
  const result = merged as KubeObject;
  result.metadata = { ...(result.metadata ?? {}), managedFields: encodeManagedFields([...others, own]) };
  if ((result.metadata.managedFields as unknown[]).length === 0) delete result.metadata.managedFields;
  return { object: result, conflicts: [] };
}

/** The applied configuration minus what the endpoint ignores (status through the main resource, ...). */
function configWithoutIgnored(config: JsonObject, subresource: string | undefined): JsonObject {
  const { metadata, ...rest } = config;
  const result: JsonObject = { ...rest };
  if (subresource === undefined) delete result.status;
  if (subresource === 'status') delete result.spec;
  if (isPlainObject(metadata)) {
    const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...meta } = metadata;
    result.metadata = meta;
  }
  return result;
}

function conflictOf(entry: ManagerFields, path: string[]): ApplyConflict {
  const conflict: ApplyConflict = { manager: entry.manager, operation: entry.operation, apiVersion: entry.apiVersion, field: formatFieldPath(path) };
  if (entry.subresource) conflict.subresource = entry.subresource;
  if (entry.time) conflict.time = entry.time;
  return conflict;
}

/** k8s' printManager: `"kubectl" with subresource "scale" using apps/v1 at 2026-01-01T00:00:00Z`. */
function describeManager(conflict: ApplyConflict): string {
  let text = JSON.stringify(conflict.manager);
  if (conflict.subresource) text += ` with subresource ${JSON.stringify(conflict.subresource)}`;
  if (conflict.operation === 'Update') text += conflict.time ? ` using ${conflict.apiVersion} at ${managedFieldsTime(conflict.time)}` : ` using ${conflict.apiVersion}`;
  return text;
}

/**
 * The 409 Kubernetes answers unforced apply conflicts with:
 * `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1 at …: .spec.replicas`.
 */
export function applyConflictError(conflicts: ApplyConflict[]): ApiError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0])}: ${conflicts[0].field}`;
  } else {
    const byManager = new Map<string, ApplyConflict[]>();
    for (const conflict of conflicts) {
      const key = JSON.stringify([conflict.manager, conflict.operation, conflict.apiVersion, conflict.subresource ?? '']);
      byManager.set(key, [...(byManager.get(key) ?? []), conflict]);
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      const group = byManager.get(key)!;
      lines.push(`conflicts with ${describeManager(group[0])}:`);
      for (const conflict of group) lines.push(`- ${conflict.field}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, {
    causes: conflicts.map((conflict) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(conflict)}`, field: conflict.field })),
  });
}
