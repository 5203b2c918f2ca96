import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { Controller, ControllerOutput, ReconcileInput } from './controller.ts';
import { createIdleWork, reconcileEach } from './reconcile-each.ts';
import { createSimulatedCluster } from './simulated-cluster.ts';
import { type CommandExecutor, createEngine } from './engine.ts';
import { createClusterState } from '../state/reducer.ts';
import { type WritePath, createWritePath } from '../write-path/write-path.ts';
import { createVirtualClock } from '../../core/virtual-clock.ts';

const configMap = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } });

/** On ConfigMap `a-<n>` (n < 3) creates `a-<n+1>`; throws on `boom`. */
function chain({ event }: ReconcileInput): ControllerOutput[] {
  if (event.type !== 'ObjectCreated' || event.data.object.kind !== 'ConfigMap') return [];
  const name = event.data.object.metadata.name ?? '';
  if (name === 'boom') throw new Error('cannot handle boom');
  const n = Number(name.split('-')[1]);
  return n < 3 ? [{ type: 'create', actor: 'chain', causationId: event.position, object: configMap(`a-${n + 1}`) }] : [];
}

// The engine calls a plain `input$.pipe(reconcileEach(handle))` pipeline's handler directly; any
// other pipeline goes through RxJS. Both must give the same log and the same failure.
const direct = (): Controller => ({ name: 'chain', reconcile: (input$) => input$.pipe(reconcileEach(chain)) });
const viaRxjs = (): Controller => ({ name: 'chain', reconcile: (input$) => input$.pipe(reconcileEach(chain), map((output) => output)) });

async function run(controller: Controller, names: string[]): Promise<{ log: string[]; error?: string }> {
  const store = createInMemoryStore();
  const cluster = await createSimulatedCluster({ store, nodes: 0, controllers: [controller] });
  let error: string | undefined;
  try {
    for (const name of names) await cluster.act({ type: 'create', object: configMap(name) });
  } catch (e) {
    error = (e as Error).message.split('\n')[0];
  }
  const log: string[] = [];
  for await (const event of store.readAll(0)) log.push(`${(event as StoredEvent).type} ${(event as StoredEvent).stream} ${(event as StoredEvent).metadata.actor}`);
  await cluster.close();
  return { log, ...(error ? { error } : {}) };
}

describe('engine: controllers called directly', () => {
  it('write the same log as through RxJS', async () => {
    const a = await run(direct(), ['a-0', 'b']);
    const b = await run(viaRxjs(), ['a-0', 'b']);
    expect(a).toEqual(b);
    expect(a.log.filter((line) => line.endsWith(' chain'))).toEqual(['ObjectCreated ConfigMap/default/a-1 chain', 'ObjectCreated ConfigMap/default/a-2 chain', 'ObjectCreated ConfigMap/default/a-3 chain']);
  });

  it('fail the run with the controller named, as an errored pipeline does', async () => {
    const a = await run(direct(), ['boom']);
    const b = await run(viaRxjs(), ['boom']);
    expect(a.error).toBe('controller chain failed: Error: cannot handle boom');
    expect(b).toEqual(a);
  });
});

/** Like `chain`, and also re-creates `a-0` each time, which the write path rejects (AlreadyExists). */
function chainWithRejections(input: ReconcileInput): ControllerOutput[] {
  const outputs = chain(input);
  return outputs.length > 0 ? [...outputs, { type: 'create', actor: 'chain', causationId: input.event.position, object: configMap('a-0') }] : outputs;
}

async function runEngine(writePathOf: (writePath: WritePath) => CommandExecutor) {
  const store = createInMemoryStore();
  const state = createClusterState();
  const clock = createVirtualClock(Date.UTC(2026, 0, 1));
  const writePath = createWritePath({ store, state, now: () => clock.now() });
  await writePath.execute({ type: 'record', actor: 'orrery', event: { type: 'ClusterInitialized', data: { seed: 1, startTime: clock.now(), mode: 'simulation' } } });
  const rejected: string[] = [];
  const engine = createEngine({
    store,
    writePath: writePathOf(writePath),
    controllers: [{ name: 'chain', reconcile: (input$) => input$.pipe(reconcileEach(chainWithRejections)) }],
    mode: 'simulation',
    clock,
    fromPosition: state.position,
    onRejected: (command, error) => rejected.push(`${command.type} ${(error as Error).message}`),
  });
  await writePath.execute({ type: 'create', actor: 'user:admin', object: configMap('a-0') });
  await engine.settle();
  await engine.stop();
  return { log: store.events().map((e) => `${e.type} ${e.stream} ${e.metadata.actor} ${e.metadata.causationId ?? ''}`), rejected, stats: { ...engine.stats } };
}

