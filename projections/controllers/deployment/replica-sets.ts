import type { KubeObject } from '../../../core/model/object.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { POD_TEMPLATE_HASH_LABEL } from '../../../core/model/pod-template-hash.ts';
import { revisionOf } from './annotations.ts';

/** Helpers over a Deployment's ReplicaSets (pkg/controller/controller_utils.go, deploymentutil). */

export const specReplicas = (rs: KubeObject): number => rs.spec?.replicas ?? 1;
export const statusReplicas = (rs: KubeObject): number => rs.status?.replicas ?? 0;
export const readyReplicas = (rs: KubeObject): number => rs.status?.readyReplicas ?? 0;
export const availableReplicas = (rs: KubeObject): number => rs.status?.availableReplicas ?? 0;

export function sum(list: readonly KubeObject[], of: (rs: KubeObject) => number): number {
  let total = 0;
  for (let i = 0; i < list.length; i++) total += of(list[i]!);
  return total;
}

/** Creation timestamps read so far (whole seconds, so few distinct ones): sorting compares each several times per sync. */
const createdAt = new Map<string, number>();

function created(rs: KubeObject): number {
  const text = rs.metadata.creationTimestamp ?? '';
  let time = createdAt.get(text);
  if (time === undefined) {
    if (createdAt.size >= 10_000) createdAt.clear();
    time = Date.parse(text);
    if (Number.isNaN(time)) time = 0;
    createdAt.set(text, time);
  }
  return time;
}

/** `ReplicaSetsByCreationTimestamp`: older first, then by name. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const diff = created(a) - created(b);
  if (diff !== 0) return diff;
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** `ReplicaSetsBySizeOlder`: larger first, ties older first. */
export function bySizeOlder(a: KubeObject, b: KubeObject): number {
  const diff = specReplicas(b) - specReplicas(a);
  return diff !== 0 ? diff : byCreation(a, b);
}

/** `ReplicaSetsBySizeNewer`: larger first, ties newer first. */
export function bySizeNewer(a: KubeObject, b: KubeObject): number {
  const diff = specReplicas(b) - specReplicas(a);
  return diff !== 0 ? diff : byCreation(b, a);
}

/** `ReplicaSetsByRevision`: lower revision first, ties by creation. */
export function byRevision(a: KubeObject, b: KubeObject): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra === undefined || rb === undefined || ra === rb) return byCreation(a, b);
  return ra - rb;
}

/** `FilterActiveReplicaSets`: those with spec.replicas > 0. */
export function activeReplicaSets(list: ReadonlyArray<KubeObject | undefined>): KubeObject[] {
  return list.filter((rs): rs is KubeObject => !!rs && specReplicas(rs) > 0);
}

function labelsEqualIgnoringHash(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const keysA = Object.keys(a ?? {}).filter((k) => k !== POD_TEMPLATE_HASH_LABEL);
  const keysB = Object.keys(b ?? {}).filter((k) => k !== POD_TEMPLATE_HASH_LABEL);
  return keysA.length === keysB.length && keysA.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a![k] === b![k]);
}

/** `EqualIgnoreHash`: two pod templates are the same apart from the pod-template-hash label. */
export function equalIgnoreHash(a: any, b: any): boolean {
  if (!jsonEqual(a?.spec, b?.spec)) return false;
  const metaA = a?.metadata ?? {};
  const metaB = b?.metadata ?? {};
  if (!labelsEqualIgnoringHash(metaA.labels, metaB.labels)) return false;
  for (const key of new Set([...Object.keys(metaA), ...Object.keys(metaB)])) {
    if (key !== 'labels' && !jsonEqual(metaA[key], metaB[key])) return false;
  }
  for (const key of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
    if (key !== 'spec' && key !== 'metadata' && !jsonEqual(a[key], b[key])) return false;
  }
  return true;
}

/** Verdicts of equalIgnoreHash by pair of template objects (the Deployment's, then the ReplicaSet's): templates are never changed in place once made. */
const sameTemplate = new WeakMap<object, WeakMap<object, boolean>>();

/** equalIgnoreHash(a, b), decided once per pair of templates (`verdicts` holds those of b): every sync of a Deployment asks it again of the same ones. */
function templatesEqualIgnoringHash(a: unknown, b: unknown, verdicts: WeakMap<object, boolean> | undefined): boolean {
  if (!a || typeof a !== 'object' || !verdicts) return equalIgnoreHash(a, b);
  let equal = verdicts.get(a);
  if (equal === undefined) verdicts.set(a, (equal = equalIgnoreHash(a, b)));
  return equal;
}

/** The verdicts about templates compared with `template` (undefined when it is not an object, which is not cached). */
function verdictsAbout(template: unknown): WeakMap<object, boolean> | undefined {
  if (!template || typeof template !== 'object') return undefined;
  let verdicts = sameTemplate.get(template);
  if (!verdicts) sameTemplate.set(template, (verdicts = new WeakMap()));
  return verdicts;
}

/** `FindNewReplicaSet`: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: KubeObject, rsList: readonly KubeObject[]): KubeObject | undefined {
  const template = d.spec?.template;
  const verdicts = verdictsAbout(template);
  const sorted = rsList.length > 1 ? [...rsList].sort(byCreation) : rsList;
  for (const rs of sorted) if (templatesEqualIgnoringHash(rs.spec?.template, template, verdicts)) return rs;
  return undefined;
}
