import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { createInMemoryStore } from '../../core/store/in-memory-store.ts';
import { createClusterState, rebuildState } from '../state/reducer.ts';
import { createWritePath } from './write-path.ts';
import { ipToNumber } from './service-allocation.ts';

const T0 = Date.UTC(2026, 0, 1);

async function cluster(seed = 1) {
  const store = createInMemoryStore();
  const state = createClusterState();
  const writePath = createWritePath({ store, state });
  await writePath.execute({ type: 'record', actor: 'orrery', event: { type: 'ClusterInitialized', data: { seed, startTime: T0, mode: 'simulation' } } });
  const create = (object: KubeObject) => writePath.execute({ type: 'create', actor: 'user:admin', object }).then((r) => r.object!);
  const update = (object: KubeObject) => writePath.execute({ type: 'update', actor: 'user:admin', object }).then((r) => r.object!);
  const rejection = (object: KubeObject) => create(object).then(() => undefined, (e: { code: number; message: string }) => e);
  return { store, state, create, update, rejection };
}

function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

const inServiceCidr = (ip: string) => {
  const n = ipToNumber(ip);
  return n > ipToNumber('10.96.0.0') && n < ipToNumber('10.111.255.255');
};

describe('service admission: ClusterIP and NodePort allocation', () => {
  it('gives every Service a distinct ClusterIP from 10.96.0.0/12 when it is created, the same ones for the same seed', async () => {
    const first = await cluster();
    const ips: string[] = [];
    for (let i = 0; i < 20; i++) ips.push((await first.create(service(`s${i}`))).spec.clusterIP);
    expect(new Set(ips).size).toBe(20);
    expect(ips.every(inServiceCidr)).toBe(true);
    const again = await cluster();
    for (let i = 0; i < 20; i++) expect((await again.create(service(`s${i}`))).spec.clusterIPs).toEqual([ips[i]]);
    expect(rebuildState(first.store.events())).toEqual(first.state);
  });

  it('honours a requested ClusterIP and refuses one already allocated or outside the range', async () => {
    const { create, rejection } = await cluster();
    expect((await create(service('dns', { clusterIP: '10.96.0.10' }))).spec.clusterIPs).toEqual(['10.96.0.10']);
    const taken = await rejection(service('other', { clusterIP: '10.96.0.10' }));
    expect(taken?.code).toBe(422);
    expect(taken?.message).toBe('Service "other" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: provided IP is already allocated');
    const outside = await rejection(service('far', { clusterIP: '192.168.0.1' }));
    expect(outside?.message).toContain('the provided IP (192.168.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
  });

  it('headless and ExternalName Services get no ClusterIP', async () => {
    const { create } = await cluster();
    expect((await create(service('headless', { clusterIP: 'None' }))).spec.clusterIP).toBe('None');
    const external = await create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    expect(external.spec.clusterIP).toBeUndefined();
  });

  it('allocates NodePorts in 30000-32767, honours a free requested one and refuses a taken or out-of-range one', async () => {
    const { create, rejection } = await cluster();
    const np = await create(service('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }));
    const allocated = np.spec.ports.map((p: { nodePort: number }) => p.nodePort);
    expect(allocated.every((p: number) => p >= 30000 && p <= 32767)).toBe(true);
    expect(allocated[0]).not.toBe(allocated[1]);
    expect((await create(service('fixed', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).spec.ports[0].nodePort).toBe(30080);
    const taken = await rejection(service('clash', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(taken?.message).toBe('Service "clash" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const outside = await rejection(service('low', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }));
    expect(outside?.message).toBe('Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767');
  });

  it('an update that leaves out the ClusterIP and NodePorts keeps them; switching to ClusterIP releases the NodePorts', async () => {
    const { create, update, rejection } = await cluster();
    const np = await create(service('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30500 }] }));
    const resent = service('web', { type: 'NodePort', ports: [{ name: 'http', port: 8080 }] });
    const kept = await update(resent);
    expect(kept.spec.clusterIP).toBe(np.spec.clusterIP);
    expect(kept.spec.ports[0]).toMatchObject({ port: 8080, nodePort: 30500 });
    const plain = await update({ ...structuredClone(kept), spec: { ...structuredClone(kept.spec), type: 'ClusterIP' } });
    expect(plain.spec.ports[0].nodePort).toBeUndefined();
    expect(plain.spec.clusterIP).toBe(np.spec.clusterIP);
    expect(await rejection(service('reuse', { type: 'NodePort', ports: [{ port: 80, nodePort: 30500 }] }))).toBeUndefined();
  });

  it('a LoadBalancer gets NodePorts unless allocateLoadBalancerNodePorts is false, and a health-check port with the Local policy', async () => {
    const { create } = await cluster();
    const lb = await create(service('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    expect(lb.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(lb.spec.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    expect(lb.spec.healthCheckNodePort).not.toBe(lb.spec.ports[0].nodePort);
    const bare = await create(service('bare', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
    expect(bare.spec.ports[0].nodePort).toBeUndefined();
  });
});
