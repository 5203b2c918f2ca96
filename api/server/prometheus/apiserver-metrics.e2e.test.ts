import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HAS_KUBECTL, KUBECTL, type KubectlHarness, startKubectlHarness } from '../testing/kubectl-harness.ts';
import { type Sample, parseExposition, valueOf } from '../testing/prometheus-text.ts';

// Real processes and a wall-clock cluster: generous limits, for a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

/**
 * The real kubectl (v1.32) reading the server's own metrics with `kubectl get --raw /metrics`, as an
 * operator does, after requests of its own: each apply, get, watch, NotFound and Invalid must be
 * counted under kube-apiserver's labels. The server has a bearer token, which kubectl sends (from
 * the kubeconfig) over TLS only: the server serves a self-signed certificate the kubeconfig trusts.
 */
let harness: KubectlHarness;
let tokenDir: string;

beforeAll(async () => {
  if (!HAS_KUBECTL) return;
  tokenDir = await mkdtemp(join(tmpdir(), 'orrery-metrics-token-'));
  await writeFile(join(tokenDir, 'token'), 'e2e-metrics-token\n');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=orrery', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(tokenDir, 'tls.key'), '-out', join(tokenDir, 'tls.crt')], { stdio: 'ignore' });
  harness = await startKubectlHarness('metrics', { tokenFile: join(tokenDir, 'token'), tlsCert: join(tokenDir, 'tls.crt'), tlsKey: join(tokenDir, 'tls.key') });
});

afterAll(async () => {
  await harness?.close();
  if (tokenDir) await rm(tokenDir, { recursive: true, force: true });
});

const ok = (args: string[]) => harness.ok(args);

async function scrape(): Promise<Sample[]> {
  return parseExposition(await ok(['get', '--raw', '/metrics']));
}

const configmaps = { component: 'apiserver', group: '', version: 'v1', resource: 'configmaps', subresource: '' };
const requests = (samples: Sample[], labels: Record<string, string>) => valueOf(samples, 'apiserver_request_total', { dry_run: '', ...labels }) ?? 0;

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: metrics
data:
  value: "${value}"
`;

describe.skipIf(!HAS_KUBECTL)('kubectl get --raw /metrics', () => {
  it('needs the token, and counts kubectl apply, get, get -w, a NotFound and an Invalid by verb, scope and code', async () => {
    // With another token than the server's: 401, like every path.
    const refused = await harness.kubectl(['get', '--raw', '/metrics', '--token', 'not-the-token']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Unauthorized');

    await ok(['create', 'namespace', 'metrics']);
    // Client-side apply of a new object: GET (404), then POST (201).
    await writeFile(join(harness.dir, 'settings.yaml'), configMap('settings', 'one'));
    await ok(['apply', '-f', join(harness.dir, 'settings.yaml')]);
    // Of an existing one: GET (200), then a strategic merge PATCH (200).
    await writeFile(join(harness.dir, 'settings.yaml'), configMap('settings', 'two'));
    await ok(['apply', '-f', join(harness.dir, 'settings.yaml')]);
    // Server-side apply: one APPLY (201 for a new object).
    await writeFile(join(harness.dir, 'applied.yaml'), configMap('applied', 'three'));
    await ok(['apply', '--server-side', '-f', join(harness.dir, 'applied.yaml')]);
    expect(await ok(['get', 'configmaps', '-n', 'metrics', '-o', 'name'])).toContain('configmap/settings');
    expect(await ok(['get', 'configmaps', '-A', '-o', 'name'])).toContain('configmap/applied');
    const missing = await harness.kubectl(['get', 'configmap', 'missing', '-n', 'metrics']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('configmaps "missing" not found');
    const invalid = await harness.kubectl(['create', 'configmap', 'Not_A_Name', '-n', 'metrics', '--from-literal=a=b']);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('is invalid');

    const samples = await scrape();
    expect(requests(samples, { group: '', version: 'v1', resource: 'namespaces', subresource: '', verb: 'POST', scope: 'resource', code: '201' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'GET', scope: 'resource', code: '404' })).toBe(2);
    expect(requests(samples, { ...configmaps, verb: 'GET', scope: 'resource', code: '200' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'POST', scope: 'resource', code: '201' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'POST', scope: 'resource', code: '422' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'PATCH', scope: 'resource', code: '200' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'APPLY', scope: 'resource', code: '201' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'LIST', scope: 'namespace', code: '200' })).toBe(1);
    expect(requests(samples, { ...configmaps, verb: 'LIST', scope: 'cluster', code: '200' })).toBe(1);
    expect(valueOf(samples, 'apiserver_request_duration_seconds_count', { ...configmaps, dry_run: '', verb: 'GET', scope: 'resource' })).toBe(3);
    expect(valueOf(samples, 'apiserver_storage_objects', { resource: 'configmaps' })).toBe(harness.server.cluster.state.objects.get('ConfigMap')?.size);
    expect(valueOf(samples, 'orrery_log_head_position')).toBeGreaterThan(0);
    expect(valueOf(samples, 'orrery_cluster_nodes', { ready: 'True' })! + valueOf(samples, 'orrery_cluster_nodes', { ready: 'False' })! + valueOf(samples, 'orrery_cluster_nodes', { ready: 'Unknown' })!).toBe(2);
    expect(valueOf(samples, 'orrery_log_events_appended_total', { type: 'ObjectCreated' })).toBeGreaterThanOrEqual(3);

    // kubectl get -w: a LIST, then a WATCH that stays open (a long-running request) until kubectl goes.
    const watcher = spawn(KUBECTL, ['--kubeconfig', join(harness.dir, 'kubeconfig'), 'get', 'configmaps', '-n', 'metrics', '-w'], {
      env: { PATH: process.env.PATH ?? '', HOME: join(harness.dir, 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    watcher.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const watch = { ...configmaps, verb: 'WATCH', scope: 'namespace' };
    try {
      let open: Sample[] = [];
      for (let tries = 0; tries < 100; tries++) {
        open = await scrape();
        if (valueOf(open, 'apiserver_longrunning_requests', watch) === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(valueOf(open, 'apiserver_longrunning_requests', watch)).toBe(1);
      expect(valueOf(open, 'apiserver_registered_watchers', { group: '', version: 'v1', kind: 'ConfigMap' })).toBe(1);
      expect(requests(open, { ...watch, code: '200' })).toBe(0);
      expect(requests(open, { ...configmaps, verb: 'LIST', scope: 'namespace', code: '200' })).toBe(2);
      expect(printed).toContain('settings');
    } finally {
      watcher.kill('SIGTERM');
    }
    let closed: Sample[] = [];
    for (let tries = 0; tries < 100; tries++) {
      closed = await scrape();
      if (valueOf(closed, 'apiserver_longrunning_requests', watch) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(valueOf(closed, 'apiserver_longrunning_requests', watch)).toBe(0);
    expect(requests(closed, { ...watch, code: '200' })).toBe(1);
  });
});
