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
 * Kubernetes' defaulting of a PodSpec (SetDefaults_PodSpec, _Container, _Probe, _Volume), shared by
 * Pods and every workload's pod template. Admission-time additions that only Pods get (service
 * account, default tolerations, priority) are in `admitPodSpec`.
 */
export function defaultPodSpec(spec: any): any {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
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
 * What admission adds to a Pod on create: the `default` service account (ServiceAccount plugin),
 * the not-ready/unreachable NoExecute tolerations for 300s (DefaultTolerationSeconds), and the
 * default priority (Priority plugin).
 */
export function admitPodSpec(spec: any): any {
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  const tolerations: any[] = (spec.tolerations ??= []);
  if (!toleratesNoExecute(tolerations, NOT_READY_TAINT)) {
    tolerations.push({ key: NOT_READY_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  if (!toleratesNoExecute(tolerations, UNREACHABLE_TAINT)) {
    tolerations.push({ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  return spec;
}

function validateResources(resources: any, path: string): StatusCause[] {
  if (!resources) return [];
  const limits = validateResourceList(resources.limits, `${path}.limits`);
  const requests = validateResourceList(resources.requests, `${path}.requests`);
  const causes = [...limits.causes, ...requests.causes];
  for (const [name, request] of Object.entries(requests.quantities)) {
    const limit = limits.quantities[name];
    if (limit && compareQuantities(request, limit) > 0) {
      causes.push(fieldErrors.invalid(`${path}.requests`, formatQuantity(request), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
    }
  }
  return causes;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

/** validateProbe + validateHandler: exactly one handler, sane timings, successThreshold 1 where required. */
function validateProbe(probe: any, path: string, successMustBeOne: boolean): StatusCause[] {
  if (probe === undefined || probe === null) return [];
  const causes: StatusCause[] = [];
  const handlers = PROBE_HANDLERS.filter((h) => probe[h] !== undefined && probe[h] !== null);
  if (handlers.length === 0) causes.push(fieldErrors.required(path, 'must specify a handler type'));
  else if (handlers.length > 1) causes.push(fieldErrors.forbidden(`${path}.${handlers[1]}`, 'may not specify more than 1 handler type'));
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const value = probe[field];
    if (typeof value === 'number' && value < 0) causes.push(fieldErrors.invalid(`${path}.${field}`, value, 'must be greater than or equal to 0'));
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) causes.push(fieldErrors.invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (typeof port === 'number') for (const message of isValidPortNumber(port)) causes.push(fieldErrors.invalid(`${path}.${probe.httpGet ? 'httpGet' : 'tcpSocket'}.port`, port, message));
  else if (typeof port === 'string') for (const message of isValidPortName(port)) causes.push(fieldErrors.invalid(`${path}.${probe.httpGet ? 'httpGet' : 'tcpSocket'}.port`, port, message));
  else if ((probe.httpGet || probe.tcpSocket) && port === undefined) causes.push(fieldErrors.required(`${path}.${probe.httpGet ? 'httpGet' : 'tcpSocket'}.port`));
  return causes;
}

function validateContainer(container: any, path: string, volumeNames: Set<string>, init = false): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!container.name) causes.push(fieldErrors.required(`${path}.name`));
  else for (const message of isDns1123Label(container.name)) causes.push(fieldErrors.invalid(`${path}.name`, container.name, message));
  if (!container.image || String(container.image).trim() === '') causes.push(fieldErrors.required(`${path}.image`));
  else if (String(container.image) !== String(container.image).trim()) causes.push(fieldErrors.invalid(`${path}.image`, container.image, 'must not have leading or trailing whitespace'));
  if (container.imagePullPolicy !== undefined && !PULL_POLICIES.includes(container.imagePullPolicy)) {
    causes.push(fieldErrors.notSupported(`${path}.imagePullPolicy`, container.imagePullPolicy, PULL_POLICIES));
  }
  const portNames = new Set<string>();
  for (const [i, port] of ((container.ports ?? []) as any[]).entries()) {
    const at = `${path}.ports[${i}]`;
    if (port.name !== undefined && port.name !== '') {
      for (const message of isValidPortName(port.name)) causes.push(fieldErrors.invalid(`${at}.name`, port.name, message));
      if (portNames.has(port.name)) causes.push(fieldErrors.duplicate(`${at}.name`, port.name));
      portNames.add(port.name);
    }
    if (port.containerPort === undefined || port.containerPort === 0) causes.push(fieldErrors.required(`${at}.containerPort`));
    else for (const message of isValidPortNumber(port.containerPort)) causes.push(fieldErrors.invalid(`${at}.containerPort`, port.containerPort, message));
    if (port.hostPort !== undefined && port.hostPort !== 0) for (const message of isValidPortNumber(port.hostPort)) causes.push(fieldErrors.invalid(`${at}.hostPort`, port.hostPort, message));
    const protocol = port.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) causes.push(fieldErrors.notSupported(`${at}.protocol`, protocol, PROTOCOLS));
  }
  for (const [i, env] of ((container.env ?? []) as any[]).entries()) {
    if (!env.name) causes.push(fieldErrors.required(`${path}.env[${i}].name`));
  }
  for (const [i, mount] of ((container.volumeMounts ?? []) as any[]).entries()) {
    const at = `${path}.volumeMounts[${i}]`;
    if (!mount.name) causes.push(fieldErrors.required(`${at}.name`));
    else if (!volumeNames.has(mount.name)) causes.push(fieldErrors.notFound(`${at}.name`, mount.name));
    if (!mount.mountPath) causes.push(fieldErrors.required(`${at}.mountPath`));
  }
  causes.push(...validateResources(container.resources, `${path}.resources`));
  causes.push(...validateProbe(container.livenessProbe, `${path}.livenessProbe`, true));
  causes.push(...validateProbe(container.readinessProbe, `${path}.readinessProbe`, false));
  causes.push(...validateProbe(container.startupProbe, `${path}.startupProbe`, true));
  if (container.restartPolicy !== undefined && container.restartPolicy !== null) {
    if (!init) causes.push(fieldErrors.forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
    else if (container.restartPolicy !== 'Always') causes.push(fieldErrors.notSupported(`${path}.restartPolicy`, container.restartPolicy, ['Always']));
  }
  return causes;
}

/** Kubernetes' ValidatePodSpec, for the fields Orrery's users and controllers rely on. */
export function validatePodSpec(spec: any, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!spec || typeof spec !== 'object') return [fieldErrors.required(path)];
  const volumeNames = new Set<string>();
  for (const [i, volume] of ((spec.volumes ?? []) as any[]).entries()) {
    const at = `${path}.volumes[${i}].name`;
    if (!volume.name) causes.push(fieldErrors.required(at));
    else {
      for (const message of isDns1123Label(volume.name)) causes.push(fieldErrors.invalid(at, volume.name, message));
      if (volumeNames.has(volume.name)) causes.push(fieldErrors.duplicate(at, volume.name));
      volumeNames.add(volume.name);
    }
  }
  const containers: any[] = spec.containers ?? [];
  if (containers.length === 0) causes.push(fieldErrors.required(`${path}.containers`));
  const containerNames = new Set<string>();
  for (const [field, list] of [['initContainers', spec.initContainers ?? []], ['containers', containers]] as const) {
    for (const [i, container] of (list as any[]).entries()) {
      const at = `${path}.${field}[${i}]`;
      causes.push(...validateContainer(container, at, volumeNames, field === 'initContainers'));
      if (container.name) {
        if (containerNames.has(container.name)) causes.push(fieldErrors.duplicate(`${at}.name`, container.name));
        containerNames.add(container.name);
      }
    }
  }
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy)) causes.push(fieldErrors.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy)) causes.push(fieldErrors.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    causes.push(fieldErrors.invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && !(spec.activeDeadlineSeconds > 0)) {
    causes.push(fieldErrors.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  causes.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.serviceAccountName) for (const message of isDns1123Subdomain(spec.serviceAccountName)) causes.push(fieldErrors.invalid(`${path}.serviceAccountName`, spec.serviceAccountName, message));
  if (spec.nodeName) for (const message of isDns1123Subdomain(spec.nodeName)) causes.push(fieldErrors.invalid(`${path}.nodeName`, spec.nodeName, message));
  for (const [i, toleration] of ((spec.tolerations ?? []) as any[]).entries()) {
    const at = `${path}.tolerations[${i}]`;
    const operator = toleration.operator ?? 'Equal';
    if (operator === 'Exists' && toleration.value) causes.push(fieldErrors.invalid(`${at}.operator`, toleration.value, 'value must be empty when `operator` is \'Exists\''));
    else if (operator !== 'Exists' && operator !== 'Equal') causes.push(fieldErrors.notSupported(`${at}.operator`, operator, ['Equal', 'Exists']));
    if (!toleration.key && operator !== 'Exists') causes.push(fieldErrors.invalid(`${at}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (toleration.effect && !TAINT_EFFECTS.includes(toleration.effect)) causes.push(fieldErrors.notSupported(`${at}.effect`, toleration.effect, TAINT_EFFECTS));
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
      causes.push(fieldErrors.invalid(`${at}.effect`, toleration.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    }
  }
  return causes;
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
