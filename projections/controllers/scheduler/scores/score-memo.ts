import type { NodeColumns } from '../node-columns.ts';

/**
 * One plugin's per-node scores kept from cycle to cycle, for a plugin whose score of a node is a
 * function of that node's columns and two numbers of the pod (its requests) alone. A score is
 * reused while the node's version stamp is the one it was computed from and the pod's numbers are
 * the same: at 5,000 nodes, scheduling a Deployment's pods, the cycle's 500 nodes have seldom
 * changed since the last cycle over them (one node changes per decision), and reading a stamp
 * costs less than the divisions it saves.
 */
export class ScoreMemo {
  /** The version stamp each position's score was computed from (-1: none). */
  stamps = new Float64Array(0);
  scores = new Int32Array(0);
  private first = Number.NaN;
  private second = Number.NaN;

  /** Makes the memo hold scores for the pod's numbers `first` and `second` on `columns`, dropping others. */
  prepare(columns: NodeColumns, first: number, second: number): void {
    if (this.stamps.length < columns.size) {
      const capacity = Math.max(columns.size, 2 * this.stamps.length, 64);
      this.stamps = new Float64Array(capacity).fill(-1);
      this.scores = new Int32Array(capacity);
    } else if (first !== this.first || second !== this.second) this.stamps.fill(-1);
    this.first = first;
    this.second = second;
  }
}
