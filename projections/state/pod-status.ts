import type { ContainerState } from '../../core/events.ts';
import { hashSeed } from '../../core/prng.ts';

/**
 * Pod status as the kubelet derives it (pkg/kubelet/status/generate.go): container statuses in
 * spec order, and the Initialized / Ready / ContainersReady conditions computed from them.
 */

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

type ConditionUpdate = Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>;

/**
 * Sets conditions, keeping each one's lastTransitionTime unless its status changes (Kubernetes'
 * podutil.UpdatePodCondition). Returns a new array (the same one when nothing changed); existing
 * conditions keep their place, new ones are appended in the order given.
 */
export function withConditions(conditions: PodCondition[] | undefined, updates: readonly ConditionUpdate[], now: string): PodCondition[] {
  let list: PodCondition[] | undefined;
  let grown = false;
  const current = conditions ?? [];
  for (const next of updates) {
    const source = list ?? current;
    let index = -1;
    for (let i = 0; i < source.length; i++) {
      if (source[i]!.type === next.type) {
        index = i;
        break;
      }
    }
    const previous = index >= 0 ? source[index] : undefined;
    if (previous && previous.status === next.status && previous.reason === next.reason && previous.message === next.message) continue;
    const condition = conditionOf(next, previous && previous.status === next.status ? previous.lastTransitionTime : now);
    list ??= current.slice();
    if (index >= 0) list[index] = condition;
    else {
      list.push(condition);
      grown = true;
    }
  }
  // An array grown by push keeps room for 16 more entries: the exact-size copy is what is held.
  return grown ? list!.slice() : (list ?? current);
}

/** The last condition made per type: pods that change together (a burst of starts) share their conditions. */
const lastConditions = new Map<string, PodCondition>();

/** A condition as withConditions writes it; equal ones are one shared object (stored objects are never changed in place). */
function conditionOf(next: ConditionUpdate, lastTransitionTime: string): PodCondition {
  const last = lastConditions.get(next.type);
  if (
    last !== undefined &&
    last.status === next.status &&
    last.lastTransitionTime === lastTransitionTime &&
    last.reason === (next.reason || undefined) &&
    last.message === (next.message || undefined)
  ) {
    return last;
  }
  const condition: PodCondition = { type: next.type, status: next.status, lastProbeTime: null, lastTransitionTime };
  if (next.reason) condition.reason = next.reason;
  if (next.message) condition.message = next.message;
  if (lastConditions.size >= 64 && !lastConditions.has(next.type)) lastConditions.clear();
  lastConditions.set(next.type, condition);
  return condition;
}

export function withCondition(conditions: PodCondition[] | undefined, next: ConditionUpdate, now: string): PodCondition[] {
  return withConditions(conditions, [next], now);
}

const SANDBOX_READY: ConditionUpdate = { type: 'PodReadyToStartContainers', status: 'True' };
const SANDBOX_GONE: ConditionUpdate = { type: 'PodReadyToStartContainers', status: 'False' };
const INITIALIZED: ConditionUpdate = { type: 'Initialized', status: 'True' };
const READY: ConditionUpdate = { type: 'Ready', status: 'True' };
const CONTAINERS_READY: ConditionUpdate = { type: 'ContainersReady', status: 'True' };
/** The common case, shared rather than rebuilt per event (callers never mutate condition updates). */
const ALL_READY: readonly ConditionUpdate[] = [SANDBOX_READY, INITIALIZED, READY, CONTAINERS_READY];

/** Go's `%s` of a []string: `[a b]`. */
function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

interface ContainerSpec {
  name: string;
  image?: string;
  restartPolicy?: string;
}

function statusOf(list: ContainerStatus[] | undefined, name: string): ContainerStatus | undefined {
  if (list) for (let i = 0; i < list.length; i++) if (list[i]!.name === name) return list[i];
  return undefined;
}

function hasStarted(status: ContainerStatus | undefined): boolean {
  return !!status && (!!status.state.running || !!status.state.terminated);
}

