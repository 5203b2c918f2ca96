import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { type HostPort, addPorts } from './host-ports.ts';
import { NodeColumns } from './node-columns.ts';
import { type NodeInfo, nodeInfoOf } from './node-info.ts';
import { type PodInfo, podInfoOf } from './pod-info.ts';
import type { SpreadCounts } from './scores/score.ts';
import type { PodAffinityView } from './pod-affinity-view.ts';
import type { AffinityTerm, PodLabels } from './pod-affinity.ts';

/** What one pod adds to the node it is bound (or assumed) to. */
interface PodEntry {
  object: KubeObject | undefined;
  node: string;
  cpu: number;
  memory: number;
  nonZeroCpu: number;
  nonZeroMemory: number;
  other: Readonly<Record<string, number>> | undefined;
  hostPorts: readonly HostPort[] | undefined;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  antiAffinityTerms: readonly AffinityTerm[] | undefined;
  spreadGroup: string | undefined;
  /** Terminating pods still hold their resources but no longer count as spread siblings. */
  terminating: boolean;
  /** Placed by this scheduler, binding not yet seen in the state. */
  assumed: boolean;
}

export type NodeChange = 'added' | 'changed' | 'unchanged';

/** Keys of the room held for nominated pods (no pod key starts with a NUL). */
const NOMINATED_PREFIX = '\u0000nominated:';

let layouts = 0;

/**
 * kube-scheduler's cache: every node's NodeInfo, in name order, with the running sums of what its
 * pods request, and per spread group the pods on each node and in each zone. It is kept
 * incrementally: `syncPod` and `syncNode` are level-based (they read the object as it is now and
 * apply the difference), so feeding them the same object twice changes nothing.
 */
export class SchedulerCache implements SpreadCounts, PodAffinityView {
  readonly nodes: NodeInfo[] = [];
  /** The nodes' numbers, by position in `nodes`, for the scheduling loop. */
  readonly columns = new NodeColumns();
  /**
   * Changes whenever a node joins or leaves the list (never repeats, across caches): the same
   * layout and positions always hold the same node names.
   */
  layout = ++layouts;
  private readonly byName = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodEntry>();
  private readonly podsByNode = new Map<string, Set<string>>();
  private readonly groupOnNode = new Map<string, Map<string, number>>();
  private readonly groupInZone = new Map<string, Map<string, number>>();
  /** Keys of pods with required anti-affinity terms, which every other pod must be checked against. */
  private readonly withAntiAffinity = new Set<string>();

  /** A cache holding exactly what `state` says: every node and every bound, unfinished pod. */
  static fromState(state: ClusterState): SchedulerCache {
    const cache = new SchedulerCache();
    // All nodes at once, sorted once (inserting 5,000 one by one would shift the columns each time).
    for (const node of state.objects.get('Node')?.values() ?? []) {
      const info = nodeInfoOf(node);
      if (cache.byName.has(info.name)) continue;
      cache.nodes.push(info);
      cache.byName.set(info.name, info);
    }
    cache.nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    cache.columns.resize(cache.nodes.length);
    cache.nodes.forEach((info, index) => {
      info.index = index;
      cache.columns.write(index, info);
    });
    for (const [key, pod] of state.objects.get('Pod') ?? []) cache.syncPod(key, pod);
    return cache;
  }

