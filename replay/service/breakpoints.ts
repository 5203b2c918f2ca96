import type { StoredEvent } from '../../core/events.ts';
import { type Selector, matches, parseSelector } from '../../core/model/labels.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { hasEventType } from '../../projections/state/container-updates.ts';
import { getObject } from '../../projections/state/queries.ts';
import { streamsTouchedBy } from '../../projections/state/touched-refs.ts';

export type Breakpoint =
  | { type: 'object'; kind: string; namespace?: string; name?: string; labelSelector?: string }
  | { type: 'event-type'; eventType: string }
  | { type: 'actor'; actor: string }
  | { type: 'pod-phase'; phase: string; namespace?: string; name?: string }
  | { type: 'node-condition'; node?: string; condition: string; status: string }
  | { type: 'invariant'; invariant: string };

/**
 * What the replay service needs of a property-test invariant (property-tests/invariants): replay
 * may not import property-tests, so the API and CLI layers pass the built-ins in.
 */
export interface ReplayInvariant {
  name: string;
  start(): { onEvent?(event: StoredEvent, state: ClusterState): string | undefined };
}

/** A breakpoint ready to test events: `test` sees the event, the state after it and the object it touched before it. */
export interface CompiledBreakpoint {
  /** Needs the state (labels, invariants); otherwise the event alone decides. */
  needsState: boolean;
  /** Invariants remember what they saw: the scan must start at the beginning of the log. */
  fromStart: boolean;
  /** The object the event is about, looked up before the event is applied (label selectors on deletions). */
  objectBefore?(event: StoredEvent, state: ClusterState): KubeObject | undefined;
  test(event: StoredEvent, state: ClusterState, before: KubeObject | undefined): string | undefined;
}

export class BreakpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BreakpointError';
  }
}

function streamParts(stream: string): { kind: string; namespace?: string; name: string } {
  const parts = stream.split('/');
  if (parts.length >= 3) return { kind: parts[0]!, namespace: parts[1]!, name: parts.slice(2).join('/') };
  return { kind: parts[0]!, name: parts[1] ?? '' };
}

function sameKind(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function compileBreakpoint(breakpoint: Breakpoint, invariants: readonly ReplayInvariant[] = []): CompiledBreakpoint {
  switch (breakpoint.type) {
    case 'object': {
      if (!breakpoint.kind) throw new BreakpointError('an object breakpoint needs a kind');
      let selector: Selector | undefined;
      if (breakpoint.labelSelector) {
        try {
          selector = parseSelector(breakpoint.labelSelector);
        } catch (error) {
          throw new BreakpointError(`invalid label selector: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const touched = (event: StoredEvent) =>
        streamsTouchedBy(event)
          .map(streamParts)
          .find(
            (ref) =>
              sameKind(ref.kind, breakpoint.kind) &&
              (breakpoint.namespace === undefined || ref.namespace === breakpoint.namespace) &&
              (breakpoint.name === undefined || ref.name === breakpoint.name),
          );
      const description = `${breakpoint.kind}${breakpoint.namespace ? ` ${breakpoint.namespace}/` : ' '}${breakpoint.name ?? ''}`.trim();
      if (!selector) {
        return { needsState: false, fromStart: false, test: (event) => (touched(event) ? `${description} changed` : undefined) };
      }
      const chosen = selector;
      return {
        needsState: true,
        fromStart: false,
        objectBefore(event, state) {
          const ref = touched(event);
          return ref ? getObject(state, ref.kind, ref.namespace, ref.name) : undefined;
        },
        test(event, state, before) {
          const ref = touched(event);
          if (!ref) return undefined;
          const after = getObject(state, ref.kind, ref.namespace, ref.name);
          const labelled = [before, after].some((object) => object && matches(chosen, object.metadata.labels));
          return labelled ? `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} (${breakpoint.labelSelector}) changed` : undefined;
        },
      };
    }
    case 'event-type':
      return {
        needsState: false,
        fromStart: false,
        test: (event) => {
          if (!hasEventType(event, breakpoint.eventType)) return undefined;
          return event.type === breakpoint.eventType ? `${event.type} event` : `${event.type} event carrying container state changes`;
        },
      };
    case 'actor':
      return {
        needsState: false,
        fromStart: false,
        test: (event) => {
          const actor = event.metadata.actor;
          return actor === breakpoint.actor || actor.startsWith(`${breakpoint.actor}/`) ? `written by ${actor}` : undefined;
        },
      };
    case 'pod-phase':
      return {
        needsState: false,
        fromStart: false,
        test: (event) => {
          if (event.type !== 'PodPhaseChanged' || event.data.phase !== breakpoint.phase) return undefined;
          const ref = event.data.ref;
          if (breakpoint.namespace !== undefined && ref.namespace !== breakpoint.namespace) return undefined;
          if (breakpoint.name !== undefined && ref.name !== breakpoint.name) return undefined;
          return `pod ${ref.namespace}/${ref.name} is ${event.data.phase}`;
        },
      };
    case 'node-condition':
      return {
        needsState: false,
        fromStart: false,
        test: (event) => {
          if (event.type !== 'NodeConditionChanged') return undefined;
          const { node, condition } = event.data;
          if (breakpoint.node !== undefined && node !== breakpoint.node) return undefined;
          if (condition.type !== breakpoint.condition || condition.status !== breakpoint.status) return undefined;
          return `node ${node} ${condition.type}=${condition.status}`;
        },
      };
    case 'invariant': {
      const invariant = invariants.find((candidate) => candidate.name === breakpoint.invariant);
      if (!invariant) {
        const known = invariants.map((candidate) => candidate.name).join(', ');
        throw new BreakpointError(`unknown invariant "${breakpoint.invariant}"${known ? ` (known: ${known})` : ' (no invariants are loaded)'}`);
      }
      const checker = invariant.start();
      return {
        needsState: true,
        fromStart: true,
        test: (event, state) => {
          const message = checker.onEvent?.(event, state);
          return message ? `${invariant.name}: ${message}` : undefined;
        },
      };
    }
    default:
      throw new BreakpointError(`unknown breakpoint type ${JSON.stringify((breakpoint as { type?: unknown }).type)}`);
  }
}
