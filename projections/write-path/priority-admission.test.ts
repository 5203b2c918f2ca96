import { describe, expect, it } from 'vitest';
import { type ApiError, isApiError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import type { Command } from '../commands.ts';
import { createClusterState } from '../state/reducer.ts';
import { createWritePath } from './write-path.ts';

const T0 = Date.UTC(2026, 0, 1);

async function given(...objects: KubeObject[]) {
  const store = createInMemoryStore();
  const state = createClusterState();
  const writePath = createWritePath({ store, state, now: () => T0 });
  const run = (command: Omit<Extract<Command, { type: 'create' }>, 'actor'>) => writePath.execute({ actor: 'user:admin', ...command });
  await writePath.execute({ type: 'record', actor: 'user:admin', event: { type: 'ClusterInitialized', data: { seed: 7, startTime: T0, mode: 'simulation' } } });
  for (const object of objects) await run({ type: 'create', object });
  return {
    run,
    /** The create refused, with nothing appended. */
    async rejects(command: Omit<Extract<Command, { type: 'create' }>, 'actor'>): Promise<ApiError> {
      const head = await store.head();
      const error = await run(command).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!isApiError(error)) throw new Error(`expected an ApiError, got ${String(error)}`);
      expect(await store.head()).toBe(head);
      return error;
    },
  };
}

const pod = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});

describe('Priority admission', () => {
  const priorityClass = (name: string, value: number, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });

  it('a pod\'s class sets its priority and preemption policy; the system classes need no object', async () => {
    const { run } = await given(priorityClass('batch', 100, { preemptionPolicy: 'Never' }));
    const batch = (await run({ type: 'create', object: pod('job', { priorityClassName: 'batch' }) })).object!;
    expect([batch.spec.priority, batch.spec.preemptionPolicy]).toEqual([100, 'Never']);
    const critical = (await run({ type: 'create', object: pod('dns', { priorityClassName: 'system-cluster-critical' }) })).object!;
    expect([critical.spec.priority, critical.spec.preemptionPolicy]).toEqual([2_000_000_000, 'PreemptLowerPriority']);
    const plain = (await run({ type: 'create', object: pod('plain') })).object!;
    expect([plain.spec.priority, plain.spec.priorityClassName]).toEqual([0, undefined]);
  });

  it('a globalDefault class is what a pod without one gets', async () => {
    const { run } = await given(priorityClass('normal', 10, { globalDefault: true }));
    const plain = (await run({ type: 'create', object: pod('plain') })).object!;
    expect([plain.spec.priorityClassName, plain.spec.priority]).toEqual(['normal', 10]);
  });

  it('refuses a missing class, a stated priority that is not the class\'s, and user classes above 1e9 (403 and 422, nothing appended)', async () => {
    const { rejects } = await given(priorityClass('batch', 100));
    expect((await rejects({ type: 'create', object: pod('a', { priorityClassName: 'missing' }) })).toStatus()).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'pods "a" is forbidden: no PriorityClass with name missing was found',
    });
    expect((await rejects({ type: 'create', object: pod('b', { priorityClassName: 'batch', priority: 7 }) })).message).toBe(
      'pods "b" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 100 from the given PriorityClass name',
    );
    expect((await rejects({ type: 'create', object: priorityClass('huge', 2_000_000_000) })).message).toBe(
      'PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    );
  });
});
