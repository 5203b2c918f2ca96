import type { KubeObject } from '../../core/model/object.ts';
import { schemaFor } from '../openapi/schema-lookup.ts';
import type { Schema } from '../openapi/component-schemas.ts';
import { FieldSet } from './field-set.ts';
import { isPlainObject, jsonEqual, type JsonObject } from './json-values.ts';
import { addedFieldsV1, compareFields } from './typed-fields.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';

/** One `metadata.managedFields` entry, as Kubernetes serialises it. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** A manager's identity (everything but time and fields) and the fields it owns. */
export interface ManagerFields {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  fields: FieldSet;
}

export interface ManagedFieldsOptions {
  /** Time of this write, RFC 3339 or ms since the epoch (virtual in simulation, wall clock in server mode). */
  time: string | number;
  /** `status`, `scale`, ... when the write came through a subresource. */
  subresource?: string;
}

export function managerKey(entry: Pick<ManagerFields, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([entry.manager, entry.operation, entry.apiVersion, entry.subresource ?? '']);
}

type ManagerIdentity = Pick<ManagerFields, 'manager' | 'operation' | 'apiVersion' | 'subresource'>;

/** `managerKey(a) === managerKey(b)`, without building the keys. */
export function sameManager(a: ManagerIdentity, b: ManagerIdentity): boolean {
  return a.manager === b.manager && a.operation === b.operation && a.apiVersion === b.apiVersion && (a.subresource ?? '') === (b.subresource ?? '');
}

// Entries are immutable once written, and most writes leave most managers untouched: decoding
// each stored fieldsV1 once and re-emitting unchanged entries as they were keeps writes cheap.
const decodedSets = new WeakMap<object, FieldSet>();
const encodedEntries = new WeakMap<FieldSet, ManagedFieldsEntry>();

function fieldSetOf(fieldsV1: unknown): FieldSet {
  if (!fieldsV1 || typeof fieldsV1 !== 'object') return new FieldSet();
  let set = decodedSets.get(fieldsV1);
  if (!set) decodedSets.set(fieldsV1, (set = FieldSet.fromFieldsV1(fieldsV1)));
  return set;
}

export function decodeManagedFields(entries: unknown): ManagerFields[] {
  if (!Array.isArray(entries)) return [];
  return entries.filter(isPlainObject).map((entry) => {
    const decoded: ManagerFields = {
      manager: String(entry.manager ?? ''),
      operation: entry.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: String(entry.apiVersion ?? ''),
      fields: fieldSetOf(entry.fieldsV1),
    };
    if (entry.fieldsType === 'FieldsV1') encodedEntries.set(decoded.fields, entry as unknown as ManagedFieldsEntry);
    if (typeof entry.time === 'string') decoded.time = entry.time;
    if (typeof entry.subresource === 'string' && entry.subresource) decoded.subresource = entry.subresource;
    return decoded;
  });
}

/** Kubernetes' order: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(managers: ManagerFields[]): ManagedFieldsEntry[] {
  const kept = managers.filter((manager) => !manager.fields.isEmpty());
  if (kept.length > 1) kept.sort(compareManagers);
  const entries: ManagedFieldsEntry[] = new Array(kept.length);
  for (let i = 0; i < kept.length; i++) entries[i] = encodeEntry(kept[i]!);
  return entries;
}

function compareManagers(p: ManagerFields, q: ManagerFields): number {
  return (
    compare(p.operation, q.operation) ||
    timeSeconds(p.time) - timeSeconds(q.time) ||
    compare(p.manager, q.manager) ||
    compare(p.apiVersion, q.apiVersion) ||
    compare(p.subresource ?? '', q.subresource ?? '')
  );
}

function timeSeconds(time?: string): number {
  return time ? Math.floor(Date.parse(time) / 1000) : 0;
}

function encodeEntry(manager: ManagerFields): ManagedFieldsEntry {
  const previous = encodedEntries.get(manager.fields);
  if (previous && previous.manager === manager.manager && previous.operation === manager.operation && previous.apiVersion === manager.apiVersion && previous.time === manager.time && (previous.subresource ?? '') === (manager.subresource ?? '')) return previous;
  // Key order as Kubernetes serialises entries.
  const entry = { manager: manager.manager, operation: manager.operation, apiVersion: manager.apiVersion } as ManagedFieldsEntry;
  if (manager.time) entry.time = manager.time;
  entry.fieldsType = 'FieldsV1';
  entry.fieldsV1 = manager.fields.toFieldsV1();
  if (manager.subresource) entry.subresource = manager.subresource;
  return entry;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const UNTRACKED_TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata']);
/** What stripMetaManager leaves out of metadata. */
const UNTRACKED_METADATA = new Set(['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']);

/** `value` without the keys in `left` (own keys, in their order), built by a loop: object rest with excluded keys is several times slower. */
function withoutKeys(value: JsonObject, left: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(value)) if (!left.has(key)) out[key] = value[key];
  return out;
}

