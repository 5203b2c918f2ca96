import type { KubeObject, ObjectRef } from '../../core/model/object.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';

export interface FieldChange {
  /** Dotted path with list indexes, e.g. `spec.containers[0].image`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface StateDiff {
  added: ObjectRef[];
  removed: ObjectRef[];
  changed: Array<{ ref: ObjectRef; fields: FieldChange[] }>;
}

/** Fields that change on every write and say nothing by themselves. */
const IGNORED_PATHS = new Set(['metadata.resourceVersion']);

function refFor(kind: string, object: KubeObject): ObjectRef {
  const ref: ObjectRef = { kind, name: object.metadata.name ?? '' };
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  return ref;
}

/** Field-level changes between two versions of an object (paths to the leaves that differ). */
export function diffObjects(before: unknown, after: unknown, path = ''): FieldChange[] {
  const changes: FieldChange[] = [];
  walk(before, after, path, changes);
  return changes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (before === after || IGNORED_PATHS.has(path)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of Object.keys(before)) walk(before[key], after[key], path ? `${path}.${key}` : key, out);
    for (const key of Object.keys(after)) if (!(key in before)) walk(undefined, after[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) walk(before[i], after[i], `${path}[${i}]`, out);
    return;
  }
  if (before === undefined && after === undefined) return;
  const change: FieldChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  out.push(change);
}

/**
 * What changed between two states: objects added, removed and changed (with their fields).
 * Objects are immutable and shared between states, so identical references are skipped unread.
 */
export function diffStates(from: ClusterState, to: ClusterState): StateDiff {
  const diff: StateDiff = { added: [], removed: [], changed: [] };
  const kinds = new Set([...from.objects.keys(), ...to.objects.keys()]);
  for (const kind of [...kinds].sort()) {
    const before = from.objects.get(kind) ?? new Map<string, KubeObject>();
    const after = to.objects.get(kind) ?? new Map<string, KubeObject>();
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const a = before.get(key);
      const b = after.get(key);
      if (a === b) continue;
      if (!a) diff.added.push(refFor(kind, b!));
      else if (!b) diff.removed.push(refFor(kind, a));
      else if (a.metadata.uid !== b.metadata.uid) {
        // Deleted and re-created under the same name: a different object.
        diff.removed.push(refFor(kind, a));
        diff.added.push(refFor(kind, b));
      } else {
        const fields = diffObjects(a, b);
        if (fields.length > 0) diff.changed.push({ ref: refFor(kind, b), fields });
      }
    }
  }
  return diff;
}
