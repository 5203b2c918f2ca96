import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { Controller, ControllerOutput, ReconcileInput } from './controller.ts';
import { reconcileEach } from './reconcile-each.ts';
import { createSimulatedCluster } from './simulated-cluster.ts';

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
