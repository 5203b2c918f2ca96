import { MAX_NODE_SCORE, type ScorePlugin } from './score.ts';

/** The system default constraints kube-scheduler applies to pods that set none (both ScheduleAnyway). */
const HOSTNAME_MAX_SKEW = 3;
const ZONE_MAX_SKEW = 5;

/**
 * PodTopologySpread with the system default constraints (hostname maxSkew 3, zone maxSkew 5), for
 * pods a ReplicaSet, StatefulSet or ReplicationController controls: each node scores
 * `count × log(domains + 2) + (maxSkew − 1)` per constraint, and fewer siblings nearby is better
 * after normalising `100 × (max + min − s) / max`. Siblings are the pods of the same controller,
 * which for pods the controller created is exactly the set its selector matches.
 */
export const podTopologySpread: ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  applies: (pod) => pod.defaultSpread,
  score(pod, nodes, count, out, spread) {
    const group = pod.spreadGroup!;
    const zones = new Set<string>();
    for (let i = 0; i < count; i++) zones.add(nodes[i]!.zone ?? '');
    const hostnameWeight = Math.log(count + 2);
    const zoneWeight = Math.log(zones.size + 2);
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let i = 0; i < count; i++) {
      const node = nodes[i]!;
      let score = spread.onNode(group, node) * hostnameWeight + (HOSTNAME_MAX_SKEW - 1);
      if (node.zone !== undefined) score += spread.inZone(group, node.zone) * zoneWeight + (ZONE_MAX_SKEW - 1);
      const rounded = Math.round(score);
      out[i] = rounded;
      if (rounded < min) min = rounded;
      if (rounded > max) max = rounded;
    }
    for (let i = 0; i < count; i++) out[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - out[i]!)) / max);
  },
};
