import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../object.ts';
import type { ResourceType } from '../resource-type.ts';
import { serviceType } from './service.ts';
import { nodeType } from './node.ts';
import { namespaceType } from './namespace.ts';
import { configMapType, secretType } from './config.ts';
import { eventType } from './event.ts';
import { endpointsType, endpointSliceType } from './endpoints.ts';
import { persistentVolumeClaimType, storageClassType } from './storage.ts';
import { horizontalPodAutoscalerType } from './autoscaling.ts';
import { resourceQuotaType } from './policy.ts';
import { replicationControllerType } from './core-workloads.ts';

const NOW = Date.parse('2026-01-02T00:00:00Z');
const cells = (type: ResourceType, object: KubeObject, priority?: 0 | 1) => Object.fromEntries(type.columns.filter((c) => priority === undefined || c.priority === priority).map((c) => [c.name, c.cell(object, { now: NOW })]));
const messages = (causes: { field?: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('Service', () => {
  const svc = (spec: any): KubeObject => serviceType.defaults({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, spec });

  it('defaults type, affinity, protocol and targetPort', () => {
    const s = svc({ selector: { app: 'web' }, ports: [{ port: 80 }] });
    expect(s.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    expect(serviceType.validate(s)).toEqual([]);
  });

  it('prints TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S) like kubectl', () => {
    const s = svc({ type: 'NodePort', clusterIP: '10.96.0.10', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
    expect(cells(serviceType, s)).toEqual({ Name: 'web', Type: 'NodePort', 'Cluster-IP': '10.96.0.10', 'External-IP': '<none>', 'Port(s)': '80:30080/TCP,53/UDP', Age: '24h', Selector: 'app=web' });
    const lb = svc({ type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [{ port: 443 }] });
    expect(cells(serviceType, lb)['External-IP']).toBe('<pending>');
    lb.status = { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } };
    expect(cells(serviceType, lb)['External-IP']).toBe('203.0.113.7');
  });

  it('validates ports and names', () => {
    expect(messages(serviceType.validate(svc({ ports: [{ port: 80 }, { port: 81 }] })))).toEqual(['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
    // targetPort defaults to port, so a zero port is reported twice, as Kubernetes does.
    expect(messages(serviceType.validate(svc({ ports: [{ name: 'http', port: 0 }] })))).toEqual([
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]);
    expect(messages(serviceType.validate(svc({})))).toEqual(['spec.ports: Required value']);
    const numeric = svc({ ports: [{ port: 80 }] });
    numeric.metadata.name = '1web';
    expect(messages(serviceType.validate(numeric))[0]).toMatch(/^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
  });
});

describe('Node and Namespace', () => {
  const node = (ready: string | undefined, unschedulable = false): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', creationTimestamp: '2025-12-29T00:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '' } },
    spec: { unschedulable },
    status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'Orrery' } },
  });

  it('prints node STATUS the kubectl way', () => {
    const status = nodeType.columns.find((c) => c.name === 'Status')!;
    expect(status.cell(node('True'), { now: NOW })).toBe('Ready');
    expect(status.cell(node('True', true), { now: NOW })).toBe('Ready,SchedulingDisabled');
    expect(status.cell(node('False'), { now: NOW })).toBe('NotReady');
    expect(status.cell(node('Unknown'), { now: NOW })).toBe('NotReady');
    expect(status.cell(node(undefined), { now: NOW })).toBe('Unknown');
    expect(cells(nodeType, node('True'))).toEqual({
      Name: 'node-1',
      Status: 'Ready',
      Roles: 'control-plane',
      Age: '4d',
      Version: 'v1.31.0',
      'Internal-IP': '10.0.0.1',
      'External-IP': '<none>',
      'OS-Image': 'Orrery',
      'Kernel-Version': '<unknown>',
      'Container-Runtime': '<unknown>',
    });
  });

  it('defaults namespaces and checks their names as DNS labels', () => {
    const ns = namespaceType.defaults({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
    expect(namespaceType.validate(ns)).toEqual([]);
    expect(messages(namespaceType.validate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }))[0]).toMatch(/^metadata\.name: Invalid value: "a\.b": a lowercase RFC 1123 label must consist of/);
    expect(messages(namespaceType.validate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'default' } }))).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
    expect(namespaceType.verbs).not.toContain('deletecollection');
  });
});

