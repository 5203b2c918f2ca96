import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { resolveResourceName } from '../../core/model/registry.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';
import { customResourceType } from '../../core/model/custom-resources/custom-resource-type.ts';
import { parseDuration } from '../../core/virtual-clock.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { nodeOvercommit } from '../../projections/state/node-overcommit.ts';
import { refsTouchedBy } from '../../projections/state/touched-refs.ts';

/**
 * Scenario assertions, written as one line each:
 *   always: no node over capacity
 *   never: pod/web-0 on node-2
 *   eventually within 5m: deployment/web available=3
 *   eventually within 2m after 6m: pods running=5      (the window starts at 6m)
 *   at 10m: deployment/web replicas=5 and deployment/api available>=2
 */
export type ExpectationMode =
  /** `after`: checked only from that time on (`always after 30s: ...`). */
  | { type: 'always'; after?: number }
  | { type: 'never'; after?: number }
  | { type: 'eventually'; within: number; after: number }
  | { type: 'at'; time: number };

export interface Expectation {
  text: string;
  mode: ExpectationMode;
  /** True when the condition holds in `state`; `describe` says what was seen when it does not. */
  holds(state: ClusterState): boolean;
  describe(state: ClusterState): string;
  /** The kinds of object the condition reads: its truth can change only when one of them does. */
  kinds: readonly string[];
}

export class ExpectationSyntaxError extends Error {
  constructor(text: string, why: string) {
    super(`invalid assertion "${text}": ${why}`);
    this.name = 'ExpectationSyntaxError';
  }
}

type Comparison = '=' | '!=' | '>=' | '<=' | '>' | '<';
const COMPARE: Record<Comparison, (a: number | string, b: number | string) => boolean> = {
  '=': (a, b) => String(a) === String(b),
  '!=': (a, b) => String(a) !== String(b),
  '>=': (a, b) => Number(a) >= Number(b),
  '<=': (a, b) => Number(a) <= Number(b),
  '>': (a, b) => Number(a) > Number(b),
  '<': (a, b) => Number(a) < Number(b),
};

interface Condition {
  holds(state: ClusterState): boolean;
  seen(state: ClusterState): string;
  kinds: readonly string[];
}

/**
 * `deployment`, `deploy`, `svc`, `ingress`, `pvc`…: any name kubectl accepts, from the resource
 * registry, and the names of the kinds the scenario's CustomResourceDefinitions add.
 */
function kindOf(alias: string, custom: readonly ResourceType[]): string | undefined {
  return (resolveResourceName(alias) ?? resolveResourceName(alias, custom))?.kind;
}

/** The kinds the CustomResourceDefinitions among a scenario's manifests and applied objects add. */
export function customTypesOf(objects: readonly KubeObject[]): ResourceType[] {
  return objects.filter((object) => object.kind === 'CustomResourceDefinition').flatMap((crd) => customResourceType(crd) ?? []);
}

/** Measures computed from an object rather than read from one field. */
const DERIVED: Record<string, Record<string, (object: KubeObject) => unknown>> = {
  Endpoints: {
    // Addresses of ready pods, and of pods that are not ready, across subsets.
    ready: (o) => ((o as any).subsets ?? []).reduce((n: number, s: any) => n + (s.addresses?.length ?? 0), 0),
    notready: (o) => ((o as any).subsets ?? []).reduce((n: number, s: any) => n + (s.notReadyAddresses?.length ?? 0), 0),
  },
  Deployment: { revision: (o) => Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) },
  ReplicaSet: { revision: (o) => Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0) },
  Service: {
    type: (o) => o.spec?.type ?? 'ClusterIP',
    'external-ip': (o) => o.status?.loadBalancer?.ingress?.[0]?.ip ?? '<pending>',
  },
};

