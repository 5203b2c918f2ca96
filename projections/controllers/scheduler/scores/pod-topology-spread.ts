import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';

/** The system default constraints kube-scheduler applies to pods that set none (both ScheduleAnyway). */
const HOSTNAME_MAX_SKEW = 3;
const ZONE_MAX_SKEW = 5;

/**
 * PodTopologySpread with the system default constraints (hostname maxSkew 3, zone maxSkew 5), for
 * pods a ReplicaSet, StatefulSet or ReplicationController controls: each node scores
 * `count × log(domains + 2) + (maxSkew − 1)` per constraint, and fewer siblings nearby is better
 * after normalising `100 × (max + min − s) / max`. Siblings are the pods of the same controller,
 * which for pods the controller created is exactly the set its selector matches. Only the few
 * nodes that hold siblings are looked up; every other node has a count of zero.
 */
let scratch = new Float64Array(1024);

export const podTopologySpread: ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  applies: (pod) => pod.defaultSpread,
  score(pod, nodes, count, out, spread, cycle) {
    const group = pod.spreadGroup!;
    let zoned = false;
    for (let i = 0; i < count && !zoned; i++) zoned = nodes[i]!.zone !== undefined;
    const hostnameWeight = Math.log(count + 2);
    if (scratch.length < count) scratch = new Float64Array(Math.max(count, 2 * scratch.length));
    const raw = scratch;
    raw.fill(HOSTNAME_MAX_SKEW - 1, 0, count);
    if (zoned) {
      // Nodes without the zone label form a domain of their own ("") in the count, as in Kubernetes.
      const zones = new Set<string>();
      for (let i = 0; i < count; i++) zones.add(nodes[i]!.zone ?? '');
      const zoneWeight = Math.log(zones.size + 2);
      for (let i = 0; i < count; i++) {
        const zone = nodes[i]!.zone;
        if (zone !== undefined) raw[i]! += spread.inZone(group, zone) * zoneWeight + (ZONE_MAX_SKEW - 1);
      }
    }
    const onNodes = spread.nodeCounts(group);
    if (onNodes) {
      for (const [name, siblings] of onNodes) {
        const node = spread.node(name);
        if (node && node.cycle === cycle.id) raw[node.feasibleIndex]! += siblings * hostnameWeight;
      }
    }
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let i = 0; i < count; i++) {
      const rounded = Math.round(raw[i]!);
      out[i] = rounded;
      if (rounded < min) min = rounded;
      if (rounded > max) max = rounded;
    }
    for (let i = 0; i < count; i++) out[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - out[i]!)) / max);
  },
};
