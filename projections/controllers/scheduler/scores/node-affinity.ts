import { preferredAffinityWeight } from '../node-affinity.ts';
import { type ScorePlugin, defaultNormalizeScore } from './score.ts';

/** NodeAffinity: the summed weights of the preferred terms a node matches, normalised by the best. */
export const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  applies: (pod) => pod.affinity.preferred.length > 0,
  score(pod, count, out, _spread, { positions, nodes }) {
    for (let i = 0; i < count; i++) out[i] = preferredAffinityWeight(pod.affinity, nodes[positions[i]!]!);
    defaultNormalizeScore(out, count, false);
  },
};
