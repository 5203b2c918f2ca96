import { CHANGE_LOG, type NodeColumns } from '../node-columns.ts';

/** What a memo scores a node with: a function of the node's columns and two numbers of the pod (its requests) alone. */
export interface NodeScorer {
  scoreAt(columns: NodeColumns, at: number, first: number, second: number): number;
}

/** Cycles in a row for pods with the same numbers after which the memo scores every node, to copy windows from then on. */
const STEADY_CYCLES = 4;

/**
 * One plugin's per-node scores kept from cycle to cycle. A score is reused while the node's
 * version stamp is the one it was computed from and the pod's numbers are the same: at 5,000
 * nodes, scheduling a Deployment's pods, the cycle's 500 nodes have seldom changed since the last
 * cycle over them (one node changes per decision). Once pods with the same numbers keep coming,
 * every node gets its score and the memo follows the columns' log of written positions: a cycle
 * then rescores the few nodes written since the last one and copies its window of scores.
 */
export class ScoreMemo {
  /** The version stamp each position's score was computed from (-1: none). */
  private stamps = new Float64Array(0);
  private scores = new Int32Array(0);
  private first = Number.NaN;
  private second = Number.NaN;
  /** Every position of `owner` holds its score, as of `owner.changes` = `seenChanges`. */
  private complete = false;
  private owner: NodeColumns | undefined;
  private seenChanges = 0;
  private seenLayout = 0;
  private steady = 0;

  constructor(private readonly scorer: NodeScorer) {}

  /**
   * Writes the score of the node at `positions[i]` into `out[i]` for the cycle's `count` nodes
   * (positions increasing, but for one wrap-around to the start of the list).
   */
  fill(columns: NodeColumns, positions: Int32Array, count: number, out: Int32Array, first: number, second: number): void {
    this.prepare(columns, first, second);
    const scores = this.scores;
    if (this.complete && this.catchUp(columns)) {
      if (count === 0) return;
      const start = positions[0]!;
      if (positions[count - 1]! - start === count - 1) out.set(scores.subarray(start, start + count));
      else for (let i = 0; i < count; i++) out[i] = scores[positions[i]!]!;
      return;
    }
    const { version } = columns;
    const stamps = this.stamps;
    for (let i = 0; i < count; i++) {
      const at = positions[i]!;
      const stamp = version[at]!;
      if (stamps[at] !== stamp) {
        scores[at] = this.scorer.scoreAt(columns, at, first, second);
        stamps[at] = stamp;
      }
      out[i] = scores[at]!;
    }
    if (++this.steady >= STEADY_CYCLES) this.scoreEveryNode(columns);
  }

  private prepare(columns: NodeColumns, first: number, second: number): void {
    if (this.stamps.length < columns.size) {
      const capacity = Math.max(columns.size, 2 * this.stamps.length, 64);
      this.stamps = new Float64Array(capacity).fill(-1);
      this.scores = new Int32Array(capacity);
      this.complete = false;
    } else if (first !== this.first || second !== this.second) {
      this.stamps.fill(-1);
      this.complete = false;
      this.steady = 0;
    }
    this.first = first;
    this.second = second;
  }

  /** Rescores the positions written since the memo last looked; false when it cannot tell which (nodes moved, or too many writes). */
  private catchUp(columns: NodeColumns): boolean {
    if (this.owner !== columns || this.seenLayout !== columns.layoutChanges || columns.changes - this.seenChanges > CHANGE_LOG) {
      this.complete = false;
      return false;
    }
    for (let n = this.seenChanges; n < columns.changes; n++) this.rescore(columns, columns.changed[n % CHANGE_LOG]!);
    this.seenChanges = columns.changes;
    return true;
  }

  private scoreEveryNode(columns: NodeColumns): void {
    for (let at = 0; at < columns.size; at++) this.rescore(columns, at);
    this.complete = true;
    this.owner = columns;
    this.seenChanges = columns.changes;
    this.seenLayout = columns.layoutChanges;
  }

  private rescore(columns: NodeColumns, at: number): void {
    const stamp = columns.version[at]!;
    if (this.stamps[at] === stamp) return;
    this.scores[at] = this.scorer.scoreAt(columns, at, this.first, this.second);
    this.stamps[at] = stamp;
  }
}
