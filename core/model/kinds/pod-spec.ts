import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import { fieldErrors } from '../field-errors.ts';
import { isDns1123Label, isDns1123Subdomain, isValidPortName, isValidPortNumber } from '../names.ts';
import { validateLabels } from '../object-meta-validation.ts';
import { compareQuantities, formatQuantity } from '../quantity.ts';
import { validateResourceList } from './resource-list.ts';
import { deepEqual } from '../canonical-json.ts';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const DEFAULT_MODE = 0o644;

/** The tag Kubernetes' parsers.ParseImageName finds: `latest` when neither tag nor digest is given. */
export function imageTag(image: string): string {
  if (image.includes('@')) return '';
  const lastSlash = image.lastIndexOf('/');
  const lastColon = image.lastIndexOf(':');
  return lastColon > lastSlash ? image.slice(lastColon + 1) : 'latest';
}

function defaultProbe(probe: any): void {
  if (!probe) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (probe.httpGet) probe.httpGet.scheme ??= 'HTTP';
}

function defaultContainer(container: any, hostNetwork: boolean): void {
  if (container.image !== undefined && container.imagePullPolicy === undefined) {
    container.imagePullPolicy = imageTag(String(container.image)) === 'latest' ? 'Always' : 'IfNotPresent';
  }
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  container.resources ??= {};
  // A container that sets only limits gets the same requests (SetDefaults_Pod).
  const limits = container.resources.limits;
  if (limits && Object.keys(limits).length) {
    container.resources.requests ??= {};
    for (const [name, value] of Object.entries(limits)) container.resources.requests[name] ??= value;
  }
  for (const port of container.ports ?? []) {
    port.protocol ??= 'TCP';
    if (hostNetwork && port.hostPort === undefined) port.hostPort = port.containerPort;
  }
  for (const env of container.env ?? []) {
    if (env.valueFrom?.fieldRef) env.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  defaultProbe(container.livenessProbe);
  defaultProbe(container.readinessProbe);
  defaultProbe(container.startupProbe);
}

const VOLUME_NAME_FIELDS = new Set(['name']);

function defaultVolume(volume: any): void {
  // SetDefaults_Volume: a volume naming no source is an emptyDir.
  if (Object.keys(volume).every((key) => VOLUME_NAME_FIELDS.has(key) || volume[key] === undefined || volume[key] === null)) volume.emptyDir = {};
  for (const source of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    if (volume[source]) volume[source].defaultMode ??= DEFAULT_MODE;
  }
  if (volume.hostPath) volume.hostPath.type ??= '';
}

/**
 * The empty pod securityContext almost every pod has, one object for all (~56 bytes per pod held
 * otherwise): stored objects are never changed in place.
 */
const NO_SECURITY_CONTEXT = {};

function isEmptyPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) return false;
  return true;
}

/**
 * Kubernetes' defaulting of a PodSpec (SetDefaults_PodSpec, _Container, _Probe, _Volume), shared by
 * Pods and every workload's pod template. Admission-time additions that only Pods get (service
 * account, default tolerations, priority) are in `admitPodSpec`.
 */
export function defaultPodSpec(spec: any): any {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  const securityContext = spec.securityContext;
  if (securityContext === undefined || securityContext === null || isEmptyPlainObject(securityContext)) spec.securityContext = NO_SECURITY_CONTEXT;
  spec.enableServiceLinks ??= true;
  const hostNetwork = spec.hostNetwork === true;
  for (const container of spec.containers ?? []) defaultContainer(container, hostNetwork);
  for (const container of spec.initContainers ?? []) defaultContainer(container, hostNetwork);
  for (const volume of spec.volumes ?? []) defaultVolume(volume);
  return spec;
}

const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

