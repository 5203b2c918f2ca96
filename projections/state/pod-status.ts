import type { ContainerState } from '../../core/events.ts';
import { createPrng, hashSeed } from '../../core/prng.ts';

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

/** The order in which the kubelet adds the conditions it owns. */
const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

/**
 * Sets a condition, keeping its lastTransitionTime unless its status changes (Kubernetes'
 * podutil.UpdatePodCondition). Returns a new array; existing conditions keep their place.
 */
export function withCondition(conditions: PodCondition[] | undefined, next: Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>, now: string): PodCondition[] {
  const list = conditions ? conditions.slice() : [];
  const index = list.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const condition: PodCondition = {
    type: next.type,
    status: next.status,
    lastProbeTime: null,
    lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime : now,
  };
  if (next.reason) condition.reason = next.reason;
  if (next.message) condition.message = next.message;
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  return list;
}

/** Go's `%s` of a []string: `[a b]`. */
function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

interface ContainerSpec {
  name: string;
  image?: string;
  restartPolicy?: string;
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
): Array<Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>> {
  const containers = spec.containers ?? [];
  const initContainers = spec.initContainers ?? [];
  const statusOf = (list: ContainerStatus[] | undefined, name: string) => list?.find((s) => s.name === name);

  // Initialized (GeneratePodInitializedCondition)
  let initialized: Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'> = { type: 'Initialized', status: 'True' };
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
  let containersReady: Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>;
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
        : { type: 'ContainersReady', status: 'True' };
    }
  }
  const ready = { ...containersReady, type: 'Ready' };
  const sandboxReady = { type: 'PodReadyToStartContainers', status: phase === 'Succeeded' || phase === 'Failed' ? 'False' : 'True' } as const;
  return [sandboxReady, initialized, ready, containersReady];
}

/** Applies the kubelet-owned conditions in their canonical order to an existing list. */
export function withKubeletConditions(
  conditions: PodCondition[] | undefined,
  computed: Array<Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>>,
  now: string,
): PodCondition[] {
  let list = conditions ?? [];
  for (const type of KUBELET_CONDITIONS) {
    const next = computed.find((c) => c.type === type);
    if (next) list = withCondition(list, next, now);
  }
  return list;
}

/** `nginx` → `docker.io/library/nginx:latest`, as the container runtime reports the image. */
export function normalizeImage(image: string): string {
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

function hex(seed: number, length: number): string {
  const prng = createPrng(seed);
  let out = '';
  while (out.length < length) out += prng.int(0x10000).toString(16).padStart(4, '0');
  return out.slice(0, length);
}

/** The repo digest the runtime reports as imageID: `docker.io/library/nginx@sha256:…`, stable per image. */
export function imageIdOf(image: string): string {
  const normalized = normalizeImage(image);
  const repository = normalized.includes('@') ? normalized.slice(0, normalized.indexOf('@')) : normalized.replace(/:[^:/]*$/, '');
  return `${repository}@sha256:${hex(hashSeed('image', normalized), 64)}`;
}

/** `containerd://…`, stable per pod uid, container and restart. */
export function containerIdOf(podUid: string, container: string, restartCount: number): string {
  return `containerd://${hex(hashSeed('container', podUid, container, restartCount), 64)}`;
}