  node(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  /** Brings a node in line with its object (`undefined` = gone). */
  syncNode(name: string, object: KubeObject | undefined): NodeChange {
    const existing = this.byName.get(name);
    if (!object) {
      if (existing) this.removeNode(existing);
      return existing ? 'changed' : 'unchanged';
    }
    if (existing && sameSchedulingInputs(existing.source, object)) {
      existing.source = object;
      return 'unchanged';
    }
    const next = nodeInfoOf(object);
    if (existing && existing.fingerprint === next.fingerprint) {
      existing.source = object;
      return 'unchanged';
    }
    if (existing) {
      next.requestedCpu = existing.requestedCpu;
      next.requestedMemory = existing.requestedMemory;
      next.nonZeroCpu = existing.nonZeroCpu;
      next.nonZeroMemory = existing.nonZeroMemory;
      next.podCount = existing.podCount;
      next.requestedOther = existing.requestedOther;
      next.usedPorts = existing.usedPorts;
      next.index = existing.index;
      this.nodes[next.index] = next;
      this.byName.set(name, next);
      this.columns.write(next.index, next);
      if (existing.zone !== next.zone) this.moveZone(name, existing.zone, next.zone);
      return 'changed';
    }
    const at = this.insertionPoint(name);
    this.nodes.splice(at, 0, next);
    this.layout = ++layouts;
    this.columns.insert(at, next);
    this.renumberFrom(at);
    this.byName.set(name, next);
    for (const key of this.podsByNode.get(name) ?? []) this.addToNode(next, this.pods.get(key)!, 1);
    return 'added';
  }

  /**
   * Brings a pod's contribution in line with its object (`undefined` = gone). Returns the node it
   * stopped counting against, if any, since that node may now fit a pod that did not fit before.
   */
  syncPod(key: string, object: KubeObject | undefined): string | undefined {
    const entry = this.pods.get(key);
    if (entry && entry.object === object && object !== undefined) return undefined;
    const nodeName = object?.spec?.nodeName as string | undefined;
    const phase = object?.status?.phase;
    const holdsNode = !!nodeName && phase !== 'Succeeded' && phase !== 'Failed';
    if (entry?.assumed && object && !nodeName && !object.metadata.deletionTimestamp && entry.object?.metadata.uid === object.metadata.uid) {
      entry.object = object;
      return undefined;
    }
    if (!holdsNode) {
      if (!entry) return undefined;
      this.removeEntry(key, entry);
      return entry.node;
    }
    const sameSpec = !!entry?.object && sameSpecBesidesNodeName(entry.object.spec, object!.spec) && entry.object.metadata.ownerReferences === object!.metadata.ownerReferences;
    // A status change of a placed pod (most pod events): the copy below would differ from the entry
    // only in what this compares, so the entry is kept without building the copy to compare.
    const labels = object!.metadata.labels;
    if (sameSpec && entry!.node === nodeName && labels !== undefined && entry!.labels === labels && entry!.terminating === !!object!.metadata.deletionTimestamp) {
      entry!.object = object;
      entry!.assumed = false;
      return undefined;
    }
    const next = sameSpec
      ? { ...entry!, object, node: nodeName!, labels: labels ?? {}, terminating: !!object!.metadata.deletionTimestamp, assumed: false }
      : entryOf(object!, nodeName!, podInfoOf(object!), false);
    if (entry && sameContribution(entry, next)) {
      entry.object = object;
      entry.assumed = false;
      return undefined;
    }
    if (entry) this.removeEntry(key, entry);
    this.addEntry(key, next);
    return entry && entry.node !== nodeName ? entry.node : undefined;
  }

  /** Counts a pod against the node this scheduler just chose, before its binding comes back as an event. */
  assume(pod: PodInfo, object: KubeObject, nodeName: string): void {
    const existing = this.pods.get(pod.key);
    if (existing) this.removeEntry(pod.key, existing);
    this.addEntry(pod.key, entryOf(object, nodeName, pod, true));
  }

  /**
   * Holds room on a node for a pod nominated there by preemption (kube-scheduler's nominator), so
   * that the pods scheduled while its victims terminate do not take that room; `release` gives it
   * back (the pod is placed, gone, or being scheduled again).
   */
  reserve(pod: PodInfo, object: KubeObject, nodeName: string): void {
    this.release(pod.key);
    this.addEntry(NOMINATED_PREFIX + pod.key, entryOf(object, nodeName, pod, true));
  }

  release(key: string): void {
    const entry = this.pods.get(NOMINATED_PREFIX + key);
    if (entry) this.removeEntry(NOMINATED_PREFIX + key, entry);
  }

  /** The pods counted against a node (placed or assumed; not the room held for nominated ones), in key order. */
  podsOn(nodeName: string): KubeObject[] {
    const keys = this.podsByNode.get(nodeName);
    if (!keys) return [];
    const pods: KubeObject[] = [];
    for (const key of [...keys].sort()) {
      const object = key.startsWith(NOMINATED_PREFIX) ? undefined : this.pods.get(key)!.object;
      if (object) pods.push(object);
    }
    return pods;
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  allNodes(): readonly NodeInfo[] {
    return this.nodes;
  }

  forEachPod(visit: (pod: PodLabels, node: NodeInfo) => void): void {
    for (const [name, keys] of this.podsByNode) {
      const node = this.byName.get(name);
      if (node) for (const key of keys) visit(this.pods.get(key)!, node);
    }
  }

  forEachPodWithAntiAffinity(visit: (terms: readonly AffinityTerm[], node: NodeInfo) => void): void {
    for (const key of this.withAntiAffinity) {
      const entry = this.pods.get(key)!;
      const node = this.byName.get(entry.node);
      if (node) visit(entry.antiAffinityTerms!, node);
    }
  }

  nodeCounts(group: string): ReadonlyMap<string, number> | undefined {
    return this.groupOnNode.get(group);
  }

  inZone(group: string, zone: string): number {
    return this.groupInZone.get(group)?.get(zone) ?? 0;
  }

  private addEntry(key: string, entry: PodEntry): void {
    this.pods.set(key, entry);
    if (entry.antiAffinityTerms) this.withAntiAffinity.add(key);
    let keys = this.podsByNode.get(entry.node);
    if (!keys) this.podsByNode.set(entry.node, (keys = new Set()));
    keys.add(key);
    const node = this.byName.get(entry.node);
    if (node) this.addToNode(node, entry, 1);
  }

  private removeEntry(key: string, entry: PodEntry): void {
    this.pods.delete(key);
    this.withAntiAffinity.delete(key);
    const keys = this.podsByNode.get(entry.node);
    keys?.delete(key);
    if (keys?.size === 0) this.podsByNode.delete(entry.node);
    const node = this.byName.get(entry.node);
    if (node) this.addToNode(node, entry, -1);
  }

  private addToNode(node: NodeInfo, entry: PodEntry, sign: 1 | -1): void {
    node.requestedCpu += sign * entry.cpu;
    node.requestedMemory += sign * entry.memory;
    node.nonZeroCpu += sign * entry.nonZeroCpu;
    node.nonZeroMemory += sign * entry.nonZeroMemory;
    node.podCount += sign;
    if (entry.hostPorts) addPorts(node.usedPorts, entry.hostPorts, sign);
    if (entry.other) for (const name in entry.other) node.requestedOther.set(name, (node.requestedOther.get(name) ?? 0) + sign * entry.other[name]!);
    this.columns.writeUsage(node.index, node);
    if (entry.spreadGroup && !entry.terminating) {
      bump(this.groupOnNode, entry.spreadGroup, node.name, sign);
      if (node.zone !== undefined) bump(this.groupInZone, entry.spreadGroup, node.zone, sign);
    }
  }

  private removeNode(node: NodeInfo): void {
    for (const key of this.podsByNode.get(node.name) ?? []) this.addToNode(node, this.pods.get(key)!, -1);
    const at = node.index;
    this.nodes.splice(at, 1);
    this.layout = ++layouts;
    this.columns.remove(at);
    this.renumberFrom(at);
    this.byName.delete(node.name);
  }

  private moveZone(nodeName: string, from: string | undefined, to: string | undefined): void {
    for (const key of this.podsByNode.get(nodeName) ?? []) {
      const entry = this.pods.get(key)!;
      if (!entry.spreadGroup || entry.terminating) continue;
      if (from !== undefined) bump(this.groupInZone, entry.spreadGroup, from, -1);
      if (to !== undefined) bump(this.groupInZone, entry.spreadGroup, to, 1);
    }
  }

  private insertionPoint(name: string): number {
    let low = 0;
    let high = this.nodes.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.nodes[mid]!.name < name) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private renumberFrom(at: number): void {
    for (let i = at; i < this.nodes.length; i++) this.nodes[i]!.index = i;
  }
}

/**
 * Whether a node's new object leaves everything the scheduler reads where it was: the state shares
 * unchanged parts between versions, so a heartbeat-like status update keeps labels, spec and
 * allocatable by reference, and only the Ready status needs comparing.
 */
function sameSchedulingInputs(previous: KubeObject, next: KubeObject): boolean {
  return (
    previous.metadata.labels === next.metadata.labels &&
    previous.spec === next.spec &&
    previous.status?.allocatable === next.status?.allocatable &&
    previous.status?.capacity === next.status?.capacity &&
    readyStatus(previous) === readyStatus(next)
  );
}

/**
 * Whether two pod specs differ at most in nodeName, field by field by reference: a binding gives
 * the pod a new spec that shares every other field with the one the scheduler assumed, and the
 * pod's requests, ports and affinity need not be read again.
 */
function sameSpecBesidesNodeName(a: KubeObject['spec'], b: KubeObject['spec']): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  let fields = 0;
  for (const key in b) {
    if (key === 'nodeName') continue;
    if (a[key] !== b[key]) return false;
    fields++;
  }
  for (const key in a) if (key !== 'nodeName') fields--;
  return fields === 0;
}

function readyStatus(node: KubeObject): string | undefined {
  return ((node.status?.conditions ?? []) as Array<{ type: string; status: string }>).find((c) => c.type === 'Ready')?.status;
}

function entryOf(object: KubeObject, node: string, info: PodInfo, assumed: boolean): PodEntry {
  const { cpu, memory, nonZeroCpu, nonZeroMemory, other } = info.requests;
  return {
    object,
    node,
    cpu,
    memory,
    nonZeroCpu,
    nonZeroMemory,
    other,
    hostPorts: info.hostPorts,
    namespace: info.namespace,
    labels: info.labels,
    antiAffinityTerms: info.antiAffinityTerms,
    spreadGroup: info.spreadGroup,
    terminating: !!object.metadata.deletionTimestamp,
    assumed,
  };
}

function sameContribution(a: PodEntry, b: PodEntry): boolean {
  return (
    a.node === b.node &&
    a.cpu === b.cpu &&
    a.memory === b.memory &&
    a.nonZeroCpu === b.nonZeroCpu &&
    a.nonZeroMemory === b.nonZeroMemory &&
    JSON.stringify(a.other) === JSON.stringify(b.other) &&
    JSON.stringify(a.hostPorts) === JSON.stringify(b.hostPorts) &&
    a.spreadGroup === b.spreadGroup &&
    a.labels === b.labels &&
    a.antiAffinityTerms === b.antiAffinityTerms &&
    a.terminating === b.terminating
  );
}

function bump(counts: Map<string, Map<string, number>>, group: string, key: string, delta: number): void {
  let byKey = counts.get(group);
  if (!byKey) counts.set(group, (byKey = new Map()));
  const next = (byKey.get(key) ?? 0) + delta;
  if (next === 0) {
    byKey.delete(key);
    if (byKey.size === 0) counts.delete(group);
  } else byKey.set(key, next);
}
