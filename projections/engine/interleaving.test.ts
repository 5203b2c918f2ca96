import { EMPTY, type Observable, from, mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { Command } from '../commands.ts';
import type { Controller, ControllerOutput } from './controller.ts';
import type { InterleavingSchedule } from './interleaving.ts';
import { createSimulatedCluster } from './simulated-cluster.ts';

interface Seen {
  controller: string;
  position: number;
  /** Position of the state the controller was handed. */
  viewAt: number;
}

function recorder(name: string, seen: Seen[]): Controller {
  return {
    name,
    reconcile: (input$) =>
      input$.pipe(
        mergeMap(({ event, state }): Observable<ControllerOutput> => {
          seen.push({ controller: name, position: event.position, viewAt: state.position });
          return EMPTY;
        }),
      ),
  };
}

const configMap = (name: string, data?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, ...(data ? { data } : {}) });

/**
 * On ConfigMap `trigger`: creates `x1`, then `x2`, then updates `x1`, all in one reconcile step.
 * `instances` gets one list per pipeline (a restart makes a new one) of the positions it received.
 */
function writer(instances: number[][] = []): Controller {
  return {
    name: 'writer',
    reconcile: (input$) => {
      const received: number[] = [];
      instances.push(received);
      return input$.pipe(
        mergeMap(({ event }) => {
          received.push(event.position);
          if (event.type !== 'ObjectCreated' || event.data.object.metadata.name !== 'trigger') return EMPTY;
          const meta = { actor: 'writer', causationId: event.position };
          const commands: Command[] = [
            { ...meta, type: 'create', object: configMap('x1') },
            { ...meta, type: 'create', object: configMap('x2') },
            { ...meta, type: 'update', object: configMap('x1', { by: 'writer' }) },
          ];
          return from(commands);
        }),
      );
    },
  };
}

/** On x1's creation, updates x1 once, with the resourceVersion it sees as a precondition. */
function bumper(): Controller {
  return {
    name: 'bumper',
    reconcile: (input$) =>
      input$.pipe(
        mergeMap(({ event, state }) => {
          if (event.type !== 'ObjectCreated' || event.data.object.metadata.name !== 'x1') return EMPTY;
          const x1 = state.objects.get('ConfigMap')?.get('default/x1');
          if (!x1) return EMPTY;
          return from([{ actor: 'bumper', causationId: event.position, type: 'update', object: { ...x1, data: { by: 'bumper' } } } as Command]);
        }),
      ),
  };
}

// Positions: 1 ClusterInitialized, 2-5 the system namespaces, 6 the `kubernetes` Service, 7 `trigger`, 8 x1, 9 x2, 10 x1 updated.
async function run(interleavings: InterleavingSchedule, extra: Controller[] = [], writerInstances: number[][] = []) {
  const seen: Seen[] = [];
  const store = createInMemoryStore();
  const cluster = await createSimulatedCluster({ nodes: [], store, controllers: [writer(writerInstances), recorder('a', seen), recorder('b', seen), ...extra], interleavings });
  await cluster.act({ type: 'create', object: configMap('trigger') });
  const stats = { ...cluster.engine.stats };
  await cluster.close();
  const of = (name: string) => seen.filter((s) => s.controller === name);
  return { seen, a: of('a'), b: of('b'), events: store.events(), stats };
}

const everyEventOnceInOrder = (deliveries: Seen[], last: number) => expect(deliveries.map((s) => s.position)).toEqual(Array.from({ length: last }, (_, i) => i + 1));

