import type { NodeVerdict, Position, SchedulingDecision, StoredEvent } from '../../core/events.ts';
import { explainScheduling } from '../../projections/controllers/scheduler/explain-scheduling.ts';
import { verdictsOf } from '../../projections/controllers/scheduler/verdict-table.ts';
import { getObject } from '../../projections/state/queries.ts';
import { type EventSummary, summarizeEvent } from './event-summary.ts';
import type { Timeline } from './timeline.ts';

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export function isNotFoundError(error: unknown): error is NotFoundError {
  return error instanceof NotFoundError;
}

/** The event first, then what caused it, back to the user action, fault or timer that started it. */
export function causationChain(timeline: Timeline, position: Position): EventSummary[] {
  const chain: EventSummary[] = [];
  const seen = new Set<number>();
  let event = timeline.event(position);
  if (!event) throw new NotFoundError(`no event at position ${position} (the recording has ${timeline.head})`);
  while (event && !seen.has(event.position)) {
    seen.add(event.position);
    chain.push(summarizeEvent(event));
    const cause: number | undefined = event.metadata.causationId;
    event = cause !== undefined ? timeline.event(cause) : undefined;
  }
  return chain;
}

/** "pod deleted ← ReplicaSet scaled down ← user applied … at 2026-01-01T00:03:10Z" */
export function chainLine(chain: readonly EventSummary[]): string {
  if (chain.length === 0) return '';
  const root = chain[chain.length - 1]!;
  return `${chain.map((link) => link.summary).join(' ← ')} at ${root.time}`;
}

export interface PodExplanation {
  pod: string;
  /** Position of the scheduling decision explained. */
  position: Position;
  /** The decision as recorded. */
  decision: SchedulingDecision;
  /**
   * Every evaluated node's verdict: expanded from the recorded verdict table, or written out in
   * the record (older logs), or recomputed from the state before the decision when an older
   * record was truncated.
   */
  nodes: NodeVerdict[];
  recomputed: boolean;
  /** Score plugins, in the order of the table's columns. */
  plugins: string[];
  chosen?: string;
  decidedBy?: string;
  message?: string;
}

function isDecision(event: StoredEvent): event is StoredEvent & ({ type: 'PodScheduled' } | { type: 'PodUnschedulable' }) {
  return event.type === 'PodScheduled' || event.type === 'PodUnschedulable';
}

/** The scheduling decision for a pod (the last at or before `at`), with the full nodes × plugins table. */
export function explainPod(timeline: Timeline, namespace: string, name: string, at: Position = timeline.head): PodExplanation {
  const positions = timeline.positionsTouching(`Pod/${namespace}/${name}`);
  let decisionEvent: StoredEvent | undefined;
  for (let i = positions.length - 1; i >= 0; i--) {
    const event = timeline.event(positions[i]!)!;
    if (event.position <= at && isDecision(event)) {
      decisionEvent = event;
      break;
    }
  }
  if (!decisionEvent || !isDecision(decisionEvent)) {
    throw new NotFoundError(positions.length === 0 ? `pod ${namespace}/${name} is not in the recording` : `pod ${namespace}/${name} has no scheduling decision at or before position ${at}`);
  }
  const decision = decisionEvent.data.decision;
  let nodes = verdictsOf(decision);
  let recomputed = false;
  if (decision.truncated && !decision.table) {
    const before = timeline.stateAt(decisionEvent.position - 1);
    const pod = getObject(before, 'Pod', namespace, name);
    if (pod) {
      nodes = verdictsOf(explainScheduling(before, pod, decisionEvent.metadata.causationId ?? decisionEvent.position));
      recomputed = true;
    }
  }
  const plugins = [...new Set(nodes.flatMap((verdict) => Object.keys(verdict.scores ?? {})))].sort();
  const explanation: PodExplanation = { pod: `${namespace}/${name}`, position: decisionEvent.position, decision, nodes, recomputed, plugins };
  if (decision.chosen ?? (decisionEvent.type === 'PodScheduled' ? decisionEvent.data.nodeName : undefined)) {
    explanation.chosen = decision.chosen ?? (decisionEvent.type === 'PodScheduled' ? decisionEvent.data.nodeName : undefined);
  }
  if (decision.decidedBy) explanation.decidedBy = decision.decidedBy;
  if (decision.message) explanation.message = decision.message;
  return explanation;
}
