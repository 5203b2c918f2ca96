import type { ContainerState, OrreryEvent, PodPhase } from '../../../core/events.ts';
import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { Backoff } from './backoff.ts';
import type { ConfigProblem } from './config-references.ts';
import { type ProbeSpec, probeFailsAt, probeSucceedsAt } from './probe-timeline.ts';
import { type ContainerSimulation, containerSimulation } from './sim-annotations.ts';

/**
 * The simulated container runtime of one pod, as the kubelet's pod worker drives it: containers
 * are created in Kubernetes' order (init containers one at a time, sidecars until started, then
 * the app containers together), run, pass or fail probes, exit, restart under the pod's
 * restartPolicy with the kubelet's back-off, and stop when the pod is deleted. Pure apart from the
 * back-off tables and the IP allocator it is handed; `advancePod` returns the status facts to
 * record and when it next needs to run.
 */

type Role = 'init' | 'sidecar' | 'regular';
type RunStatus =
  | 'waiting' // not created yet
  | 'creating' // sandbox/image pull under way; dueAt = when it runs (or the pull fails)
  | 'pull-failed' // ErrImagePull shown; dueAt = when ImagePullBackOff is shown
  | 'pull-backoff' // ImagePullBackOff; dueAt = next pull
  | 'running'
  | 'crash-backoff' // CrashLoopBackOff; dueAt = restart
  | 'stopping' // SIGTERM sent; dueAt = exit
  | 'exited'; // terminated, not restarting

export interface ContainerRun {
  name: string;
  role: Role;
  /** Exits 0 as soon as it runs unless `exit-after` says otherwise: init containers, and a Job's pods' containers (their work is done). */
  exitsWhenDone: boolean;
  image: string;
  sim: ContainerSimulation;
  liveness?: ProbeSpec;
  readiness?: ProbeSpec;
  startup?: ProbeSpec;
  status: RunStatus;
  dueAt?: number;
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  everRan: boolean;
  /** Has passed its startup probe (or run without one) at least once: what releases the next init container after a sidecar. */
  everStarted: boolean;
  startedAt?: number;
  finishedAt?: number;
  startedTime?: number;
  readyAt?: number;
  unreadyAt?: number;
  killAt?: number;
  oomAt?: number;
  exitAt?: number;
  stopExit?: { exitCode: number; reason: string };
  /** `<pod uid>/<container>`, the back-off tables' key, built the first time it is needed. */
  backoffKey?: string;
}

export interface PodRun {
  uid: string;
  ref: ObjectRef;
  node: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  hasInitContainers: boolean;
  containers: ContainerRun[];
  phase?: PodPhase;
  podIP?: string;
  reportedPodIP?: string;
  hostIP?: string;
  terminating: boolean;
  graceMs: number;
  /** The FailedMount message last reported, so a retry that fails the same way is not reported again. */
  mountProblem?: string;
}

export interface RuntimeContext {
  /** Container restart back-off (CrashLoopBackOff), keyed `<pod uid>/<container>`. */
  crashBackoff: Backoff;
  /** Image pull back-off (ImagePullBackOff), keyed `<pod uid>/<container>`. */
  pullBackoff: Backoff;
  allocatePodIP(): string;
  startupDelayMs?: number;
  /** What keeps a container from being created (a missing ConfigMap or Secret), checked when it is due to start. */
  configProblem?(run: PodRun, c: ContainerRun): ConfigProblem | undefined;
}

/** How soon the kubelet retries a pod whose volumes or container configuration failed (its pod sync back-off). */
export const CONFIG_RETRY_MS = 10_000;

export interface PodStep {
  events: OrreryEvent[];
  /** Every container has stopped after a deletion: the kubelet may now remove the pod. */
  stopped: boolean;
  /** When the pod next needs attention. */
  nextAt?: number;
}

interface ContainerSpec {
  name: string;
  image?: string;
  restartPolicy?: string;
  livenessProbe?: ProbeSpec;
  readinessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
}

/** Kubernetes' `format.Pod`: `name_namespace(uid)`. */
export function formatPod(ref: ObjectRef): string {
  return `${ref.name}_${ref.namespace ?? ''}(${ref.uid ?? ''})`;
}