/** Fields no manager owns (stripMetaManager), plus those reset by the endpoint written through. */
export function trackedContent(object: JsonObject | undefined, subresource?: string): JsonObject {
  if (!object) return {};
  const content = withoutKeys(object, UNTRACKED_TOP_LEVEL);
  const metadata = object.metadata;
  if (isPlainObject(metadata)) {
    const meta = withoutKeys(metadata, UNTRACKED_METADATA);
    if (Object.keys(meta).length > 0) content.metadata = meta;
  }
  if (subresource === undefined) delete content.status;
  if (subresource === 'status') delete content.spec;
  return content;
}

/** The RFC 3339 second-precision form Kubernetes stores in managedFields[].time. */
export function managedFieldsTime(time: string | number): string {
  return toRfc3339(typeof time === 'number' ? time : Date.parse(time));
}

/** `kubectl/v1.32.0 (linux/amd64) kubernetes/abc` → `kubectl`: the manager when a write names none. */
export function defaultFieldManager(userAgent: string | undefined): string {
  return (userAgent ?? '').split('/')[0].slice(0, 128);
}

export function objectSchema(object: { kind?: string; apiVersion?: string }): Schema | undefined {
  return object.kind ? schemaFor(object.kind, object.apiVersion) : undefined;
}

/**
 * Records a non-apply write (create, update, patch) in `metadata.managedFields` the way Kubernetes
 * does: the writer takes every field it added or changed (taking them away from other managers,
 * which is what later makes an apply of those fields conflict) and everyone loses removed fields.
 * Returns a copy of `next` with the new managedFields.
 */
export function recordUpdateManagedFields<T extends KubeObject>(
  previous: KubeObject | undefined,
  next: T,
  manager: string,
  operation: 'Update' | 'Apply',
  options: ManagedFieldsOptions,
): T {
  const schema = objectSchema(next);
  // Like the apiserver, managedFields the write itself sets (kubectl's client-side-apply upgrade
  // patches them) replace the stored ones; subresource writes cannot set them.
  const requested = next.metadata?.managedFields;
  const writesOwn = !options.subresource && Array.isArray(requested) && requested.length > 0 && !jsonEqual(requested, previous?.metadata?.managedFields);
  if (previous === undefined && !writesOwn) {
    const created = createdManagedFields(next, manager, operation, schema, options);
    if (created) return created;
  }
  const managers = decodeManagedFields(writesOwn ? requested : previous?.metadata?.managedFields).filter((entry) => entry.manager !== '' || !entry.fields.isEmpty());
  const diff = compareFields(trackedContent(previous as JsonObject | undefined, options.subresource), trackedContent(next as JsonObject, options.subresource), schema);
  // The sets compareFields returns are fresh and never mutated below, so an empty operand's union is the other set itself.
  const nothingRemoved = diff.removed.isEmpty();
  const changed = diff.modified.isEmpty() ? diff.added : diff.modified.union(diff.added);
  const identity: ManagerIdentity = { manager, operation, apiVersion: next.apiVersion };
  if (options.subresource) identity.subresource = options.subresource;
  let own = managers.find((entry) => sameManager(entry, identity));
  const taken = nothingRemoved ? changed : changed.union(diff.removed);
  if (!taken.isEmpty()) {
    for (const entry of managers) if (entry !== own) entry.fields = withoutFields(entry.fields, taken);
  }
  if (!own) managers.push((own = { ...identity, fields: new FieldSet() }));
  const before = own.fields;
  if (!nothingRemoved || !changed.isEmpty()) own.fields = nothingRemoved && before.isEmpty() ? changed : before.difference(diff.removed).union(changed);
  if (!own.time || !own.fields.equals(before)) own.time = managedFieldsTime(options.time);
  // A new top-level object and metadata; the rest is shared with `next`, which the caller owns.
  const managedFields = encodeManagedFields(managers);
  const metadata = withoutKeys((next.metadata ?? {}) as JsonObject, MANAGED_FIELDS_KEY);
  if (managedFields.length > 0) metadata.managedFields = managedFields;
  return { ...next, metadata };
}

/**
 * A create's managedFields: the writer owns every field it set. The same entry the general
 * bookkeeping records, built directly (most writes are creates); undefined when the general path must decide.
 */
function createdManagedFields<T extends KubeObject>(next: T, manager: string, operation: 'Update' | 'Apply', schema: Schema | undefined, options: ManagedFieldsOptions): T | undefined {
  const fieldsV1 = addedFieldsV1(trackedContent(next as JsonObject, options.subresource), schema);
  if (fieldsV1 === undefined) return undefined;
  const metadata = withoutKeys((next.metadata ?? {}) as JsonObject, MANAGED_FIELDS_KEY);
  if (Object.keys(fieldsV1).length > 0) {
    // Key order as Kubernetes serialises entries (encodeEntry).
    const entry = { manager, operation, apiVersion: next.apiVersion, time: managedFieldsTime(options.time), fieldsType: 'FieldsV1', fieldsV1 } as ManagedFieldsEntry;
    if (options.subresource) entry.subresource = options.subresource;
    metadata.managedFields = [entry] as unknown as JsonObject[];
  }
  return { ...next, metadata };
}

const MANAGED_FIELDS_KEY: ReadonlySet<string> = new Set(['managedFields']);

/** `fields` minus `taken`, the same instance when nothing is taken (so its stored entry is reused). */
export function withoutFields(fields: FieldSet, taken: FieldSet): FieldSet {
  return fields.intersects(taken) ? fields.difference(taken) : fields;
}
