import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ContainerStatus, type PodCondition, kubeletConditions } from './pod-status.ts';

type ConditionUpdate = Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>;
interface ContainerSpec {
  name: string;
  restartPolicy?: string;
}

const SANDBOX_READY: ConditionUpdate = { type: 'PodReadyToStartContainers', status: 'True' };
const SANDBOX_GONE: ConditionUpdate = { type: 'PodReadyToStartContainers', status: 'False' };
const INITIALIZED: ConditionUpdate = { type: 'Initialized', status: 'True' };
const READY: ConditionUpdate = { type: 'Ready', status: 'True' };
const CONTAINERS_READY: ConditionUpdate = { type: 'ContainersReady', status: 'True' };
const ALL_READY: readonly ConditionUpdate[] = [SANDBOX_READY, INITIALIZED, READY, CONTAINERS_READY];

function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

function statusOf(list: ContainerStatus[] | undefined, name: string): ContainerStatus | undefined {
  if (list) for (let i = 0; i < list.length; i++) if (list[i]!.name === name) return list[i];
  return undefined;
}

function hasStarted(status: ContainerStatus | undefined): boolean {
  return !!status && (!!status.state.running || !!status.state.terminated);
}

/** kubeletConditions as it was before its not-ready answers were shared (commit 52be418), the reference. */
function previousKubeletConditions(
  spec: { containers?: ContainerSpec[]; initContainers?: ContainerSpec[] },
  phase: string | undefined,
  containerStatuses: ContainerStatus[] | undefined,
  initContainerStatuses: ContainerStatus[] | undefined,
): readonly ConditionUpdate[] {
  // In the order the kubelet adds them: PodReadyToStartContainers, Initialized, Ready, ContainersReady.
  const containers = spec.containers ?? [];
  const initContainers = spec.initContainers ?? [];

  // Initialized (GeneratePodInitializedCondition)
  let initialized: ConditionUpdate = INITIALIZED;
  if (initContainers.length > 0) {
    const unknown: string[] = [];
    const incomplete: string[] = [];
    for (const c of initContainers) {
      const status = statusOf(initContainerStatuses, c.name);
      if (!status) unknown.push(c.name);
      else if (c.restartPolicy === 'Always') {
        if (!status.started) incomplete.push(c.name);
      } else if (!status.state.terminated || status.state.terminated.exitCode !== 0) incomplete.push(c.name);
    }
    const anyRegularStarted = containers.some((c) => hasStarted(statusOf(containerStatuses, c.name)));
    if (phase === 'Succeeded' && unknown.length === 0) initialized = { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
    else if (!anyRegularStarted) {
      const messages: string[] = [];
      if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
      if (incomplete.length) messages.push(`containers with incomplete status: ${goList(incomplete)}`);
      if (messages.length) initialized = { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: messages.join(', ') };
    }
  }

  // ContainersReady (GenerateContainersReadyCondition), and Ready, which follows it absent readiness gates.
  let containersReady: ConditionUpdate;
  if (!containerStatuses) containersReady = { type: 'ContainersReady', status: 'False', reason: 'UnknownContainerStatuses' };
  else {
    const unknown: string[] = [];
    const unready: string[] = [];
    for (const c of initContainers) {
      if (c.restartPolicy !== 'Always') continue;
      const status = statusOf(initContainerStatuses, c.name);
      if (!status) unknown.push(c.name);
      else if (!status.ready) unready.push(c.name);
    }
    for (const c of containers) {
      const status = statusOf(containerStatuses, c.name);
      if (!status) unknown.push(c.name);
      else if (!status.ready) unready.push(c.name);
    }
    if (phase === 'Succeeded' && unknown.length === 0) containersReady = { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
    else {
      const messages: string[] = [];
      if (unknown.length) messages.push(`containers with unknown status: ${goList(unknown)}`);
      if (unready.length) messages.push(`containers with unready status: ${goList(unready)}`);
      containersReady = messages.length
        ? { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: messages.join(', ') }
        : CONTAINERS_READY;
    }
  }
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (!terminal && initialized === INITIALIZED && containersReady === CONTAINERS_READY) return ALL_READY;
  const ready = containersReady === CONTAINERS_READY ? READY : { ...containersReady, type: 'Ready' };
  return [terminal ? SANDBOX_GONE : SANDBOX_READY, initialized, ready, containersReady];
}


const names = ['app', 'sidecar', 'init', 'web'];
const state = fc.constantFrom<ContainerStatus['state']>(
  { waiting: { reason: 'ContainerCreating' } },
  { running: { startedAt: '2026-01-01T00:00:00Z' } },
  { terminated: { exitCode: 0, reason: 'Completed' } } as any,
  { terminated: { exitCode: 1, reason: 'Error' } } as any,
);
const statusFor = (name: string): fc.Arbitrary<ContainerStatus> =>
  fc.record({ name: fc.constant(name), state, lastState: fc.constant({}), ready: fc.boolean(), restartCount: fc.constant(0), image: fc.constant('x'), imageID: fc.constant(''), started: fc.boolean() }).map((status) => status as ContainerStatus);
const containerList = fc.subarray(names, { minLength: 0, maxLength: 3 }).chain((list) =>
  fc.tuple(...list.map((name) => fc.record({ name: fc.constant(name), restartPolicy: fc.constantFrom<string | undefined>(undefined, 'Always') }))),
);
const statusesOf = (list: ContainerSpec[]) =>
  fc.option(fc.tuple(...list.map((c) => fc.option(statusFor(c.name), { nil: undefined }))).map((s) => s.filter((x): x is ContainerStatus => x !== undefined)), { nil: undefined });
const input = fc
  .record({ containers: containerList, initContainers: fc.option(containerList, { nil: undefined }), phase: fc.constantFrom(undefined, 'Pending', 'Running', 'Succeeded', 'Failed') })
  .chain(({ containers, initContainers, phase }) =>
    fc.record({
      spec: fc.constant({ containers, initContainers }),
      phase: fc.constant(phase),
      statuses: statusesOf(containers),
      initStatuses: statusesOf(initContainers ?? []),
    }),
  );

describe('kubeletConditions', () => {
  it('gives the conditions it gave before its not-ready answers were shared', () => {
    fc.assert(
      fc.property(input, ({ spec, phase, statuses, initStatuses }) => {
        expect(kubeletConditions(spec, phase, statuses, initStatuses)).toEqual(previousKubeletConditions(spec, phase, statuses, initStatuses));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});