describe('config and other kinds', () => {
  it('counts ConfigMap data and Secret data, and turns stringData into data', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } };
    expect(configMapType.columns[1]!.cell(cm, { now: NOW })).toBe(3);
    expect(messages(configMapType.validate({ ...cm, data: { 'bad key': 'x' } }))[0]).toMatch(/^data\[bad key\]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters/);
    const secret = secretType.defaults({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { password: 'hunter2' } });
    expect(secret).toMatchObject({ type: 'Opaque', data: { password: 'aHVudGVyMg==' } });
    expect(secret.stringData).toBeUndefined();
    const immutable = { ...cm, immutable: true };
    expect(messages(configMapType.validate({ ...immutable, data: { a: 'changed' } }, immutable))).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
  });

  it('prints events with LAST SEEN, TYPE, REASON, OBJECT, MESSAGE', () => {
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-1.17f', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' },
      reason: 'Scheduled',
      type: 'Normal',
      message: 'Successfully assigned default/web-1 to node-1',
      source: { component: 'default-scheduler' },
      firstTimestamp: '2026-01-01T23:55:00Z',
      lastTimestamp: '2026-01-01T23:59:00Z',
      count: 2,
    };
    expect(cells(eventType, event, 0)).toEqual({ 'Last Seen': '60s', Type: 'Normal', Reason: 'Scheduled', Object: 'pod/web-1', Message: 'Successfully assigned default/web-1 to node-1' });
    expect(cells(eventType, event, 1)).toEqual({ Subobject: '', Source: 'default-scheduler', 'First Seen': '5m', Count: 2, Name: 'web-1.17f' });
  });

  it('lists endpoints the kubectl way', () => {
    const ep: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }] };
    expect(endpointsType.columns[1]!.cell(ep, { now: NOW })).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
    expect(endpointsType.columns[1]!.cell({ ...ep, subsets: [] }, { now: NOW })).toBe('<none>');
    const slice: KubeObject = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abc', namespace: 'default' }, addressType: 'IPv4', ports: [{ port: 80 }], endpoints: [{ addresses: ['10.0.0.1'] }] };
    expect(cells(endpointSliceType, slice)).toMatchObject({ AddressType: 'IPv4', Ports: '80', Endpoints: '10.0.0.1' });
  });

  it('prints PVCs, storage classes, HPAs, quotas and RCs', () => {
    const pvc = persistentVolumeClaimType.defaults({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' } });
    expect(cells(persistentVolumeClaimType, pvc, 0)).toMatchObject({ Status: 'Pending', Volume: '', Capacity: '', 'Access Modes': '', StorageClass: 'standard' });
    const sc: KubeObject = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path' };
    expect(cells(storageClassType, storageClassType.defaults(sc))).toMatchObject({ Name: 'standard (default)', ReclaimPolicy: 'Delete', VolumeBindingMode: 'Immediate', AllowVolumeExpansion: false });
    const hpa = horizontalPodAutoscalerType.defaults({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } });
    expect(cells(horizontalPodAutoscalerType, hpa)).toMatchObject({ Reference: 'Deployment/web', Targets: 'cpu: <unknown>/80%', MinPods: '1', MaxPods: 5, Replicas: 0 });
    const quota: KubeObject = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard: { pods: '10', 'requests.cpu': '4', 'limits.cpu': '8' } }, status: { hard: { pods: '10', 'requests.cpu': '4', 'limits.cpu': '8' }, used: { pods: '2', 'requests.cpu': '500m', 'limits.cpu': '1' } } };
    expect(cells(resourceQuotaType, quota)).toMatchObject({ Request: 'pods: 2/10, requests.cpu: 500m/4', Limit: 'limits.cpu: 1/8' });
    const rc = replicationControllerType.defaults({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'old', namespace: 'default' }, spec: { template: { metadata: { labels: { app: 'old' } }, spec: { containers: [{ name: 'a', image: 'x' }] } } } });
    expect(rc.spec.selector).toEqual({ app: 'old' });
    expect(replicationControllerType.validate(rc)).toEqual([]);
  });
});

describe('events.k8s.io/v1 Events', () => {
  it('print with the core/v1 Event table, reading the newer field names', async () => {
    const { eventsV1Type } = await import('./event.ts');
    const event: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      regarding: { kind: 'Node', name: 'node-1' },
      note: 'Node node-1 status is now: NodeNotReady',
      reason: 'NodeNotReady',
      type: 'Normal',
      reportingController: 'node-controller',
      eventTime: '2026-01-01T23:58:00.000000Z',
    };
    expect(Object.fromEntries(eventsV1Type.columns.filter((c) => c.priority === 0).map((c) => [c.name, c.cell(event, { now: NOW })]))).toEqual({
      'Last Seen': '2m',
      Type: 'Normal',
      Reason: 'NodeNotReady',
      Object: 'node/node-1',
      Message: 'Node node-1 status is now: NodeNotReady',
    });
  });
});

describe('Node taints', () => {
  it('validates effects, keys and uniqueness by key and effect', () => {
    const node = (taints: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { taints } });
    expect(nodeType.validate(node([{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]))).toEqual([]);
    expect(messages(nodeType.validate(node([{ key: 'a', effect: 'Sometimes' }, { key: 'b' }])))).toEqual([
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'spec.taints[1].effect: Required value',
    ]);
    expect(messages(nodeType.validate(node([{ key: 'a', effect: 'NoSchedule' }, { key: 'a', value: 'x', effect: 'NoSchedule' }])))).toEqual([
      'spec.taints[1]: Duplicate value: map[string]string{"effect":"NoSchedule", "key":"a", "value":"x"}: taints must be unique by key and effect pair',
    ]);
  });
});

describe('PersistentVolumeClaim updates', () => {
  it('allow binding and growing a claim but no other spec change', () => {
    const old = persistentVolumeClaimType.defaults({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const bound = structuredClone(old);
    bound.spec.volumeName = 'pv-1';
    bound.spec.resources.requests.storage = '2Gi';
    expect(persistentVolumeClaimType.validate(bound, old)).toEqual([]);
    const rebound = structuredClone(bound);
    rebound.spec.volumeName = 'pv-2';
    expect(messages(persistentVolumeClaimType.validate(rebound, bound))[0]).toMatch(/^spec: Forbidden: spec is immutable after creation/);
    const modes = structuredClone(old);
    modes.spec.accessModes = ['ReadWriteMany'];
    expect(persistentVolumeClaimType.validate(modes, old)).toHaveLength(1);
  });
});