function toleratesNoExecute(tolerations: any[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
}

/**
 * The default tolerations, one object each for every pod (~110 bytes per pod held otherwise):
 * stored objects are never changed in place, and everything that edits a pod's tolerations copies
 * the list first.
 */
const NOT_READY_TOLERATION = { key: NOT_READY_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS };
const UNREACHABLE_TOLERATION = { key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS };

/**
 * What admission adds to a Pod on create: the `default` service account (ServiceAccount plugin),
 * the not-ready/unreachable NoExecute tolerations for 300s (DefaultTolerationSeconds), and the
 * default priority (Priority plugin).
 */
export function admitPodSpec(spec: any): any {
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  const tolerations: any[] = (spec.tolerations ??= []);
  if (!toleratesNoExecute(tolerations, NOT_READY_TAINT)) tolerations.push(NOT_READY_TOLERATION);
  if (!toleratesNoExecute(tolerations, UNREACHABLE_TAINT)) tolerations.push(UNREACHABLE_TOLERATION);
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  return spec;
}

/**
 * The validators below append their causes to the caller's list, and build a field's path only
 * when they have a cause to report: every pod a controller creates is validated, and the lists,
 * spreads, iterators and paths made per field for a valid pod were ~3 KB of garbage per pod.
 */
/** A list field as the validators walk it: absent is empty, and anything but an array is a TypeError (as `.entries()` on it was). */
function listAt(value: unknown, path: string): any[] {
  if (value === undefined || value === null) return NO_ITEMS;
  if (!Array.isArray(value)) throw new TypeError(`${path}.entries is not a function`);
  return value;
}

const NO_ITEMS: any[] = Object.freeze([]) as unknown as any[];
const hasOwn = Object.prototype.hasOwnProperty;

function validateResources(resources: any, path: string, causes: StatusCause[]): void {
  if (!resources) return;
  const limits = validateResourceList(resources.limits, `${path}.limits`);
  const requests = validateResourceList(resources.requests, `${path}.requests`);
  for (const cause of limits.causes) causes.push(cause);
  for (const cause of requests.causes) causes.push(cause);
  for (const name in requests.quantities) {
    if (!hasOwn.call(requests.quantities, name)) continue;
    const limit = limits.quantities[name];
    if (!limit) continue;
    const request = requests.quantities[name]!;
    if (compareQuantities(request, limit) > 0) {
      causes.push(fieldErrors.invalid(`${path}.requests`, formatQuantity(request), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
    }
  }
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const PROBE_TIMINGS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'];

/** validateProbe + validateHandler: exactly one handler, sane timings, successThreshold 1 where required. */
function validateProbe(probe: any, path: string, successMustBeOne: boolean, causes: StatusCause[]): void {
  const handlers = PROBE_HANDLERS.filter((h) => probe[h] !== undefined && probe[h] !== null);
  if (handlers.length === 0) causes.push(fieldErrors.required(path, 'must specify a handler type'));
  else if (handlers.length > 1) causes.push(fieldErrors.forbidden(`${path}.${handlers[1]}`, 'may not specify more than 1 handler type'));
  for (const field of PROBE_TIMINGS) {
    const value = probe[field];
    if (typeof value === 'number' && value < 0) causes.push(fieldErrors.invalid(`${path}.${field}`, value, 'must be greater than or equal to 0'));
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) causes.push(fieldErrors.invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (typeof port === 'number') for (const message of isValidPortNumber(port)) causes.push(fieldErrors.invalid(`${path}.${probe.httpGet ? 'httpGet' : 'tcpSocket'}.port`, port, message));
  else if (typeof port === 'string') for (const message of isValidPortName(port)) causes.push(fieldErrors.invalid(`${path}.${probe.httpGet ? 'httpGet' : 'tcpSocket'}.port`, port, message));
  else if ((probe.httpGet || probe.tcpSocket) && port === undefined) causes.push(fieldErrors.required(`${path}.${probe.httpGet ? 'httpGet' : 'tcpSocket'}.port`));
}

function validateContainer(container: any, path: string, volumeNames: ReadonlySet<string>, init: boolean, causes: StatusCause[]): void {
  if (!container.name) causes.push(fieldErrors.required(`${path}.name`));
  else for (const message of isDns1123Label(container.name)) causes.push(fieldErrors.invalid(`${path}.name`, container.name, message));
  if (!container.image || String(container.image).trim() === '') causes.push(fieldErrors.required(`${path}.image`));
  else if (String(container.image) !== String(container.image).trim()) causes.push(fieldErrors.invalid(`${path}.image`, container.image, 'must not have leading or trailing whitespace'));
  if (container.imagePullPolicy !== undefined && !PULL_POLICIES.includes(container.imagePullPolicy)) {
    causes.push(fieldErrors.notSupported(`${path}.imagePullPolicy`, container.imagePullPolicy, PULL_POLICIES));
  }
  const ports = listAt(container.ports, `${path}.ports`);
  const portNames = ports.length > 0 ? new Set<string>() : undefined;
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i];
    if (port.name !== undefined && port.name !== '') {
      for (const message of isValidPortName(port.name)) causes.push(fieldErrors.invalid(`${path}.ports[${i}].name`, port.name, message));
      if (portNames!.has(port.name)) causes.push(fieldErrors.duplicate(`${path}.ports[${i}].name`, port.name));
      portNames!.add(port.name);
    }
    if (port.containerPort === undefined || port.containerPort === 0) causes.push(fieldErrors.required(`${path}.ports[${i}].containerPort`));
    else for (const message of isValidPortNumber(port.containerPort)) causes.push(fieldErrors.invalid(`${path}.ports[${i}].containerPort`, port.containerPort, message));
    if (port.hostPort !== undefined && port.hostPort !== 0) for (const message of isValidPortNumber(port.hostPort)) causes.push(fieldErrors.invalid(`${path}.ports[${i}].hostPort`, port.hostPort, message));
    const protocol = port.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) causes.push(fieldErrors.notSupported(`${path}.ports[${i}].protocol`, protocol, PROTOCOLS));
  }
  const env = listAt(container.env, `${path}.env`);
  for (let i = 0; i < env.length; i++) {
    if (!env[i].name) causes.push(fieldErrors.required(`${path}.env[${i}].name`));
  }
  const mounts = listAt(container.volumeMounts, `${path}.volumeMounts`);
  for (let i = 0; i < mounts.length; i++) {
    const mount = mounts[i];
    if (!mount.name) causes.push(fieldErrors.required(`${path}.volumeMounts[${i}].name`));
    else if (!volumeNames.has(mount.name)) causes.push(fieldErrors.notFound(`${path}.volumeMounts[${i}].name`, mount.name));
    if (!mount.mountPath) causes.push(fieldErrors.required(`${path}.volumeMounts[${i}].mountPath`));
  }
  validateResources(container.resources, `${path}.resources`, causes);
  if (container.livenessProbe !== undefined && container.livenessProbe !== null) validateProbe(container.livenessProbe, `${path}.livenessProbe`, true, causes);
  if (container.readinessProbe !== undefined && container.readinessProbe !== null) validateProbe(container.readinessProbe, `${path}.readinessProbe`, false, causes);
  if (container.startupProbe !== undefined && container.startupProbe !== null) validateProbe(container.startupProbe, `${path}.startupProbe`, true, causes);
  if (container.restartPolicy !== undefined && container.restartPolicy !== null) {
    if (!init) causes.push(fieldErrors.forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
    else if (container.restartPolicy !== 'Always') causes.push(fieldErrors.notSupported(`${path}.restartPolicy`, container.restartPolicy, ['Always']));
  }
}

/** What a pod spec with no volumes offers its volume mounts (never written to). */
const NO_VOLUMES: ReadonlySet<string> = new Set();

/** Kubernetes' ValidatePodSpec, for the fields Orrery's users and controllers rely on. */
export function validatePodSpec(spec: any, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!spec || typeof spec !== 'object') return [fieldErrors.required(path)];
  const volumes = listAt(spec.volumes, `${path}.volumes`);
  let volumeNames = NO_VOLUMES;
  if (volumes.length > 0) {
    const names = new Set<string>();
    for (let i = 0; i < volumes.length; i++) {
      const volume = volumes[i];
      if (!volume.name) causes.push(fieldErrors.required(`${path}.volumes[${i}].name`));
      else {
        for (const message of isDns1123Label(volume.name)) causes.push(fieldErrors.invalid(`${path}.volumes[${i}].name`, volume.name, message));
        if (names.has(volume.name)) causes.push(fieldErrors.duplicate(`${path}.volumes[${i}].name`, volume.name));
        names.add(volume.name);
      }
    }
    volumeNames = names;
  }
  const initContainers = listAt(spec.initContainers, `${path}.initContainers`);
  const containers: any[] = spec.containers ?? [];
  if (containers.length === 0) causes.push(fieldErrors.required(`${path}.containers`));
  listAt(containers, `${path}.containers`);
  // A lone container has no name to repeat.
  const containerNames = initContainers.length + containers.length > 1 ? new Set<string>() : undefined;
  for (let i = 0; i < initContainers.length; i++) validateListedContainer(initContainers[i], path, 'initContainers', i, volumeNames, containerNames, causes);
  for (let i = 0; i < containers.length; i++) validateListedContainer(containers[i], path, 'containers', i, volumeNames, containerNames, causes);
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy)) causes.push(fieldErrors.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy)) causes.push(fieldErrors.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    causes.push(fieldErrors.invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && !(spec.activeDeadlineSeconds > 0)) {
    causes.push(fieldErrors.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  if (spec.nodeSelector !== undefined) for (const cause of validateLabels(spec.nodeSelector, `${path}.nodeSelector`)) causes.push(cause);
  if (spec.serviceAccountName) for (const message of isDns1123Subdomain(spec.serviceAccountName)) causes.push(fieldErrors.invalid(`${path}.serviceAccountName`, spec.serviceAccountName, message));
  if (spec.nodeName) for (const message of isDns1123Subdomain(spec.nodeName)) causes.push(fieldErrors.invalid(`${path}.nodeName`, spec.nodeName, message));
  const tolerations = listAt(spec.tolerations, `${path}.tolerations`);
  for (let i = 0; i < tolerations.length; i++) {
    const toleration = tolerations[i];
    const operator = toleration.operator ?? 'Equal';
    if (operator === 'Exists' && toleration.value) causes.push(fieldErrors.invalid(`${path}.tolerations[${i}].operator`, toleration.value, 'value must be empty when `operator` is \'Exists\''));
    else if (operator !== 'Exists' && operator !== 'Equal') causes.push(fieldErrors.notSupported(`${path}.tolerations[${i}].operator`, operator, ['Equal', 'Exists']));
    if (!toleration.key && operator !== 'Exists') causes.push(fieldErrors.invalid(`${path}.tolerations[${i}].operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (toleration.effect && !TAINT_EFFECTS.includes(toleration.effect)) causes.push(fieldErrors.notSupported(`${path}.tolerations[${i}].effect`, toleration.effect, TAINT_EFFECTS));
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
      causes.push(fieldErrors.invalid(`${path}.tolerations[${i}].effect`, toleration.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    }
  }
  return causes;
}

/** One entry of `spec.<field>`: its own causes, then whether an earlier container took its name. */
function validateListedContainer(container: any, path: string, field: 'initContainers' | 'containers', i: number, volumeNames: ReadonlySet<string>, names: Set<string> | undefined, causes: StatusCause[]): void {
  const at = `${path}.${field}[${i}]`;
  validateContainer(container, at, volumeNames, field === 'initContainers', causes);
  if (container.name && names) {
    if (names.has(container.name)) causes.push(fieldErrors.duplicate(`${at}.name`, container.name));
    names.add(container.name);
  }
}

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/**
 * Kubernetes' ValidatePodUpdate: a Pod's spec is immutable except container images,
 * activeDeadlineSeconds (set or shortened), added tolerations and removed scheduling gates.
 */
export function validatePodUpdate(pod: KubeObject, old: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const previous = (old.spec ?? {}) as any;
  // A copy of the new spec with every field that may change set back to its old value.
  const next = { ...(pod.spec ?? {}) } as any;
  for (const field of ['containers', 'initContainers'] as const) {
    const oldList: any[] = previous[field] ?? [];
    const newList: any[] | undefined = next[field];
    if (newList && oldList.length === newList.length) next[field] = newList.map((container, i) => ({ ...container, image: oldList[i].image }));
  }
  const oldDeadline = previous.activeDeadlineSeconds;
  const newDeadline = next.activeDeadlineSeconds;
  if (oldDeadline === undefined || oldDeadline === null) {
    if (newDeadline !== undefined && newDeadline !== null) next.activeDeadlineSeconds = oldDeadline;
  } else if (newDeadline !== undefined && newDeadline !== null && newDeadline <= oldDeadline) {
    next.activeDeadlineSeconds = oldDeadline;
  } else if (newDeadline !== oldDeadline) {
    causes.push(fieldErrors.invalid('spec.activeDeadlineSeconds', newDeadline ?? null, 'must be less than or equal to previous value'));
    next.activeDeadlineSeconds = oldDeadline;
  }
  const oldTolerations: any[] = previous.tolerations ?? [];
  const newTolerations: any[] = next.tolerations ?? [];
  if (oldTolerations.every((t) => newTolerations.some((n) => deepEqual(n, t)))) next.tolerations = previous.tolerations;
  if ((previous.schedulingGates ?? []).length > 0 && (next.schedulingGates ?? []).every((g: any) => (previous.schedulingGates ?? []).some((o: any) => o.name === g.name))) {
    next.schedulingGates = previous.schedulingGates;
  }
  if (previous.terminationGracePeriodSeconds < 0 && next.terminationGracePeriodSeconds === 1) next.terminationGracePeriodSeconds = previous.terminationGracePeriodSeconds;
  if (!deepEqual(next, previous)) {
    const changed = Object.keys({ ...previous, ...next })
      .filter((key) => !deepEqual(next[key], previous[key]))
      .sort();
    causes.push(fieldErrors.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n(changed: ${changed.map((k) => `spec.${k}`).join(', ')})`));
  }
  return causes;
}