/** Short field names per kind; anything else is read as a dotted path (`status.phase`). */
const FIELD_ALIASES: Record<string, Record<string, string>> = {
  Deployment: { available: 'status.availableReplicas', ready: 'status.readyReplicas', updated: 'status.updatedReplicas', replicas: 'spec.replicas', current: 'status.replicas' },
  ReplicaSet: { available: 'status.availableReplicas', ready: 'status.readyReplicas', replicas: 'spec.replicas', current: 'status.replicas' },
  StatefulSet: { ready: 'status.readyReplicas', replicas: 'spec.replicas', current: 'status.replicas' },
  Pod: { phase: 'status.phase', node: 'spec.nodeName', ip: 'status.podIP' },
  Node: { unschedulable: 'spec.unschedulable' },
};

function readPath(object: KubeObject | undefined, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function findObject(state: ClusterState, kind: string, name: string): KubeObject | undefined {
  const [namespace, objectName] = name.includes('/') ? name.split('/', 2) : [kind === 'Node' || kind === 'Namespace' || kind === 'PersistentVolume' ? undefined : 'default', name];
  return state.objects.get(kind)?.get(namespace ? `${namespace}/${objectName}` : objectName!);
}

function readyCondition(object: KubeObject): boolean {
  return (object.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

function parseCondition(text: string, source: string, custom: readonly ResourceType[]): Condition {
  const parts = text.split(/\s+and\s+/);
  if (parts.length > 1) {
    const conditions = parts.map((p) => parseCondition(p, source, custom));
    return {
      holds: (s) => conditions.every((c) => c.holds(s)),
      seen: (s) => conditions.filter((c) => !c.holds(s)).map((c) => c.seen(s)).join('; '),
      kinds: [...new Set(conditions.flatMap((c) => c.kinds))],
    };
  }
  const trimmed = text.trim();
  if (/^no node over capacity$/.test(trimmed)) {
    return {
      holds: (s) => [...(s.objects.get('Node')?.keys() ?? [])].every((n) => !nodeOvercommit(s, n)),
      seen: (s) => [...(s.objects.get('Node')?.keys() ?? [])].map((n) => nodeOvercommit(s, n)).find(Boolean) ?? 'no node over capacity',
      kinds: ['Node', 'Pod'],
    };
  }
  let match = /^pod\/(\S+) on (\S+)$/.exec(trimmed);
  if (match) {
    const [, pod, node] = match;
    return {
      holds: (s) => findObject(s, 'Pod', pod!)?.spec?.nodeName === node,
      seen: (s) => {
        const found = findObject(s, 'Pod', pod!);
        return found ? `pod/${pod} is on ${found.spec?.nodeName ?? 'no node'}` : `pod/${pod} does not exist`;
      },
      kinds: ['Pod'],
    };
  }
  match = /^pods(?:\s+in\s+(\S+))?(?:\s+matching\s+(\S+))?(?:\s+on\s+(\S+))?\s+(running|ready|pending|total|restarts)\s*(=|!=|>=|<=|>|<)\s*(\d+)$/.exec(trimmed);
  if (match) {
    const [, namespace, selector, node, measure, op, value] = match;
    const [labelKey, labelValue] = selector ? selector.split('=') : [];
    const selected = (s: ClusterState) =>
      [...(s.objects.get('Pod')?.values() ?? [])].filter((pod) => {
        if (namespace && pod.metadata.namespace !== namespace) return false;
        if (labelKey && pod.metadata.labels?.[labelKey] !== labelValue) return false;
        if (node && pod.spec?.nodeName !== node) return false;
        if (pod.metadata.deletionTimestamp) return false;
        if (measure === 'running') return pod.status?.phase === 'Running';
        if (measure === 'ready') return readyCondition(pod);
        if (measure === 'pending') return pod.status?.phase === 'Pending';
        return true;
      });
    // `restarts`: container restarts summed over the selected pods.
    const count = (s: ClusterState) =>
      measure === 'restarts'
        ? selected(s).reduce((n, pod) => n + ([...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])] as Array<{ restartCount?: number }>).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0)
        : selected(s).length;
    return { holds: (s) => COMPARE[op as Comparison](count(s), Number(value)), seen: (s) => `${count(s)} pods ${measure}`, kinds: ['Pod'] };
  }
  match = /^([a-z]+)\/(\S+?)\s+(\S+?)\s*(=|!=|>=|<=|>|<)\s*(\S+)$/.exec(trimmed);
  if (match) {
    const [, kindAlias, name, field, op, value] = match;
    const kind = kindOf(kindAlias!, custom);
    if (!kind) throw new ExpectationSyntaxError(source, `unknown kind "${kindAlias}"; use a resource name kubectl knows, such as deployment, pod, svc or ingress`);
    const path = FIELD_ALIASES[kind]?.[field!] ?? field!;
    const read = (s: ClusterState) => {
      const object = findObject(s, kind, name!);
      if (!object) return undefined;
      if (kind === 'Node' && field === 'ready') return readyCondition(object);
      if (kind === 'Pod' && field === 'ready') return readyCondition(object);
      const derived = DERIVED[kind]?.[field!];
      if (derived) return derived(object);
      const v = readPath(object, path);
      if (v === undefined && path === 'spec.unschedulable') return false;
      return v === undefined && /Replicas$/.test(path) ? 0 : v;
    };
    return {
      holds: (s) => {
        const v = read(s);
        return v !== undefined && COMPARE[op as Comparison](v as string | number, value!);
      },
      seen: (s) => {
        const v = read(s);
        return v === undefined ? `${kindAlias}/${name} does not exist` : `${kindAlias}/${name} ${field} is ${JSON.stringify(v)}`;
      },
      kinds: [kind],
    };
  }
  throw new ExpectationSyntaxError(
    source,
    'expected "no node over capacity", "pod/NAME on NODE", "pods [in NS] [matching k=v] [on NODE] running|ready|pending|total|restarts OP N" or "KIND/NAME FIELD OP VALUE" (OP one of = != >= <= > <)',
  );
}

function parseMode(text: string, source: string): ExpectationMode {
  const head = text.trim();
  if (head === 'always') return { type: 'always' };
  if (head === 'never') return { type: 'never' };
  const from = /^(always|never) after (\S+)$/.exec(head);
  if (from) {
    try {
      return { type: from[1] as 'always' | 'never', after: parseDuration(from[2]!) };
    } catch (error) {
      throw new ExpectationSyntaxError(source, (error as Error).message);
    }
  }
  let match = /^eventually within (\S+)(?: after (\S+))?$/.exec(head);
  if (match) {
    try {
      return { type: 'eventually', within: parseDuration(match[1]!), after: match[2] ? parseDuration(match[2]) : 0 };
    } catch (error) {
      throw new ExpectationSyntaxError(source, (error as Error).message);
    }
  }
  match = /^at (\S+)$/.exec(head);
  if (match) {
    try {
      return { type: 'at', time: parseDuration(match[1]!) };
    } catch (error) {
      throw new ExpectationSyntaxError(source, (error as Error).message);
    }
  }
  throw new ExpectationSyntaxError(source, 'start with "always:", "never:", "always after DURATION:", "never after DURATION:", "eventually within DURATION:" or "at DURATION:"');
}

export function parseExpectation(text: string, custom: readonly ResourceType[] = []): Expectation {
  const colon = text.indexOf(':');
  if (colon < 0) throw new ExpectationSyntaxError(text, 'expected "MODE: CONDITION", e.g. "eventually within 5m: deployment/web available=3"');
  const mode = parseMode(text.slice(0, colon), text);
  const condition = parseCondition(text.slice(colon + 1), text, custom);
  return { text, mode, holds: condition.holds, describe: condition.seen, kinds: condition.kinds };
}

export interface ExpectationResult {
  text: string;
  passed: boolean;
  /** Failure details: what was seen, and where. */
  message?: string;
  position?: number;
  /** Virtual ms after the scenario's start. */
  at?: number;
}

/**
 * Follows the run event by event and decides each expectation as soon as it can. `observe` is
 * called with the state after every event; `finish` at the end of the run.
 */
export function createExpectationTracker(expectations: Expectation[], startTime: number) {
  const results = new Map<Expectation, ExpectationResult>();
  const decide = (e: Expectation, result: Omit<ExpectationResult, 'text'>) => {
    if (!results.has(e)) results.set(e, { text: e.text, ...result });
  };
  /** Each condition's truth as of the last event that touched a kind it reads. */
  const held = new Map<Expectation, boolean>();
  const holdsNow = (e: Expectation, state: ClusterState, touched: ReadonlySet<string>): boolean => {
    let value = held.get(e);
    if (value === undefined || e.kinds.some((kind) => touched.has(kind))) held.set(e, (value = e.holds(state)));
    return value;
  };
  return {
    /** After each event, with the state as of it. */
    observe(state: ClusterState, event: StoredEvent): void {
      const elapsed = state.time - startTime;
      const position = event.position;
      const touched = new Set(refsTouchedBy(event).map((ref) => ref.kind));
      const holds = (e: Expectation) => holdsNow(e, state, touched);
      for (const e of expectations) {
        if (results.has(e)) continue;
        const mode = e.mode;
        switch (mode.type) {
          case 'always':
            if (elapsed < (mode.after ?? 0)) break;
            if (!holds(e)) decide(e, { passed: false, message: e.describe(state), position, at: elapsed });
            break;
          case 'never':
            if (elapsed < (mode.after ?? 0)) break;
            if (holds(e)) decide(e, { passed: false, message: `it happened: ${e.text.slice(e.text.indexOf(':') + 1).trim()}`, position, at: elapsed });
            break;
          case 'eventually':
            if (elapsed < mode.after) break;
            if (elapsed > mode.after + mode.within) decide(e, { passed: false, message: `not within ${e.text.split(':')[0]!.replace('eventually within ', '')}: ${e.describe(state)}`, position, at: elapsed });
            else if (holds(e)) decide(e, { passed: true, position, at: elapsed });
            break;
          case 'at':
            // Decided by checkAt when the runner stops the clock exactly there.
            if (elapsed > mode.time) decide(e, holds(e) ? { passed: true, position, at: elapsed } : { passed: false, message: e.describe(state), position, at: elapsed });
            break;
        }
      }
    },
    /** Times the runner must stop at so `at` and `eventually` assertions are decided on time. */
    checkpoints(): number[] {
      return expectations.flatMap((e) => (e.mode.type === 'at' ? [e.mode.time] : (e.mode.type === 'always' || e.mode.type === 'never') && e.mode.after ? [e.mode.after] : e.mode.type === 'eventually' ? [e.mode.after + e.mode.within] : []));
    },
    /** Decides `at` assertions due at `elapsed` (the state is exactly at that time). */
    checkAt(state: ClusterState, elapsed: number): void {
      for (const e of expectations) {
        if (results.has(e)) continue;
        if (e.mode.type === 'at' && e.mode.time === elapsed) {
          decide(e, e.holds(state) ? { passed: true, position: state.position, at: elapsed } : { passed: false, message: e.describe(state), position: state.position, at: elapsed });
        }
        if ((e.mode.type === 'always' || e.mode.type === 'never') && e.mode.after === elapsed && e.holds(state) !== (e.mode.type === 'always')) {
          decide(e, { passed: false, message: e.mode.type === 'always' ? e.describe(state) : `it happened: ${e.text.slice(e.text.indexOf(':') + 1).trim()}`, position: state.position, at: elapsed });
        }
        if (e.mode.type === 'eventually' && e.mode.after + e.mode.within === elapsed && !e.holds(state)) {
          decide(e, { passed: false, message: `not within ${e.text.split(':')[0]!.replace('eventually within ', '')}: ${e.describe(state)}`, position: state.position, at: elapsed });
        }
      }
    },
    finish(state: ClusterState): ExpectationResult[] {
      const elapsed = state.time - startTime;
      for (const e of expectations) {
        if (results.has(e)) continue;
        if (e.mode.type === 'always' || e.mode.type === 'never') decide(e, { passed: true });
        else if (e.mode.type === 'eventually') decide(e, { passed: false, message: `the run ended (${Math.round(elapsed / 1000)}s) before it happened: ${e.describe(state)}`, position: state.position, at: elapsed });
        else decide(e, { passed: false, message: `the run ended before ${Math.round(e.mode.time / 1000)}s`, position: state.position, at: elapsed });
      }
      return expectations.map((e) => results.get(e)!);
    },
  };
}
