import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StatusCause } from '../../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import { isDns1123Label, isDns1123Subdomain, isValidPortName, isValidPortNumber } from '../names.ts';
import { validateLabels } from '../object-meta-validation.ts';
import { QUANTITY_FORMAT_MESSAGE, QuantityError, compareQuantities, formatQuantity, isQuantityError, parseQuantity, type Quantity } from '../quantity.ts';
import { validateResourceList } from './resource-list.ts';
import { validatePodSpec } from './pod-spec.ts';

// The validation as it was before it stopped building lists and paths for valid fields (the
// oracle: the causes, their order and wording must not change).
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function refValidateResources(resources: any, path: string): StatusCause[] {
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
function refValidateProbe(probe: any, path: string, successMustBeOne: boolean): StatusCause[] {
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

function refValidateContainer(container: any, path: string, volumeNames: Set<string>, init = false): StatusCause[] {
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
  causes.push(...refValidateResources(container.resources, `${path}.resources`));
  causes.push(...refValidateProbe(container.livenessProbe, `${path}.livenessProbe`, true));
  causes.push(...refValidateProbe(container.readinessProbe, `${path}.readinessProbe`, false));
  causes.push(...refValidateProbe(container.startupProbe, `${path}.startupProbe`, true));
  if (container.restartPolicy !== undefined && container.restartPolicy !== null) {
    if (!init) causes.push(fieldErrors.forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
    else if (container.restartPolicy !== 'Always') causes.push(fieldErrors.notSupported(`${path}.restartPolicy`, container.restartPolicy, ['Always']));
  }
  return causes;
}

/** Kubernetes' ValidatePodSpec, for the fields Orrery's users and controllers rely on. */
function referenceValidatePodSpec(spec: any, path: string): StatusCause[] {
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
      causes.push(...refValidateContainer(container, at, volumeNames, field === 'initContainers'));
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


const name = fc.constantFrom('web', 'app', 'sidecar', 'Bad_Name', '', 'http', 'a'.repeat(70));
const quantity = fc.constantFrom('10m', '100m', '1', '2', '16Mi', '1Gi', '-1', 'abc', 3, 0.5);
const resourceList = fc.option(fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu', 'ephemeral-storage'), quantity, { maxKeys: 3 }), { nil: undefined });
const probe = fc.option(
  fc.record(
    {
      exec: fc.constant({ command: ['true'] }),
      httpGet: fc.record({ path: fc.constant('/'), port: fc.oneof(fc.integer({ min: -1, max: 70000 }), name) }, { requiredKeys: ['path'] }),
      tcpSocket: fc.record({ port: fc.oneof(fc.integer({ min: -1, max: 70000 }), name) }, { requiredKeys: [] }),
      initialDelaySeconds: fc.integer({ min: -2, max: 5 }),
      periodSeconds: fc.integer({ min: -2, max: 5 }),
      successThreshold: fc.integer({ min: -1, max: 3 }),
      failureThreshold: fc.integer({ min: -1, max: 3 }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);
const container = fc.record(
  {
    name,
    image: fc.constantFrom('nginx:1.27', ' nginx', '', '   ', 'busybox'),
    imagePullPolicy: fc.constantFrom('Always', 'IfNotPresent', 'Never', 'Sometimes'),
    ports: fc.array(fc.record({ name: fc.option(name, { nil: undefined }), containerPort: fc.option(fc.integer({ min: 0, max: 70000 }), { nil: undefined }), hostPort: fc.option(fc.integer({ min: 0, max: 70000 }), { nil: undefined }), protocol: fc.option(fc.constantFrom('TCP', 'UDP', 'SCTP', 'ICMP'), { nil: undefined }) }), { maxLength: 3 }),
    env: fc.array(fc.record({ name: fc.option(name, { nil: undefined }), value: fc.constant('x') }), { maxLength: 2 }),
    volumeMounts: fc.array(fc.record({ name: fc.option(name, { nil: undefined }), mountPath: fc.option(fc.constantFrom('/data', ''), { nil: undefined }) }), { maxLength: 2 }),
    resources: fc.option(fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] }), { nil: undefined }),
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    restartPolicy: fc.option(fc.constantFrom('Always', 'Never'), { nil: undefined }),
  },
  { requiredKeys: ['name'] },
);
const podSpec = fc.record(
  {
    containers: fc.array(container, { maxLength: 3 }),
    initContainers: fc.array(container, { maxLength: 2 }),
    volumes: fc.array(fc.record({ name: fc.option(name, { nil: undefined }) }), { maxLength: 3 }),
    restartPolicy: fc.constantFrom('Always', 'OnFailure', 'Never', 'Sometimes'),
    dnsPolicy: fc.constantFrom('ClusterFirst', 'Default', 'Nope'),
    terminationGracePeriodSeconds: fc.integer({ min: -5, max: 60 }),
    activeDeadlineSeconds: fc.oneof(fc.integer({ min: -1, max: 100 }), fc.constant(null)),
    nodeSelector: fc.dictionary(fc.constantFrom('zone', 'bad key!', 'kubernetes.io/os'), fc.constantFrom('a', 'linux', 'bad value!')),
    serviceAccountName: fc.constantFrom('default', 'Bad_SA'),
    nodeName: fc.constantFrom('node-1', 'Bad_Node'),
    tolerations: fc.array(
      fc.record(
        {
          key: fc.constantFrom('', 'node.kubernetes.io/not-ready', 'dedicated'),
          operator: fc.constantFrom('Exists', 'Equal', 'Maybe'),
          value: fc.constantFrom('', 'gpu'),
          effect: fc.constantFrom('NoSchedule', 'NoExecute', 'Sometimes'),
          tolerationSeconds: fc.integer({ min: 0, max: 300 }),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

/** The causes, or the fact that it threw a TypeError (a list field that is not a list). */
function outcome(validate: (spec: any, path: string) => StatusCause[], spec: unknown): StatusCause[] | 'TypeError' {
  try {
    return validate(spec, 'spec.template.spec');
  } catch (error) {
    if (error instanceof TypeError) return 'TypeError';
    throw error;
  }
}

describe('validatePodSpec', () => {
  it('gives the same causes, in the same order, as the validation it replaced', () => {
    fc.assert(
      fc.property(podSpec, (spec) => {
        expect(outcome(validatePodSpec, spec)).toEqual(outcome(referenceValidatePodSpec, spec));
      }),
      { seed: 52, numRuns: 2000 },
    );
  });

  it('throws for a list field that is not a list, as before', () => {
    const notLists = [{ volumes: {} }, { containers: 'app' }, { initContainers: {} }, { tolerations: 'all' }, { containers: [{ name: 'app', image: 'nginx', env: 'X=1' }] }, { containers: [{ name: 'app', image: 'nginx', ports: {} }] }, { containers: [{ name: 'app', image: 'nginx', volumeMounts: {} }] }];
    for (const spec of notLists) {
      expect(outcome(referenceValidatePodSpec, spec)).toBe('TypeError');
      expect(outcome(validatePodSpec, spec)).toBe('TypeError');
    }
  });

  it('finds nothing wrong with a defaulted pod of the scheduler bench, and words a bad one as Kubernetes does', () => {
    const valid = { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } }, imagePullPolicy: 'IfNotPresent' }], restartPolicy: 'Always', tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] };
    expect(validatePodSpec(valid, 'spec')).toEqual([]);
    const causes = validatePodSpec({ containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }, { name: 'app', image: 'nginx' }] }, 'spec');
    expect(causes.map((c) => [c.field, c.message])).toEqual([
      ['spec.containers[0].resources.requests', 'Invalid value: "2": must be less than or equal to cpu limit of 1'],
      ['spec.containers[1].name', 'Duplicate value: "app"'],
    ]);
  });
});

/** validateResourceList as it was (Object.entries, each value's path built up front). */
function referenceValidateResourceList(list: unknown, path: string): { causes: StatusCause[]; quantities: Record<string, Quantity> } {
  const causes: StatusCause[] = [];
  const quantities: Record<string, Quantity> = {};
  if (list === undefined || list === null) return { causes, quantities };
  if (typeof list !== 'object' || Array.isArray(list)) return { causes: [fieldErrors.invalid(path, list, 'must be a map of resource names to quantities')], quantities };
  for (const [name, value] of Object.entries(list as Record<string, unknown>)) {
    const at = `${path}[${name}]`;
    let quantity: Quantity;
    try {
      if (typeof value !== 'string' && typeof value !== 'number') throw new QuantityError(QUANTITY_FORMAT_MESSAGE);
      quantity = parseQuantity(value);
    } catch (error) {
      if (!isQuantityError(error)) throw error;
      causes.push(fieldErrors.invalid(at, value, error.message));
      continue;
    }
    if (quantity.nanos < 0n) causes.push(fieldErrors.invalid(at, formatQuantity(quantity), 'must be greater than or equal to 0'));
    quantities[name] = quantity;
  }
  return { causes, quantities };
}

describe('validateResourceList', () => {
  it('gives the causes and quantities it gave before, in the same order', () => {
    const value = fc.oneof(fc.constantFrom('10m', '1', '16Mi', '-1', '-5Gi', 'abc', '', '1.5', '2e3'), fc.integer({ min: -3, max: 3 }), fc.constant(true), fc.constant(null));
    const list = fc.oneof(fc.dictionary(fc.constantFrom('cpu', 'memory', 'pods', '2', '10', 'example.com/foo'), value, { maxKeys: 5 }), fc.constant(undefined), fc.constant('cpu'), fc.constant([1]));
    fc.assert(
      fc.property(list, (resources) => {
        expect(validateResourceList(resources, 'spec.hard')).toEqual(referenceValidateResourceList(resources, 'spec.hard'));
      }),
      { seed: 52, numRuns: 1000 },
    );
  });
});