function backoffKey(run: PodRun, c: ContainerRun): string {
  return (c.backoffKey ??= `${run.uid}/${c.name}`);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/** A PodRun for a pod the kubelet has just been given, before anything has happened to it. */
export function newPodRun(pod: KubeObject, node: string, hostIP: string | undefined, options: { startupDelayMs?: number } = {}): PodRun {
  const spec = pod.spec ?? {};
  const inits: ContainerSpec[] = spec.initContainers ?? [];
  const regulars: ContainerSpec[] = spec.containers ?? [];
  const hasInitContainers = inits.length > 0;
  // Exact size: an array grown by push keeps room for 17 entries, ~130 bytes per pod held.
  const containers: ContainerRun[] = new Array(inits.length + regulars.length);
  let at = 0;
  for (const c of inits) containers[at++] = containerRunOf(pod, c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', hasInitContainers, options);
  for (const c of regulars) containers[at++] = containerRunOf(pod, c, 'regular', hasInitContainers, options);
  // Every field a running pod gets, present from the start (undefined until set): fields added to
  // an object after it is made go to an extra properties store (~40 bytes per pod held).
  return {
    uid: pod.metadata.uid ?? '',
    ref: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
    node,
    restartPolicy: (spec.restartPolicy as PodRun['restartPolicy'] | undefined) ?? 'Always',
    hasInitContainers,
    containers,
    phase: undefined,
    podIP: undefined,
    reportedPodIP: undefined,
    hostIP: hostIP || undefined,
    terminating: false,
    graceMs: 30_000,
  };
}

/**
 * A pod a Job controls runs a task to its end, so its containers exit 0 once running (as KWOK's
 * pod-complete stage completes a Job's pods); anything else runs until something stops it.
 */
function ownedByJob(pod: KubeObject): boolean {
  const owners = pod.metadata.ownerReferences;
  if (!owners) return false;
  for (const owner of owners) if (owner.controller && owner.kind === 'Job') return true;
  return false;
}

// At module level, not a closure per pod: under tsx (keepNames) each closure made costs a defineProperty.
function containerRunOf(pod: KubeObject, c: ContainerSpec, role: Role, hasInitContainers: boolean, options: { startupDelayMs?: number }): ContainerRun {
  return {
    name: c.name,
    role,
    exitsWhenDone: role === 'init' || (role === 'regular' && ownedByJob(pod)),
    image: c.image ?? '',
    sim: containerSimulation(pod, c.name, c.image ?? '', options),
    // Always present (undefined when absent): one shape for every container, no spreads.
    liveness: role !== 'init' && c.livenessProbe ? c.livenessProbe : undefined,
    readiness: role !== 'init' && c.readinessProbe ? c.readinessProbe : undefined,
    startup: role !== 'init' && c.startupProbe ? c.startupProbe : undefined,
    status: 'waiting',
    state: { waiting: { reason: hasInitContainers ? 'PodInitializing' : 'ContainerCreating' } },
    ready: false,
    started: false,
    restartCount: 0,
    everRan: false,
    everStarted: false,
    backoffKey: undefined,
    // What every started container gets (see the PodRun above).
    dueAt: undefined,
    startedAt: undefined,
    startedTime: undefined,
    readyAt: undefined,
  };
}

/** The first sync of a new pod: every container waiting, the pod Pending on its host. */
export function admitPod(run: PodRun, now: number, ctx: RuntimeContext): PodStep {
  const events: OrreryEvent[] = run.containers.map((c) => containerEvent(run, c));
  run.phase = 'Pending';
  events.push({ type: 'PodPhaseChanged', data: run.hostIP ? { ref: run.ref, phase: 'Pending', hostIP: run.hostIP } : { ref: run.ref, phase: 'Pending' } });
  return prependEvents(events, advancePod(run, now, ctx));
}

/** The step with `events` before its own (the step is fresh from advancePod: it is reused). */
function prependEvents(events: OrreryEvent[], step: PodStep): PodStep {
  for (const event of step.events) events.push(event);
  step.events = events;
  return step;
}

/**
 * A PodRun rebuilt from the pod's recorded status, for a kubelet that (re)starts with the pod
 * already on its node: running containers keep running from their recorded start, crashed ones
 * restart now (a restarted kubelet has forgotten its back-off), unstarted ones are created.
 */
export function adoptPod(pod: KubeObject, node: string, hostIP: string | undefined, now: number, options: { startupDelayMs?: number } = {}): PodRun {
  const run = newPodRun(pod, node, hostIP, options);
  const statuses = [...((pod.status?.initContainerStatuses as any[]) ?? []), ...((pod.status?.containerStatuses as any[]) ?? [])];
  for (const c of run.containers) {
    const status = statuses.find((s) => s.name === c.name);
    if (!status) continue;
    c.restartCount = status.restartCount ?? 0;
    c.state = status.state ?? c.state;
    if (status.lastState?.terminated) c.lastState = status.lastState;
    c.ready = !!status.ready;
    c.started = !!status.started;
    if (status.state?.running) {
      c.status = 'running';
      c.everRan = true;
      setTimeline(c, Date.parse(status.state.running.startedAt));
      c.everStarted = c.started;
      c.dueAt = nextRunningDue(c, now);
    } else if (status.state?.terminated) {
      c.everRan = true;
      c.finishedAt = Date.parse(status.state.terminated.finishedAt);
      c.status = 'exited';
      if (shouldRestart(run, c, status.state.terminated.exitCode)) {
        c.status = 'crash-backoff';
        c.dueAt = c.finishedAt;
      }
    } else if (c.lastState?.terminated) {
      c.everRan = true;
      c.finishedAt = Date.parse(c.lastState.terminated.finishedAt);
      c.status = 'crash-backoff';
      c.dueAt = c.finishedAt;
    }
  }
  for (const c of run.containers) if (c.everRan) c.everStarted = true;
  run.phase = pod.status?.phase;
  if (pod.status?.podIP) run.podIP = run.reportedPodIP = pod.status.podIP;
  return run;
}

/** Whether the pod's recorded Ready condition agrees with its containers' readiness. */
export function podStatusMatches(pod: KubeObject, run: PodRun): boolean {
  const ready = (pod.status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((c) => c.type === 'Ready');
  if (!ready) return true;
  const containersReady = run.containers.every((c) => c.role === 'init' || c.ready);
  return (ready.status === 'True') === containersReady;
}

/**
 * The pod object changed (an update): `sim.orrery.dev/*` annotations take effect at once (a
 * running container's timeline is recomputed from its start), and a container whose image
 * changed is killed and restarted with the new one, whatever the restart policy, as the kubelet
 * does when a container's definition changes.
 */
export function updatePod(run: PodRun, pod: KubeObject, now: number, ctx: RuntimeContext, options: { startupDelayMs?: number } = {}): PodStep {
  const events: OrreryEvent[] = [];
  const specs: ContainerSpec[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of run.containers) {
    const spec = specs.find((s) => s.name === c.name);
    if (!spec) continue;
    const image = spec.image ?? '';
    c.sim = containerSimulation(pod, c.name, image, options);
    if (run.terminating) continue;
    if (image !== c.image) {
      c.image = image;
      ctx.crashBackoff.forget(backoffKey(run, c));
      ctx.pullBackoff.forget(backoffKey(run, c));
      if (c.status === 'running') {
        terminate(c, now, 0, 'Completed');
        delete c.dueAt;
        events.push(containerEvent(run, c, 'Killing'));
        c.lastState = c.state;
        c.restartCount++;
        startContainer(run, c, now, ctx, events);
      } else if (c.status === 'pull-failed' || c.status === 'pull-backoff' || c.status === 'crash-backoff') {
        c.status = 'creating';
        c.dueAt = now;
      }
      continue;
    }
    if (c.status === 'running' && c.startedAt !== undefined) {
      const { ready, started } = c;
      setTimeline(c, c.startedAt);
      c.ready = ready;
      c.started = started;
      c.dueAt = nextRunningDue(c, now);
      if (c.dueAt !== undefined && c.dueAt < now) c.dueAt = now;
    }
  }
  return prependEvents(events, advancePod(run, now, ctx));
}

/** The pod is being deleted: SIGTERM to every running container, nothing new starts. */
export function beginTermination(run: PodRun, now: number, graceSeconds: number): void {
  if (run.terminating) return;
  run.terminating = true;
  run.graceMs = Math.max(0, graceSeconds) * 1000;
  for (const c of run.containers) stopContainer(run, c, now);
}

function stopContainer(run: PodRun, c: ContainerRun, now: number): void {
  if (c.status === 'running') {
    const overrun = c.sim.shutdownDelayMs > run.graceMs;
    c.status = 'stopping';
    c.dueAt = now + Math.min(c.sim.shutdownDelayMs, run.graceMs);
    c.stopExit = overrun ? { exitCode: 137, reason: 'Error' } : { exitCode: 0, reason: 'Completed' };
  } else if (c.status !== 'stopping') {
    if (c.status !== 'exited') c.status = c.everRan ? 'exited' : 'waiting';
    delete c.dueAt;
  }
}

/** Runs every transition due at or before `now`, then reports the phase if it changed. */
export function advancePod(run: PodRun, now: number, ctx: RuntimeContext): PodStep {
  const events: OrreryEvent[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    let fired = false;
    for (const c of run.containers) {
      if (c.dueAt !== undefined && c.dueAt <= now) {
        fire(run, c, now, ctx, events);
        fired = true;
      }
    }
    if (startEligible(run, now, ctx)) fired = true;
    if (stopSidecarsWhenDone(run, now)) fired = true;
    if (!fired) break;
  }
  reportPhase(run, events);
  let nextAt: number | undefined;
  for (const c of run.containers) if (c.dueAt !== undefined && (nextAt === undefined || c.dueAt < nextAt)) nextAt = c.dueAt;
  const stopped = run.terminating && run.containers.every((c) => c.status !== 'stopping');
  return nextAt !== undefined ? { events, stopped, nextAt } : { events, stopped };
}

export function containerEvent(run: PodRun, c: ContainerRun, reason?: string): OrreryEvent {
  // One literal per shape, fields in the same order (no spreads): these are the kubelet's most frequent events.
  const { ref } = run;
  const { name: container, state, lastState, ready, started, restartCount } = c;
  if (lastState) {
    return { type: 'ContainerStateChanged', data: reason ? { ref, container, state, lastState, ready, started, restartCount, reason } : { ref, container, state, lastState, ready, started, restartCount } };
  }
  return { type: 'ContainerStateChanged', data: reason ? { ref, container, state, ready, started, restartCount, reason } : { ref, container, state, ready, started, restartCount } };
}

function fire(run: PodRun, c: ContainerRun, now: number, ctx: RuntimeContext, events: OrreryEvent[]): void {
  switch (c.status) {
    case 'creating': {
      const problem = ctx.configProblem?.(run, c);
      if (problem) {
        holdForConfig(run, c, now, problem, events);
        return;
      }
      delete run.mountProblem;
      if (c.sim.imagePullFails) {
        ctx.pullBackoff.next(backoffKey(run, c), now);
        c.status = 'pull-failed';
        c.dueAt = now + 1000;
        c.state = {
          waiting: {
            reason: 'ErrImagePull',
            message: `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": not found`,
          },
        };
        events.push(containerEvent(run, c, 'Failed'));
      } else {
        startContainer(run, c, now, ctx, events);
      }
      return;
    }
    case 'pull-failed':
      c.status = 'pull-backoff';
      c.dueAt = now - 1000 + ctx.pullBackoff.get(backoffKey(run, c));
      c.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } };
      events.push(containerEvent(run, c, 'BackOff'));
      return;
    case 'pull-backoff':
      c.status = 'creating';
      c.dueAt = now;
      return;
    case 'crash-backoff':
      ctx.crashBackoff.next(backoffKey(run, c), c.finishedAt ?? now);
      c.restartCount++;
      startContainer(run, c, now, ctx, events);
      return;
    case 'stopping': {
      const exit = c.stopExit ?? { exitCode: 0, reason: 'Completed' };
      delete c.stopExit;
      terminate(c, now, exit.exitCode, exit.reason);
      c.status = 'exited';
      delete c.dueAt;
      events.push(containerEvent(run, c));
      return;
    }
    case 'running':
      fireRunning(run, c, now, ctx, events);
      return;
    default:
      delete c.dueAt;
  }
}

/** The container stays uncreated and is retried: a failed mount is reported once per pod, a config error on the container. */
function holdForConfig(run: PodRun, c: ContainerRun, now: number, problem: ConfigProblem, events: OrreryEvent[]): void {
  c.dueAt = now + CONFIG_RETRY_MS;
  if (problem.mount) {
    if (run.mountProblem !== problem.mount) {
      run.mountProblem = problem.mount;
      const event = containerEvent(run, c, 'FailedMount');
      if (event.type === 'ContainerStateChanged') event.data.message = problem.mount;
      events.push(event);
    }
    return;
  }
  delete run.mountProblem;
  const waiting = { reason: 'CreateContainerConfigError', message: problem.container ?? '' };
  if (c.state.waiting?.reason === waiting.reason && c.state.waiting.message === waiting.message) return;
  c.state = { waiting };
  events.push(containerEvent(run, c, 'Failed'));
}

function setTimeline(c: ContainerRun, startedAt: number): void {
  c.startedAt = startedAt;
  c.startedTime = c.startup ? probeSucceedsAt(c.startup, startedAt, startedAt) : startedAt;
  delete c.readyAt;
  delete c.unreadyAt;
  delete c.killAt;
  delete c.oomAt;
  delete c.exitAt;
  if (c.readiness) {
    const readyAt = probeSucceedsAt(c.readiness, startedAt, c.startedTime);
    const failFrom = c.sim.readinessFailAfterMs !== undefined ? startedAt + c.sim.readinessFailAfterMs : undefined;
    if (failFrom === undefined || readyAt < failFrom) c.readyAt = readyAt;
    if (failFrom !== undefined && c.readyAt !== undefined) c.unreadyAt = probeFailsAt(c.readiness, startedAt, c.startedTime, failFrom);
  } else {
    c.readyAt = c.startedTime;
  }
  if (c.liveness && c.sim.livenessFailAfterMs !== undefined) {
    c.killAt = probeFailsAt(c.liveness, startedAt, c.startedTime, startedAt + c.sim.livenessFailAfterMs);
  }
  if (c.sim.oomAfterMs !== undefined) c.oomAt = startedAt + c.sim.oomAfterMs;
  const exitAfter = c.sim.exitAfterMs ?? (c.exitsWhenDone ? 0 : undefined);
  if (exitAfter !== undefined) c.exitAt = startedAt + exitAfter;
}

function nextRunningDue(c: ContainerRun, now: number): number | undefined {
  let due: number | undefined;
  if (!c.started && c.startedTime !== undefined) due = earlier(due, c.startedTime);
  if (!c.ready && c.readyAt !== undefined && (c.unreadyAt === undefined || now < c.unreadyAt)) due = earlier(due, c.readyAt);
  if (c.ready && c.unreadyAt !== undefined) due = earlier(due, c.unreadyAt);
  if (c.killAt !== undefined) due = earlier(due, c.killAt);
  if (c.oomAt !== undefined) due = earlier(due, c.oomAt);
  if (c.exitAt !== undefined) due = earlier(due, c.exitAt);
  return due;
}

/** Math.min over the candidates one at a time (NaN and -0 as Math.min of them all), without an array per call. */
function earlier(due: number | undefined, candidate: number): number {
  return due === undefined ? candidate : Math.min(due, candidate);
}

function startContainer(run: PodRun, c: ContainerRun, now: number, ctx: RuntimeContext, events: OrreryEvent[]): void {
  if (!run.podIP) run.podIP = ctx.allocatePodIP();
  c.everRan = true;
  c.status = 'running';
  setTimeline(c, now);
  c.started = c.startedTime! <= now;
  if (c.started) c.everStarted = true;
  c.ready = c.started && c.readyAt !== undefined && c.readyAt <= now && (c.unreadyAt === undefined || c.unreadyAt > now);
  c.state = { running: { startedAt: toRfc3339(now) } };
  if (c.exitAt !== undefined && c.exitAt <= now) {
    // A process that exits at once never shows as running.
    c.started = false;
    c.ready = false;
    exitContainer(run, c, now, ctx, events, c.sim.exitCode, c.sim.exitCode === 0 ? 'Completed' : 'Error');
    return;
  }
  c.dueAt = nextRunningDue(c, now);
  events.push(containerEvent(run, c, 'Started'));
}

function fireRunning(run: PodRun, c: ContainerRun, now: number, ctx: RuntimeContext, events: OrreryEvent[]): void {
  if (c.oomAt !== undefined && c.oomAt <= now && (c.exitAt === undefined || c.oomAt <= c.exitAt) && (c.killAt === undefined || c.oomAt <= c.killAt)) {
    // The kernel's OOM killer: SIGKILL, which the runtime reports as OOMKilled.
    exitContainer(run, c, now, ctx, events, 137, 'OOMKilled');
    return;
  }
  if (c.exitAt !== undefined && c.exitAt <= now && (c.killAt === undefined || c.exitAt <= c.killAt)) {
    exitContainer(run, c, now, ctx, events, c.sim.exitCode, c.sim.exitCode === 0 ? 'Completed' : 'Error');
    return;
  }
  if (c.killAt !== undefined && c.killAt <= now) {
    // Killed for failing its liveness probe: SIGKILL's exit status, as `kubectl describe` shows it.
    exitContainer(run, c, now, ctx, events, 137, 'Error', 'Killing');
    return;
  }
  let reason: string | undefined;
  const wasReady = c.ready;
  const wasStarted = c.started;
  if (!c.started && c.startedTime !== undefined && c.startedTime <= now) c.started = c.everStarted = true;
  if (c.started) c.ready = c.readyAt !== undefined && c.readyAt <= now && (c.unreadyAt === undefined || c.unreadyAt > now);
  if (wasReady && !c.ready) reason = 'Unhealthy';
  c.dueAt = nextRunningDue(c, now);
  if (c.ready !== wasReady || c.started !== wasStarted) events.push(containerEvent(run, c, reason));
}

function terminate(c: ContainerRun, now: number, exitCode: number, reason: string): void {
  c.state = {
    terminated: { exitCode, reason, startedAt: toRfc3339(c.startedAt ?? now), finishedAt: toRfc3339(now) },
  };
  c.finishedAt = now;
  c.ready = false;
  c.started = false;
}

function shouldRestart(run: PodRun, c: ContainerRun, exitCode: number): boolean {
  if (run.terminating) return false;
  if (c.role === 'sidecar') return true;
  if (c.role === 'init') return exitCode !== 0 && run.restartPolicy !== 'Never';
  return run.restartPolicy === 'Always' || (run.restartPolicy === 'OnFailure' && exitCode !== 0);
}

function exitContainer(run: PodRun, c: ContainerRun, now: number, ctx: RuntimeContext, events: OrreryEvent[], exitCode: number, reason: string, eventReason?: string): void {
  terminate(c, now, exitCode, reason);
  delete c.dueAt;
  events.push(containerEvent(run, c, eventReason));
  if (!shouldRestart(run, c, exitCode)) {
    c.status = 'exited';
    return;
  }
  const key = backoffKey(run, c);
  c.lastState = c.state;
  if (ctx.crashBackoff.isInBackOffSince(key, now, now)) {
    const backoff = ctx.crashBackoff.get(key);
    c.status = 'crash-backoff';
    c.dueAt = now + backoff;
    c.state = {
      waiting: { reason: 'CrashLoopBackOff', message: `back-off ${seconds(backoff)} restarting failed container=${c.name} pod=${formatPod(run.ref)}` },
    };
    events.push(containerEvent(run, c, 'BackOff'));
    return;
  }
  ctx.crashBackoff.next(key, now);
  c.restartCount++;
  startContainer(run, c, now, ctx, events);
}

/** Creates the containers Kubernetes' start order allows now; true when it created any. */
function startEligible(run: PodRun, now: number, ctx: RuntimeContext): boolean {
  if (run.terminating || run.phase === 'Succeeded' || run.phase === 'Failed') return false;
  let created = false;
  for (const c of run.containers) {
    if (c.role === 'regular') break;
    if (c.role === 'sidecar') {
      if (c.status === 'waiting') created = startCreating(c, now, ctx);
      if (!c.everStarted) return created;
      continue;
    }
    if (c.status === 'exited' && c.state.terminated?.exitCode === 0) continue;
    if (c.status === 'waiting') created = startCreating(c, now, ctx);
    return created;
  }
  for (const c of run.containers) if (c.role === 'regular' && c.status === 'waiting') created = startCreating(c, now, ctx);
  return created;
}

/** A waiting container starts being created (a module function, not a closure per call: see containerRunOf). Returns true. */
function startCreating(c: ContainerRun, now: number, ctx: RuntimeContext): true {
  c.status = 'creating';
  c.dueAt = now + (c.everRan ? 0 : (c.sim.startupDelayMs ?? ctx.startupDelayMs ?? 0));
  return true;
}

function regularsDone(run: PodRun): boolean {
  const regulars = run.containers.filter((c) => c.role === 'regular');
  return regulars.length > 0 && regulars.every((c) => c.status === 'exited');
}

/** Sidecars stop once every app container has finished for good. */
function stopSidecarsWhenDone(run: PodRun, now: number): boolean {
  if (run.terminating || !regularsDone(run)) return false;
  let changed = false;
  for (const c of run.containers) {
    if (c.role !== 'sidecar') continue;
    if (c.status === 'running') {
      stopContainer({ ...run, graceMs: Number.POSITIVE_INFINITY }, c, now);
      changed = true;
    } else if (c.status === 'crash-backoff' || c.status === 'creating' || c.status === 'pull-failed' || c.status === 'pull-backoff') {
      stopContainer(run, c, now);
    }
  }
  return changed;
}

/** Kubernetes' getPhase (pkg/kubelet/kubelet_pods.go), over the simulated runtime. */
export function podPhaseOf(run: PodRun): PodPhase {
  if (run.phase === 'Succeeded' || run.phase === 'Failed') return run.phase;
  let pendingInitialization = false;
  for (const c of run.containers) {
    if (c.role === 'init') {
      if (c.status === 'exited' && c.state.terminated?.exitCode === 0) continue;
      if (c.status === 'exited' && run.restartPolicy === 'Never') return 'Failed';
      pendingInitialization = true;
    } else if (c.role === 'sidecar' && !c.everStarted) {
      pendingInitialization = true;
    }
  }
  if (pendingInitialization) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  let sidecarsRunning = false;
  for (const c of run.containers) {
    if (c.role === 'sidecar' && (c.status === 'running' || c.status === 'stopping')) sidecarsRunning = true;
    if (c.role !== 'regular') continue;
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (run.restartPolicy === 'Always') return 'Running';
    // A completed pod stays Running until its sidecars have stopped.
    if (sidecarsRunning && regularsDone(run)) return 'Running';
    if (stopped === succeeded && regularsDone(run)) return 'Succeeded';
    if (run.restartPolicy === 'Never') return 'Failed';
    return regularsDone(run) ? (stopped === succeeded ? 'Succeeded' : 'Failed') : 'Running';
  }
  return 'Pending';
}

/**
 * Since Kubernetes 1.27 the kubelet moves a deleted pod to a terminal phase once its containers
 * have stopped, before the pod leaves the API: Succeeded when every container exited 0, else Failed.
 */
function terminalPhaseAfterStop(run: PodRun): PodPhase {
  const clean = run.containers.every((c) => c.state.terminated?.exitCode === 0);
  return clean ? 'Succeeded' : 'Failed';
}

function reportPhase(run: PodRun, events: OrreryEvent[]): void {
  if (run.terminating && run.containers.some((c) => c.status === 'stopping')) return;
  const phase = run.terminating ? (run.phase === 'Succeeded' || run.phase === 'Failed' ? run.phase : terminalPhaseAfterStop(run)) : podPhaseOf(run);
  if (phase === run.phase && run.podIP === run.reportedPodIP) return;
  const starting = phase === 'Running' && run.phase !== 'Running';
  run.phase = phase;
  run.reportedPodIP = run.podIP;
  const { ref, hostIP, podIP } = run;
  const event: OrreryEvent = {
    type: 'PodPhaseChanged',
    data: hostIP ? (podIP ? { ref, phase, hostIP, podIP } : { ref, phase, hostIP }) : podIP ? { ref, phase, podIP } : { ref, phase },
  };
  // The real kubelet posts phase and container statuses in one update. As separate events, a pod
  // that starts must be Running before its containers report ready, or a watcher sees "1/1 Pending".
  if (starting) events.unshift(event);
  else events.push(event);
}
