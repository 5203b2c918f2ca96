import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../projections/engine/controller.ts';
import { controllersWith } from '../../projections/engine/default-controllers.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { syncStatefulSet } from '../../projections/controllers/statefulset/sync-statefulset.ts';
import { map, mergeMap, type Observable } from 'rxjs';
import type { Invariant } from './invariant.ts';
import { statefulSetOrderedCreation, statefulSetUniqueOrdinals } from './statefulset-ordinals.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const sts: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } } },
};

async function violations(c: SimulatedCluster, invariant: Invariant): Promise<string[]> {
  const checker = invariant.start();
  const state = createClusterState();
  const found: string[] = [];
  for await (const event of c.store.readAll(0)) {
    applyEvent(state, event);
    const violation = checker.onEvent?.(event, state);
    if (violation) found.push(violation);
  }
  return found;
}

/** A broken StatefulSet controller that treats OrderedReady as Parallel. */
const impatient: Controller = {
  name: 'statefulset-controller',
  reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
    return input$.pipe(
      mergeMap(({ event, state }) =>
        [...(state.objects.get('StatefulSet')?.values() ?? [])].map((s) => ({ s, event, state })),
      ),
      map(({ s, event, state }) => {
        const relaxed = structuredClone(s);
        relaxed.spec.podManagementPolicy = 'Parallel';
        state.objects.get('StatefulSet')!.set('default/web', relaxed);
        const { commands } = syncStatefulSet(state, 'default', 'web', { actor: 'statefulset-controller', causationId: event.position });
        state.objects.get('StatefulSet')!.set('default/web', s);
        return commands.filter((c) => c.type === 'create' && c.object.kind === 'Pod');
      }),
      mergeMap((commands) => commands),
    );
  },
};

describe('StatefulSet invariants', () => {
  it('hold for the built-in controller through creation and a pod deletion', async () => {
    cluster = await createSimulatedCluster({ seed: 8, nodes: 2 });
    await cluster.apply([sts]);
    await cluster.run(60_000);
    await cluster.act({ type: 'delete', ref: { kind: 'Pod', namespace: 'default', name: 'web-1' } });
    await cluster.run(60_000);
    expect(await violations(cluster, statefulSetUniqueOrdinals)).toEqual([]);
    expect(await violations(cluster, statefulSetOrderedCreation)).toEqual([]);
  });

  it('statefulset-ordered-creation catches a controller that creates every ordinal at once', async () => {
    cluster = await createSimulatedCluster({ seed: 8, nodes: 2, controllers: controllersWith({ 'statefulset-controller': impatient }) });
    await cluster.apply([sts]);
    await cluster.run(30_000);
    const found = await violations(cluster, statefulSetOrderedCreation);
    expect(found[0]).toBe('StatefulSet default/web created web-1 while web-0 was not Running and Ready');
  });
});
