import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runServe } from './serve.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orrery-serve-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runServe', () => {
  it('writes a kubeconfig, serves on 127.0.0.1, and resumes the same log on the next start', async () => {
    const options = { port: 0, data: join(dir, 'data'), nodes: 2, quiet: true, handleSignals: false } as const;
    const first = await runServe(options);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.kubeconfigPath).toBe(join(dir, 'kubeconfig'));
    const kubeconfig = parse(await readFile(first.kubeconfigPath, 'utf8'));
    expect(kubeconfig.clusters[0].cluster.server).toBe(first.url);
    const created = await fetch(`${first.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kept' } }) });
    expect(created.status).toBe(201);
    const head = first.cluster.state.position;
    await first.close();

    const second = await runServe({ ...options, nodes: 4 });
    expect(second.cluster.state.position).toBeGreaterThanOrEqual(head);
    const kept = await fetch(`${second.url}/api/v1/namespaces/kept`);
    expect(kept.status).toBe(200);
    const nodes = (await (await fetch(`${second.url}/api/v1/nodes`)).json()) as { items: unknown[] };
    expect(nodes.items).toHaveLength(2); // nodes are registered on the first start only
    await second.close();
  });
});
