import { toleratesAny } from '../tolerations.ts';
import { MAX_NODE_SCORE, type ScorePlugin, defaultNormalizeScore } from './score.ts';

/** TaintToleration: fewer untolerated PreferNoSchedule taints score higher (reverse-normalised count). */
export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  applies: () => true,
  score(pod, count, out, _spread, { positions, columns, nodes }) {
    // No node has a PreferNoSchedule taint: every count is 0, which normalises to 100 everywhere.
    if (columns.softTainted === 0) {
      out.fill(MAX_NODE_SCORE, 0, count);
      return true;
    }
    const tolerations = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    const softTaints = columns.softTaints;
    for (let i = 0; i < count; i++) {
      if (softTaints[positions[i]!] === 0) {
        out[i] = 0;
        continue;
      }
      const taints = nodes[positions[i]!]!.softTaints;
      let untolerated = 0;
      for (const taint of taints) if (!toleratesAny(tolerations, taint)) untolerated++;
      out[i] = untolerated;
    }
    defaultNormalizeScore(out, count, true);
  },
};
