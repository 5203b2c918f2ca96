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
/** Per zone (by its index in the columns): the cycle that last counted it, and its term in that cycle. */
let zoneStamps = new Int32Array(16);
let zoneTerms = new Float64Array(16);
let siblingAt = new Int32Array(64);
let siblingScore = new Int32Array(64);

export const podTopologySpread: ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  applies: (pod) => pod.defaultSpread,
  score(pod, count, out, spread, cycle) {
    const group = pod.spreadGroup!;
    const { positions, columns } = cycle;
    const zoneOf = columns.zone;
    const hostnameWeight = Math.log(count + 2);
    // Nodes without the zone label form a domain of their own ("") in the count, as in Kubernetes.
    const zoneCount = columns.zoneNames.length;
    if (zoneStamps.length < zoneCount) {
      zoneStamps = new Int32Array(Math.max(zoneCount, 2 * zoneStamps.length));
      zoneTerms = new Float64Array(zoneStamps.length);
    }
    let zones = 0;
    let unzoned = false;
    if (zoneCount > 0) {
      for (let i = 0; i < count; i++) {
        const zone = zoneOf[positions[i]!]!;
        if (zone < 0) unzoned = true;
        else if (zoneStamps[zone] !== cycle.id) {
          zoneStamps[zone] = cycle.id;
          zones++;
        }
      }
    }
    if (scratch.length < count) scratch = new Float64Array(Math.max(count, 2 * scratch.length));
    const raw = scratch;
    if (zones > 0) {
      raw.fill(HOSTNAME_MAX_SKEW - 1, 0, count);
      const zoneWeight = Math.log(zones + (unzoned ? 1 : 0) + 2);
      // Each zone's term once per cycle (stamped negative once computed), not once per node.
      for (let i = 0; i < count; i++) {
        const zone = zoneOf[positions[i]!]!;
        if (zone < 0) continue;
        if (zoneStamps[zone] !== -cycle.id) {
          zoneStamps[zone] = -cycle.id;
          zoneTerms[zone] = spread.inZone(group, columns.zoneNames[zone]!) * zoneWeight + (ZONE_MAX_SKEW - 1);
        }
        raw[i]! += zoneTerms[zone]!;
      }
    }
    const onNodes = spread.nodeCounts(group);
    const stamps = columns.cycle;
    const feasibleIndexes = columns.feasibleIndex;
    if (zones === 0) {
      // Without zones every node scores HOSTNAME_MAX_SKEW − 1 but the few that hold siblings: the
      // bounds and scores come from those few, and the rest share one normalised score.
      let siblingNodes = 0;
      if (onNodes) {
        if (siblingAt.length < onNodes.size) {
          siblingAt = new Int32Array(2 * onNodes.size);
          siblingScore = new Int32Array(2 * onNodes.size);
        }
        // forEach, not for…of over entries: that makes a [name, count] array per sibling node (~1.5 KB per decision).
        onNodes.forEach((siblings, name) => {
          const node = spread.node(name);
          if (!node || stamps[node.index] !== cycle.id) return;
          siblingAt[siblingNodes] = feasibleIndexes[node.index]!;
          siblingScore[siblingNodes++] = Math.round(HOSTNAME_MAX_SKEW - 1 + siblings * hostnameWeight);
        });
      }
      let min = siblingNodes < count ? HOSTNAME_MAX_SKEW - 1 : Number.MAX_SAFE_INTEGER;
      let max = siblingNodes < count ? HOSTNAME_MAX_SKEW - 1 : 0;
      for (let s = 0; s < siblingNodes; s++) {
        if (siblingScore[s]! < min) min = siblingScore[s]!;
        if (siblingScore[s]! > max) max = siblingScore[s]!;
      }
      out.fill(normalised(HOSTNAME_MAX_SKEW - 1, min, max), 0, count);
      for (let s = 0; s < siblingNodes; s++) out[siblingAt[s]!] = normalised(siblingScore[s]!, min, max);
      return siblingNodes === 0;
    }
    if (onNodes) {
      onNodes.forEach((siblings, name) => {
        const node = spread.node(name);
        if (node && stamps[node.index] === cycle.id) raw[feasibleIndexes[node.index]!]! += siblings * hostnameWeight;
      });
    }
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let i = 0; i < count; i++) {
      const rounded = Math.round(raw[i]!);
      out[i] = rounded;
      if (rounded < min) min = rounded;
      if (rounded > max) max = rounded;
    }
    for (let i = 0; i < count; i++) out[i] = normalised(out[i]!, min, max);
  },
};

/** Fewer siblings nearby is better: `100 × (max + min − score) / max`. */
function normalised(score: number, min: number, max: number): number {
  return max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - score)) / max);
}
