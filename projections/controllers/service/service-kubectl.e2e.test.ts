import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { type KubectlHarness, eventually, startKubectlHarness } from '../../../api/server/testing/kubectl-harness.ts';

// Real processes and a wall-clock cluster: generous limits, for a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

/** The real kubectl (v1.32, see KUBECTL in the harness) creating and listing Services against a real server. */
let harness: KubectlHarness;

beforeAll(async () => {
  harness = await startKubectlHarness('svc');
});

afterAll(async () => {
  await harness?.close();
});

const kubectl = (args: string[]) => harness.kubectl(args);
const ok = (args: string[]) => harness.ok(args);

const object = (kind: string, name: string): KubeObject | undefined => harness.server.cluster.state.objects.get(kind)?.get(`default/${name}`);

describe('kubectl and Services', () => {
  it('expose a deployment as a NodePort: get svc shows the ClusterIP, <none> and port:nodePort; endpoints list the pods', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=8080']);
    const out = await ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--type=NodePort']);
    expect(out.trim()).toBe('service/web exposed');
    const svc = object('Service', 'web')!;
    const nodePort = svc.spec.ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    const table = await ok(['get', 'svc', 'web']);
    expect(table).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
    expect(table).toMatch(new RegExp(`^web\\s+NodePort\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+80:${nodePort}/TCP\\s+`, 'm'));
    expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\./);

    await eventually(() => (object('Endpoints', 'web')?.subsets as any[] | undefined)?.[0]?.addresses?.length === 2);
    const endpoints = await ok(['get', 'endpoints', 'web']);
    expect(endpoints).toMatch(/^web\s+10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080\s+/m);
    const slices = await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
    expect(slices).toMatch(/^web-[a-z0-9]{5}\s+IPv4\s+8080\s+10\.244\.\d+\.\d+,10\.244\.\d+\.\d+\s+/m);
  });

  it('a LoadBalancer shows its ingress IP under EXTERNAL-IP; a taken NodePort is refused', async () => {
    await ok(['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443']);
    await eventually(() => (object('Service', 'lb')?.status as any)?.loadBalancer?.ingress);
    const table = await ok(['get', 'svc', 'lb']);
    expect(table).toMatch(/^lb\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+172\.18\.255\.\d+\s+443:3\d{4}\/TCP\s+/m);

    await ok(['create', 'service', 'nodeport', 'fixed', '--tcp=80:8080', '--node-port=30080']);
    const clash = await kubectl(['create', 'service', 'nodeport', 'clash', '--tcp=80:8080', '--node-port=30080']);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain('error: failed to create NodePort service: Service "clash" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  });
});
