import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { formatLabels } from '../labels.ts';
import { validateLabels } from '../object-meta-validation.ts';
import { fieldErrors } from '../field-errors.ts';
import { isDns1035Label, isDns1123Label, isValidPortName, isValidPortNumber } from '../names.ts';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** kubectl's loadBalancerStatusStringer: ingress IPs/hostnames, cut to 16 characters unless wide. */
export function loadBalancerStatusString(status: any, wide = true): string {
  const addresses = new Set<string>();
  for (const ingress of status?.ingress ?? []) {
    if (ingress.ip) addresses.add(ingress.ip);
    else if (ingress.hostname) addresses.add(ingress.hostname);
  }
  const result = [...addresses].join(',');
  return !wide && result.length > 16 ? `${result.slice(0, 13)}...` : result;
}

export function serviceExternalIp(service: KubeObject, wide = true): string {
  const externalIps: string[] = service.spec?.externalIPs ?? [];
  switch (service.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIps.length ? externalIps.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerStatusString(service.status?.loadBalancer, wide);
      if (externalIps.length) return [...(lb ? lb.split(',') : []), ...externalIps].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return service.spec.externalName ?? '';
  }
  return '<unknown>';
}

export function servicePorts(service: KubeObject): string {
  const ports = (service.spec?.ports ?? []).map((p: any) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`));
  return ports.length ? ports.join(',') : '<none>';
}

export function validateServiceSpec(service: KubeObject, old?: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = service.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) causes.push(fieldErrors.notSupported('spec.type', type, SERVICE_TYPES));
  const ports: any[] = spec.ports ?? [];
  if (type === 'ExternalName') {
    if (!spec.externalName) causes.push(fieldErrors.required('spec.externalName'));
  } else if (ports.length === 0 && spec.clusterIP !== 'None') {
    causes.push(fieldErrors.required('spec.ports'));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  for (const [i, port] of ports.entries()) {
    const path = `spec.ports[${i}]`;
    if (ports.length > 1 && !port.name) causes.push(fieldErrors.required(`${path}.name`));
    else if (port.name) {
      for (const message of isDns1123Label(port.name)) causes.push(fieldErrors.invalid(`${path}.name`, port.name, message));
      if (names.has(port.name)) causes.push(fieldErrors.duplicate(`${path}.name`, port.name));
      names.add(port.name);
    }
    if (port.port === undefined) causes.push(fieldErrors.required(`${path}.port`));
    else for (const message of isValidPortNumber(port.port)) causes.push(fieldErrors.invalid(`${path}.port`, port.port, message));
    const protocol = port.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) causes.push(fieldErrors.notSupported(`${path}.protocol`, protocol, PROTOCOLS));
    const key = `${port.port}/${protocol}`;
    if (seen.has(key)) causes.push(fieldErrors.duplicate(path, { port: port.port, protocol }));
    seen.add(key);
    if (typeof port.targetPort === 'number') {
      for (const message of isValidPortNumber(port.targetPort)) causes.push(fieldErrors.invalid(`${path}.targetPort`, port.targetPort, message));
    } else if (typeof port.targetPort === 'string') {
      for (const message of isValidPortName(port.targetPort)) causes.push(fieldErrors.invalid(`${path}.targetPort`, port.targetPort, message));
    }
    if (port.nodePort !== undefined && port.nodePort !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') causes.push(fieldErrors.forbidden(`${path}.nodePort`, 'may not be used when `type` is \'ClusterIP\''));
      else for (const message of isValidPortNumber(port.nodePort)) causes.push(fieldErrors.invalid(`${path}.nodePort`, port.nodePort, message));
    }
  }
  causes.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = spec.sessionAffinity ?? 'None';
  if (!['ClientIP', 'None'].includes(affinity)) causes.push(fieldErrors.notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (old && old.spec?.clusterIP && spec.clusterIP !== undefined && spec.clusterIP !== '' && spec.clusterIP !== old.spec.clusterIP && (old.spec.type ?? 'ClusterIP') !== 'ExternalName' && type !== 'ExternalName') {
    causes.push(fieldErrors.invalid('spec.clusterIPs[0]', spec.clusterIP, 'may not change once set'));
  }
  return causes;
}

export const serviceType = defineResourceType({
  kind: 'Service',
  group: '',
  version: 'v1',
  plural: 'services',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status', 'proxy'],
  nameRule: isDns1035Label,
  columns: [
    nameColumn,
    column('Type', 'string', 'type determines how the Service is exposed.', (svc) => svc.spec?.type ?? 'ClusterIP'),
    column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.', (svc) => svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP ?? '<none>'),
    column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', (svc) => serviceExternalIp(svc)),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service.', servicePorts),
    ageColumn,
    column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', (svc) => formatLabels(svc.spec?.selector), 1),
  ],
  defaults(service) {
    const spec = (service.spec ??= {});
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.type !== 'ExternalName') {
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.ipFamilies ??= ['IPv4'];
      spec.internalTrafficPolicy ??= 'Cluster';
      if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
    }
    if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
    if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
    for (const port of spec.ports ?? []) {
      port.protocol ??= 'TCP';
      if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
    }
    service.status ??= { loadBalancer: {} };
  },
  specChanged: neverBumpsGeneration,
  validateSpec: validateServiceSpec,
});
