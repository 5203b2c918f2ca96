import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import { type SimulatedCluster, createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { getObject } from '../../projections/state/queries.ts';
// The API server registers the /at/ routes (replay code itself never imports api/).
import { createApiServer } from '../../api/server/create-api-server.ts';
import { deployment } from '../service/test-recording.ts';

const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
let cluster: SimulatedCluster;
let app: FastifyInstance;
let url: string;
let kubeconfig: string;
let events: StoredEvent[];

beforeAll(async () => {
  cluster = await createSimulatedCluster({ nodes: 2, seed: 3 });
  await cluster.apply([deployment('web', 2, 'nginx:1')]);
  await cluster.run(30_000);
  const v1 = getObject(cluster.state, 'Deployment', 'default', 'web')!;
  await cluster.act({ type: 'update', object: { ...v1, spec: { ...v1.spec, replicas: 4 } } });
  await cluster.run(30_000);
  events = [];
  for await (const event of cluster.store.readAll(0)) events.push(event);
  // createApiServer registers atRoutes with its own factory, history and log.
  app = createApiServer({ cluster });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'orrery-at-')), 'kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
}, 60_000);

afterAll(async () => {
  await app?.close();
  await cluster?.close();
});

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, env: { ...process.env, KUBECACHEDIR: join(tmpdir(), `orrery-at-cache-${process.pid}`) } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('/at/<position>: the Kubernetes API in the past, with the real kubectl', () => {
  it('kubectl get pods -o wide shows the pods as they were at a position and at a time', async () => {
    const scaleUp = events.find((e) => e.type === 'ObjectReplaced' && e.metadata.actor === 'user:admin')!;
    const before = await kubectl(['--server', `${url}/at/${scaleUp.position - 1}`, 'get', 'pods', '-o', 'wide']);
    expect(before.stderr).toBe('');
    expect(before.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    expect(before.stdout.match(/^web-\S+\s+1\/1\s+Running/gm)).toHaveLength(2);
    const now = await kubectl(['--server', url, 'get', 'pods', '--no-headers']);
    expect(now.stdout.trim().split('\n')).toHaveLength(4);
    const atTime = await kubectl(['--server', `${url}/at/${toRfc3339(scaleUp.metadata.time - 1000)}`, 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']);
    expect(atTime.stdout).toBe('2');
    const empty = await kubectl(['--server', `${url}/at/8`, 'get', 'pods']);
    expect(empty.stderr).toContain('No resources found in default namespace.');
  }, 60_000);

  it('the API server also serves the replay API over its own log', async () => {
    const opened = await app.inject({ method: 'POST', url: '/replay/sessions', payload: { source: { type: 'live' } } });
    expect(opened.statusCode).toBe(201);
    expect(opened.json()).toMatchObject({ source: { type: 'live' }, head: cluster.state.position });
  });

  it('refuses writes and watches, and positions beyond the end', async () => {
    const write = await kubectl(['--server', `${url}/at/10`, 'create', 'namespace', 'x']);
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/MethodNotAllowed|not allowed|read-only/i);
    const response = await app.inject({ url: `/at/${cluster.state.position + 100}/api/v1/pods` });
    expect(response.statusCode).toBe(404);
    const watch = await app.inject({ url: '/at/10/api/v1/pods?watch=true' });
    expect(watch.statusCode).toBe(405);
    expect(watch.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed' });
  });
});