/** The kubelet-owned conditions for a pod's spec, phase and container statuses. */
export function kubeletConditions(
  spec: { containers?: ContainerSpec[]; initContainers?: ContainerSpec[] },
  phase: string | undefined,
  containerStatuses: ContainerStatus[] | undefined,
  initContainerStatuses: ContainerStatus[] | undefined,
): readonly ConditionUpdate[] {
  // In the order the kubelet adds them: PodReadyToStartContainers, Initialized, Ready, ContainersReady.
  const containers = spec.containers ?? NO_CONTAINERS;
  const initContainers = spec.initContainers ?? NO_CONTAINERS;

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
  let notReady: NotReady | undefined;
  if (!containerStatuses) containersReady = UNKNOWN_CONTAINER_STATUSES;
  else {
    // Lists made only when a container is missing or unready (most calls find every one ready).
    let unknown: string[] | undefined;
    let unready: string[] | undefined;
    for (const c of initContainers) {
      if (c.restartPolicy !== 'Always') continue;
      const status = statusOf(initContainerStatuses, c.name);
      if (!status) (unknown ??= []).push(c.name);
      else if (!status.ready) (unready ??= []).push(c.name);
    }
    for (const c of containers) {
      const status = statusOf(containerStatuses, c.name);
      if (!status) (unknown ??= []).push(c.name);
      else if (!status.ready) (unready ??= []).push(c.name);
    }
    if (phase === 'Succeeded' && unknown === undefined) containersReady = CONTAINERS_COMPLETED;
    else if (unknown === undefined && unready === undefined) containersReady = CONTAINERS_READY;
    else {
      const unknownPart = unknown ? `containers with unknown status: ${goList(unknown)}` : undefined;
      const unreadyPart = unready ? `containers with unready status: ${goList(unready)}` : undefined;
      notReady = notReadyFor(unknownPart && unreadyPart ? `${unknownPart}, ${unreadyPart}` : (unknownPart ?? unreadyPart)!);
      containersReady = notReady.containersReady;
    }
  }
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (!terminal && initialized === INITIALIZED && containersReady === CONTAINERS_READY) return ALL_READY;
  if (!terminal && initialized === INITIALIZED && notReady !== undefined) return notReady.updates;
  const ready = containersReady === CONTAINERS_READY ? READY : (notReady?.ready ?? { ...containersReady, type: 'Ready' });
  return [terminal ? SANDBOX_GONE : SANDBOX_READY, initialized, ready, containersReady];
}

const NO_CONTAINERS: readonly ContainerSpec[] = Object.freeze([]);
const UNKNOWN_CONTAINER_STATUSES: ConditionUpdate = { type: 'ContainersReady', status: 'False', reason: 'UnknownContainerStatuses' };
const CONTAINERS_COMPLETED: ConditionUpdate = { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };

/** ContainersNotReady with one message, the Ready that follows it, and the usual four updates with them. */
interface NotReady {
  containersReady: ConditionUpdate;
  ready: ConditionUpdate;
  updates: readonly ConditionUpdate[];
}

/**
 * Per message, made once: the pods of a workload wait for the same containers, and every container
 * event of a starting pod asks (condition updates are never changed by their callers).
 */
const notReadyByMessage = new Map<string, NotReady>();

function notReadyFor(message: string): NotReady {
  let known = notReadyByMessage.get(message);
  if (known === undefined) {
    const containersReady: ConditionUpdate = { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message };
    const ready: ConditionUpdate = { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message };
    known = { containersReady, ready, updates: [SANDBOX_READY, INITIALIZED, ready, containersReady] };
    if (notReadyByMessage.size >= 256) notReadyByMessage.clear();
    notReadyByMessage.set(message, known);
  }
  return known;
}

/** `nginx` → `docker.io/library/nginx:latest`, as the container runtime reports the image. */
export function normalizeImage(image: string): string {
  let normalized = normalizedImages.get(image);
  if (normalized === undefined) {
    normalized = normalize(image);
    if (normalizedImages.size >= 10_000) normalizedImages.clear();
    normalizedImages.set(image, normalized);
  }
  return normalized;
}

const normalizedImages = new Map<string, string>();

function normalize(image: string): string {
  let name = image;
  const at = name.indexOf('@');
  const lastSlash = name.lastIndexOf('/');
  const hasTag = at < 0 && name.lastIndexOf(':') > lastSlash;
  const firstPart = name.split('/')[0]!;
  const hasRegistry = name.includes('/') && (firstPart.includes('.') || firstPart.includes(':') || firstPart === 'localhost');
  if (!hasRegistry) name = name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
  if (at < 0 && !hasTag) name += ':latest';
  return name;
}

const digest = Buffer.alloc(32);

/** 64 hex digits from a 32-bit seed (xorshift32 steps): an opaque, stable digest-shaped id. */
function hex64(seed: number): string {
  let x = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < 8; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    digest.writeUInt32BE(x >>> 0, i * 4);
  }
  return digest.toString('hex');
}

const imageIds = new Map<string, string>();

/** The repo digest the runtime reports as imageID: `docker.io/library/nginx@sha256:…`, stable per image. */
export function imageIdOf(image: string): string {
  let id = imageIds.get(image);
  if (id === undefined) {
    const normalized = normalizeImage(image);
    const repository = normalized.includes('@') ? normalized.slice(0, normalized.indexOf('@')) : normalized.replace(/:[^:/]*$/, '');
    id = `${repository}@sha256:${hex64(hashSeed('image', normalized))}`;
    if (imageIds.size >= 10_000) imageIds.clear();
    imageIds.set(image, id);
  }
  return id;
}

/** `containerd://…`, stable per pod uid, container and restart. */
export function containerIdOf(podUid: string, container: string, restartCount: number): string {
  return ['containerd://', hex64(hashSeed('container', podUid, container, restartCount))].join(''); // one flat string, not a cons kept in every status
}
