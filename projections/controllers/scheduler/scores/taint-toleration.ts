import { toleratesAny } from '../tolerations.ts';
import { type ScorePlugin, defaultNormalizeScore } from './score.ts';

/** TaintToleration: fewer untolerated PreferNoSchedule taints score higher (reverse-normalised count). */
export const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  applies: () => true,
  score(pod, nodes, count, out) {
    const tolerations = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    for (let i = 0; i < count; i++) {
      const taints = nodes[i]!.softTaints;
      if (taints.length === 0) {
        out[i] = 0;
        continue;
      }
      let untolerated = 0;
      for (const taint of taints) if (!toleratesAny(tolerations, taint)) untolerated++;
      out[i] = untolerated;
    }
    defaultNormalizeScore(out, count, true);
  },
};
