import { readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { stringify } from 'yaml';
import type { KubeObject } from '../../core/model/object.ts';
import { formatDuration } from '../../core/virtual-clock.ts';
import type { ReplayInvariant } from '../service/breakpoints.ts';
import { type EventSummary } from '../service/event-summary.ts';
import { chainLine } from '../service/explain.ts';
import { type ReplayService as Service, ReplayService } from '../service/replay-service.ts';
import type { Edit } from '../service/rerun.ts';
import type { Cursor, ReplaySession } from '../service/session.ts';
import type { StateDiff } from '../service/state-diff.ts';
import { podSummary } from '../service/state-summary.ts';
import type { AtRoutesOptions } from '../http/at-routes.ts';
import { textTable } from './text-table.ts';

export interface ReplayCliOptions {
  /** Position or RFC 3339 virtual time of the cursor (default: the end of the recording). */
  at?: string;
  /** `json`, `yaml` or `wide`. */
  output?: string;
  /** `step`: move by reconcile steps instead of events. */
  reconcile?: boolean;
  /** `events`: first position and page size, filters. */
  from?: string;
  limit?: string;
  type?: string;
  actor?: string;
  object?: string;
  /** `fork`: a JSON file holding Edit[]; or single edits. */
  edits?: string;
  remove?: string[];
  runFor?: string;
  /** `fork`: write the branch as a recording file. */
  out?: string;
  /** `--serve`: serve the replay API and the debugger UI on this port. */
  serve?: boolean;
  port?: number;
  host?: string;
  /** Invariants the `--until invariant:<name>` breakpoint may name (the CLI passes property-tests' built-ins). */
  invariants?: readonly ReplayInvariant[];
  /** `step`: run to a breakpoint instead: `event-type:PodScheduled`, `actor:scheduler`, `pod-phase:Failed`, `object:Pod/default/web-1`, `invariant:<name>`. */
  until?: string;
  back?: boolean;
  /**
   * With `--serve`: the Kubernetes API factory (api/server's createApiServer), so that
   * `/at/<position|time>/` serves the recording's past to kubectl. Replay may not import api/.
   */
  createKubeApi?: AtRoutesOptions['createApp'];
  /** With `--serve`: stop serving when this settles (tests); default on SIGINT/SIGTERM. */
  serveUntil?: Promise<unknown>;
  /** Where output goes (tests); default stdout/stderr. */
  out$?: (text: string) => void;
  err$?: (text: string) => void;
  /** Show progress bars (default: when stderr is a TTY). */
  progress?: boolean;
}

export const REPLAY_ACTIONS = ['get', 'step', 'events', 'diff', 'explain', 'fork', 'verify', 'export'] as const;

class UsageError extends Error {}

function progressBars(options: ReplayCliOptions) {
  const enabled = options.progress ?? process.stderr.isTTY === true;
  let bar: SingleBar | undefined;
  let current = '';
  return {
    onProgress(what: string, done: number, total: number) {
      if (!enabled) return;
      if (current !== what) {
        bar?.stop();
        current = what;
        bar = new SingleBar({ format: `${what.padEnd(7)} |{bar}| {value}/{total}`, hideCursor: true, stream: process.stderr }, undefined);
        bar.start(total, done);
      } else bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
      current = '';
    },
  };
}

function print(options: ReplayCliOptions, text: string): void {
  (options.out$ ?? ((t: string) => process.stdout.write(`${t}\n`)))(text);
}

function formatted(options: ReplayCliOptions, value: unknown): string | undefined {
  if (options.output === 'json') return JSON.stringify(value, null, 2);
  if (options.output === 'yaml') return stringify(value).trimEnd();
  return undefined;
}

function cursorLine(cursor: Cursor, head: number): string {
  const event = cursor.event ? `  ${cursor.event.type} by ${cursor.event.actor}: ${cursor.event.summary}` : '  (before the first event)';
  return `position ${cursor.position}/${head} at ${cursor.time}${event}`;
}

function eventsTable(events: EventSummary[]): string {
  return textTable(
    ['POSITION', 'TIME', 'ACTOR', 'TYPE', 'SUMMARY'],
    events.map((e) => [e.position, e.time, e.actor, e.type, e.summary]),
  );
}

function ageOf(object: KubeObject, now: number): string {
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? '<unknown>' : formatDuration(Math.max(0, now - created));
}

/** The cluster at the cursor: nodes then pods, as `kubectl get nodes` / `get pods -A -o wide` would show them. */
function stateText(session: ReplaySession, wide: boolean): string {
  const state = session.stateAt();
  const now = state.time;
  const summary = session.summary();
  const nodes = textTable(
    ['NAME', 'STATUS', 'PODS', ...(wide ? ['TAINTS'] : [])],
    summary.nodes.map((n) => [
      n.name,
      `${n.ready ? 'Ready' : 'NotReady'}${n.unschedulable ? ',SchedulingDisabled' : ''}`,
      n.pods.length,
      ...(wide ? [(n.taints as Array<{ key: string; effect: string }>).map((t) => `${t.key}:${t.effect}`).join(',') || '<none>'] : []),
    ]),
  );
  const pods = session.objects('pods');
  const podTable = pods.length
    ? textTable(
        ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', ...(wide ? ['IP', 'NODE'] : [])],
        pods.map((pod) => {
          const statuses = (pod.status?.containerStatuses ?? []) as Array<{ ready: boolean; restartCount: number }>;
          const containers = (pod.spec?.containers ?? []).length;
          const s = podSummary(pod);
          return [
            s.namespace,
            s.name,
            `${statuses.filter((c) => c.ready).length}/${containers}`,
            s.deleting ? 'Terminating' : s.phase,
            statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
            ageOf(pod, now),
            ...(wide ? [pod.status?.podIP ?? '<none>', pod.spec?.nodeName ?? '<none>'] : []),
          ];
        }),
      )
    : 'No pods at this point.';
  const counts = Object.entries(summary.counts).map(([kind, n]) => `${kind} ${n}`).join(', ');
  return `${cursorLine(session.cursor(), session.head)}\nobjects: ${counts}\n\n${nodes}\n\n${podTable}`;
}

function diffText(diff: StateDiff): string {
  const name = (ref: { kind: string; namespace?: string; name: string }) => `${ref.kind.toLowerCase()}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  const rows: Array<Array<string>> = [];
  for (const ref of diff.added) rows.push(['added', name(ref), '']);
  for (const ref of diff.removed) rows.push(['removed', name(ref), '']);
  for (const change of diff.changed) {
    for (const field of change.fields) rows.push(['changed', name(change.ref), `${field.path}: ${short(field.before)} → ${short(field.after)}`]);
  }
  if (rows.length === 0) return 'No differences.';
  return textTable(['CHANGE', 'OBJECT', 'FIELD'], rows);
}

function short(value: unknown): string {
  if (value === undefined) return '<none>';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function parseBreakpoint(text: string) {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const value = colon < 0 ? '' : text.slice(colon + 1);
  switch (kind) {
    case 'event-type':
      return { type: 'event-type' as const, eventType: value };
    case 'actor':
      return { type: 'actor' as const, actor: value };
    case 'pod-phase': {
      const [phase, pod] = value.split('@');
      const [namespace, name] = (pod ?? '').split('/');
      return { type: 'pod-phase' as const, phase: phase!, ...(pod ? { namespace: namespace!, name: name! } : {}) };
    }
    case 'node-condition': {
      // node-condition:Ready=False or node-condition:node-2/Ready=False
      const [target, status] = value.split('=');
      const parts = target!.split('/');
      return { type: 'node-condition' as const, condition: parts.at(-1)!, status: status ?? 'True', ...(parts.length > 1 ? { node: parts[0]! } : {}) };
    }
    case 'object': {
      // object:Pod/default/web-1, object:Pod?app=web
      const [path, selector] = value.split('?');
      const parts = path!.split('/');
      return {
        type: 'object' as const,
        kind: parts[0]!,
        ...(parts.length === 3 ? { namespace: parts[1]!, name: parts[2]! } : parts.length === 2 ? { name: parts[1]! } : {}),
        ...(selector ? { labelSelector: selector } : {}),
      };
    }
    case 'invariant':
      return { type: 'invariant' as const, invariant: value };
    default:
      throw new UsageError(`unknown breakpoint "${text}": use event-type:T, actor:A, pod-phase:P[@ns/name], node-condition:[node/]Type=Status, object:Kind[/ns/name][?selector], invariant:name`);
  }
}

async function collectEdits(options: ReplayCliOptions): Promise<Edit[]> {
  const edits: Edit[] = options.edits ? (JSON.parse(readFileSync(options.edits, 'utf8')) as Edit[]) : [];
  for (const position of options.remove ?? []) edits.push({ op: 'remove', position: Number(position) });
  return edits;
}

/**
 * `orrery replay <recording> [action] [args...]`: inspect a recording (embedded log directory,
 * exported file, or esdb:// URL) from the terminal. Returns the process exit code.
 *
 * Actions: `get` (default: the cluster at --at), `step [n]`, `events`, `diff A B`,
 * `explain <position | ns/pod>`, `fork`, `verify`, `export <file>`. `--serve` serves the replay
 * API and debugger instead.
 */
export async function runReplayCommand(recording: string, action: string | undefined, args: string[], options: ReplayCliOptions = {}): Promise<number> {
  const err = options.err$ ?? ((t: string) => process.stderr.write(`${t}\n`));
  const bars = progressBars(options);
  const service: Service = new ReplayService({ invariants: options.invariants ?? [], onProgress: bars.onProgress, indexing: options.serve ? 'background' : 'on-demand' });
  try {
    const session = await service.openPath(recording);
    bars.stop();
    if (options.at !== undefined) session.seek({ position: session.resolve(options.at) });
    if (options.serve) return await serve(service, session, options);
    switch (action ?? 'get') {
      case 'get': {
        print(options, formatted(options, session.summary()) ?? stateText(session, options.output === 'wide'));
        return 0;
      }
      case 'step': {
        const from = session.position;
        let reason: string | undefined;
        if (options.until) {
          const result = session.run(options.back ? 'back' : 'forward', parseBreakpoint(options.until));
          reason = result.hit ? `hit: ${result.reason}` : 'no breakpoint hit';
        } else {
          const count = args[0] === undefined ? 1 : Number(args[0]);
          if (!Number.isInteger(count)) throw new UsageError(`step count must be a whole number, not "${args[0]}"`);
          session.step(count, options.reconcile ? 'reconcile' : 'event');
        }
        const to = session.position;
        const low = Math.min(from, to) + 1;
        const high = Math.max(from, to);
        const passed = high - low + 1 > 50 ? [] : session.events({ from: low, limit: Math.max(1, high - low + 1) }).items.filter((e) => e.position <= high);
        const value = { cursor: session.cursor(), ...(reason ? { reason } : {}), events: passed };
        const text = formatted(options, value);
        if (text) print(options, text);
        else print(options, `${passed.length ? `${eventsTable(passed)}\n\n` : ''}${reason ? `${reason}\n` : ''}${cursorLine(session.cursor(), session.head)}`);
        return 0;
      }
      case 'events': {
        const page = session.events({
          from: options.from ? Number(options.from) : Math.max(1, session.position - 19),
          limit: options.limit ? Number(options.limit) : 20,
          ...(options.type ? { type: options.type } : {}),
          ...(options.actor ? { actor: options.actor } : {}),
          ...(options.object ? { object: options.object } : {}),
        });
        print(options, formatted(options, page) ?? (page.items.length ? eventsTable(page.items) : 'No events.'));
        return 0;
      }
      case 'diff': {
        if (args.length !== 2) throw new UsageError('diff needs two positions or times: orrery replay <recording> diff A B');
        const diff = session.diff(args[0]!, args[1]!);
        print(options, formatted(options, diff) ?? diffText(diff));
        return 0;
      }
      case 'explain': {
        const target = args[0];
        if (!target) throw new UsageError('explain needs a position or a pod (namespace/name)');
        if (/^\d+$/.test(target)) {
          const { chain } = session.explainEvent(Number(target));
          print(options, formatted(options, { chain }) ?? `${chainLine(chain)}\n\n${eventsTable(chain)}`);
          return 0;
        }
        const [namespace, name] = target.includes('/') ? target.split('/') : ['default', target];
        const explanation = session.explainPod(namespace!, name!, options.at);
        const text = formatted(options, explanation);
        if (text) {
          print(options, text);
          return 0;
        }
        const rows = explanation.nodes.map((v) => [
          v.node === explanation.chosen ? `${v.node} *` : v.node,
          v.failure ? `${v.failure}${v.plugin ? ` (${v.plugin})` : ''}` : 'fits',
          ...explanation.plugins.map((p) => (v.scores?.[p] === undefined ? '' : String(v.scores[p]))),
          v.total === undefined ? '' : String(v.total),
        ]);
        const head = `pod ${explanation.pod}: decision at position ${explanation.position}${explanation.chosen ? `, scheduled on ${explanation.chosen}` : ''}${explanation.decidedBy ? ` (decided by ${explanation.decidedBy})` : ''}${explanation.message ? `\n${explanation.message}` : ''}${explanation.recomputed ? '\n(the recorded table was truncated; recomputed from the state before the decision)' : ''}`;
        print(options, `${head}\n\n${textTable(['NODE', 'FILTER', ...explanation.plugins.map((p) => p.toUpperCase()), 'TOTAL'], rows)}`);
        return 0;
      }
      case 'fork': {
        const at = options.at !== undefined ? session.position : Number(args[0] ?? session.head);
        const branch = await service.fork(session, { at, edits: await collectEdits(options), ...(options.runFor ? { runFor: options.runFor } : {}) });
        bars.stop();
        if (options.out) writeFileSync(options.out, service.export(branch));
        const comparison = service.compare(session, branch);
        const value = { branch: branch.info(), comparison };
        const text = formatted(options, value);
        if (text) print(options, text);
        else {
          print(options, `forked at position ${at}: the branch has ${branch.head} events (the original ${session.head})${options.out ? `, written to ${options.out}` : ''}`);
          print(options, `compared at ${comparison.time} (original position ${comparison.left}, branch position ${comparison.right}):\n${diffText(comparison.diff)}`);
        }
        return 0;
      }
      case 'verify': {
        const result = await service.verify(session);
        bars.stop();
        const text = formatted(options, result);
        if (text) print(options, text);
        else if (result.reproduces) print(options, `reproduces: re-running the controllers over the recorded inputs wrote the same ${result.events} events`);
        else {
          print(options, `diverges at position ${result.divergedAt}`);
          print(options, `  recorded: ${result.recorded ? `${result.recorded.type} by ${result.recorded.actor}: ${result.recorded.summary}` : '(nothing)'}`);
          print(options, `  replayed: ${result.replayed ? `${result.replayed.type} by ${result.replayed.actor}: ${result.replayed.summary}` : '(nothing)'}`);
        }
        return result.reproduces ? 0 : 1;
      }
      case 'export': {
        const file = args[0];
        if (!file) throw new UsageError('export needs a file name');
        const bytes = service.export(session);
        writeFileSync(file, bytes);
        print(options, `exported ${session.head} events to ${file} (${(bytes.length / 1024).toFixed(0)} KiB)`);
        return 0;
      }
      default:
        throw new UsageError(`unknown replay action "${action}" (use ${REPLAY_ACTIONS.join(', ')})`);
    }
  } catch (error) {
    bars.stop();
    err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

async function serve(service: Service, session: ReplaySession, options: ReplayCliOptions): Promise<number> {
  const { default: Fastify } = await import('fastify');
  const { replayRoutes } = await import('../http/replay-routes.ts');
  const app = Fastify({ bodyLimit: 2 ** 30 });
  await app.register(replayRoutes, { prefix: '/replay', service });
  try {
    const { uiPlugin } = await import('../ui/ui-plugin.ts');
    await app.register(uiPlugin);
  } catch {
    // The debugger UI is optional here; the API is served either way.
  }
  if (options.createKubeApi) {
    const { atRoutes } = await import('../http/at-routes.ts');
    const timeline = session.timeline;
    await app.register(atRoutes, {
      createApp: options.createKubeApi,
      stateAt: async (position) => timeline.copyAt(position),
      head: () => timeline.head,
      positionAtTime: async (time) => timeline.positionAtTime(time),
    });
  }
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const base = `http://${host}:${port}`;
  print(options, `replay API at ${base}/replay (session ${session.id})`);
  print(options, `debugger: ${base}/ui/?session=${encodeURIComponent(session.id)}`);
  if (options.createKubeApi) print(options, `the cluster in the past: kubectl --server ${base}/at/<position or time> get pods -o wide`);
  await (options.serveUntil ??
    new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }));
  await app.close();
  return 0;
}