describe('engine: commands of a local write path executed at once', () => {
  it('write the same log and report the same rejections as awaiting each execute', async () => {
    const atOnce = await runEngine((writePath) => writePath);
    const awaited = await runEngine((writePath) => ({ state: writePath.state, execute: (command) => writePath.execute(command) }));
    expect(atOnce).toEqual(awaited);
    expect(atOnce.rejected).toEqual(Array(3).fill('create configmaps "a-0" already exists'));
    expect(atOnce.stats).toEqual({ eventsProcessed: 4, commandsExecuted: 6, commandsRejected: 3 });
  });
});

/**
 * Counts ConfigMaps created by users and, when hooked, holds one `seen-<n>` ConfigMap (n = how
 * many it saw) until the engine is idle; unhooked, it writes at each one.
 */
function counter(): Controller {
  return {
    name: 'counter',
    reconcile: (input$) => {
      let seen = 0;
      let held: ControllerOutput | undefined;
      const idle = createIdleWork<ControllerOutput>(() => {
        const out = held ? [held] : [];
        held = undefined;
        return out;
      });
      const handle = ({ event }: ReconcileInput): ControllerOutput[] => {
        if (event.type !== 'ObjectCreated' || event.metadata.actor !== 'user:admin') return [];
        const command: ControllerOutput = { type: 'create', actor: 'counter', causationId: event.position, object: configMap(`seen-${++seen}`) };
        if (!idle.hooked) return [command];
        held = command;
        return [];
      };
      return input$.pipe(reconcileEach(handle, idle));
    },
  };
}

describe('engine: work held until idle', () => {
  it('is flushed once the engine has handed out every event, and only for pipelines it calls directly', async () => {
    const store = createInMemoryStore();
    const cluster = await createSimulatedCluster({ store, nodes: 0, controllers: [counter()] });
    await cluster.apply([configMap('x'), configMap('y')]);
    // One user action per settle: each ends in the engine going idle.
    const written = () => [...cluster.state.objects.get('ConfigMap')!.keys()].filter((k) => k.includes('seen-'));
    expect(written()).toEqual(['default/seen-1', 'default/seen-2']);
    await cluster.close();

    // Four creations in one burst (a controller reacting to one event): one write, at idle.

    const burst = (): Controller => ({
      name: 'burst',
      reconcile: (input$) =>
        input$.pipe(
          reconcileEach(({ event }: ReconcileInput): ControllerOutput[] =>
            event.type === 'ObjectCreated' && event.data.object.metadata.name === 'go'
              ? ['p', 'q', 'r'].map((name) => ({ type: 'create', actor: 'user:admin', causationId: event.position, object: configMap(name) }))
              : [],
          ),
        ),
    });
    const folded = await createSimulatedCluster({ nodes: 0, controllers: [burst(), counter()] });
    await folded.act({ type: 'create', object: configMap('go') });
    expect([...folded.state.objects.get('ConfigMap')!.keys()].filter((k) => k.includes('seen-'))).toEqual(['default/seen-4']);
    await folded.close();

    // Subscribed through RxJS (an operator after it): never hooked, so it writes at every event.
    const wrapped = (): Controller => {
      const inner = counter();
      return { name: 'counter', reconcile: (input$) => inner.reconcile(input$).pipe(map((o) => o)) };
    };
    const unfolded = await createSimulatedCluster({ nodes: 0, controllers: [burst(), wrapped()] });
    await unfolded.act({ type: 'create', object: configMap('go') });
    expect([...unfolded.state.objects.get('ConfigMap')!.keys()].filter((k) => k.includes('seen-'))).toEqual(['default/seen-1', 'default/seen-2', 'default/seen-3', 'default/seen-4']);
    await unfolded.close();
  });
});