describe('interleaving schedules', () => {
  it('by default every controller sees each event with the live state, which already holds what earlier controllers wrote', async () => {
    const { b, events } = await run([]);
    expect(events).toHaveLength(10);
    everyEventOnceInOrder(b, 10);
    expect(b.find((s) => s.position === 7)).toEqual({ controller: 'b', position: 7, viewAt: 10 });
  });

  it('stale, lag 0: the controller sees the state exactly as of each event, between the writes of another controller\'s reconcile step', async () => {
    const { a, b } = await run([{ controller: 'b', kind: 'stale', from: 1, to: 100, lag: 0 }]);
    everyEventOnceInOrder(b, 10);
    expect(b.every((s) => s.viewAt === s.position)).toBe(true);
    // Unperturbed controllers are untouched.
    expect(a.find((s) => s.position === 7)?.viewAt).toBe(10);
  });

  it('stale, lag 2: the controller receives each event two events late, and catches up when the engine runs out of work', async () => {
    const { seen, b } = await run([{ controller: 'b', kind: 'stale', from: 7, to: 100, lag: 2 }]);
    everyEventOnceInOrder(b, 10);
    expect(b.filter((s) => s.position >= 7).every((s) => s.viewAt === s.position)).toBe(true);
    const at = (controller: string, position: number) => seen.findIndex((s) => s.controller === controller && s.position === position);
    expect(at('b', 7)).toBeGreaterThan(at('a', 9));
    expect(at('b', 8)).toBeGreaterThan(at('a', 10));
    expect(at('b', 6)).toBeLessThan(at('a', 7));
  });

  it('coalesce: the window\'s events arrive together with the state as of the last, so the intermediate states are never observed', async () => {
    const whole = await run([{ controller: 'b', kind: 'coalesce', from: 7, to: 100 }]);
    everyEventOnceInOrder(whole.b, 10);
    expect(whole.b.filter((s) => s.position >= 7).map((s) => s.viewAt)).toEqual([10, 10, 10, 10]);
    const ended = await run([{ controller: 'b', kind: 'coalesce', from: 7, to: 8 }]);
    everyEventOnceInOrder(ended.b, 10);
    expect(ended.b.filter((s) => s.position >= 7).map((s) => s.viewAt)).toEqual([8, 8, 10, 10]);
  });

  it('first: inside its window the controller reacts before the others', async () => {
    const { seen } = await run([{ controller: 'b', kind: 'first', from: 8, to: 8 }]);
    const order = (position: number) => seen.filter((s) => s.position === position).map((s) => s.controller);
    expect(order(7)).toEqual(['a', 'b']);
    expect(order(8)).toEqual(['b', 'a']);
    expect(order(9)).toEqual(['a', 'b']);
  });

  it('a write made from a stale view goes through the write path: its resourceVersion precondition fails with a conflict', async () => {
    const live = await run([], [bumper()]);
    expect(live.events.filter((e) => e.metadata.actor === 'bumper')).toHaveLength(1);
    expect(live.stats.commandsRejected).toBe(0);
    const stale = await run([{ controller: 'bumper', kind: 'stale', from: 1, to: 100, lag: 0 }], [bumper()]);
    expect(stale.events.filter((e) => e.metadata.actor === 'bumper')).toHaveLength(0);
    expect(stale.stats.commandsRejected).toBe(1);
  });

  it('restart: the controller crashes after `keep` commands of a reconcile, misses what happens while it is down, and comes back as a fresh instance', async () => {
    const down: number[][] = [];
    const { events } = await run([{ controller: 'writer', kind: 'restart', from: 7, to: 8, keep: 1 }], [], down);
    // Only x1's creation got through; x2 and the update of x1 died with the crash.
    expect(events.filter((e) => e.metadata.actor === 'writer').map((e) => e.type)).toEqual(['ObjectCreated']);
    expect(events).toHaveLength(8);
    // The first instance saw up to the trigger; event 8 (x1) passed it by while it was down; the
    // second instance was started when the engine ran out of work and has seen nothing since.
    expect(down).toEqual([[1, 2, 3, 4, 5, 6, 7], []]);
    const back: number[][] = [];
    const ended = await run([{ controller: 'writer', kind: 'restart', from: 7, to: 7, keep: 2 }], [], back);
    expect(ended.events.filter((e) => e.metadata.actor === 'writer')).toHaveLength(2);
    // Down for position 7 only: the fresh instance's first input is x1's creation (8).
    expect(back).toEqual([[1, 2, 3, 4, 5, 6, 7], [8, 9]]);
  });

  it('the same schedule gives a byte-identical log', async () => {
    const schedule: InterleavingSchedule = [
      { controller: 'bumper', kind: 'stale', from: 3, to: 8, lag: 1 },
      { controller: 'b', kind: 'coalesce', from: 2, to: 7 },
      { controller: 'a', kind: 'first', from: 5, to: 9 },
      { controller: 'writer', kind: 'restart', from: 6, to: 6, keep: 2 },
    ];
    const first = await run(schedule, [bumper()]);
    const second = await run(schedule, [bumper()]);
    expect(JSON.stringify(second.events)).toBe(JSON.stringify(first.events));
    expect(second.seen).toEqual(first.seen);
  });

  it('refuses a schedule outside simulation mode', async () => {
    await expect(createSimulatedCluster({ nodes: [], mode: 'server', wallClock: () => 0, interleavings: [{ controller: 'a', kind: 'first', from: 1, to: 2 }] })).rejects.toThrow(/simulation mode/);
  });
});
