import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AuditLogError, importAuditLog, isSystemActor, parseAuditLog } from './audit-log-import.ts';
import { runScenario } from './run-scenario.ts';
import { parseScenario, scenarioToYaml } from './scenario-file.ts';

// A log in kube-apiserver's exact format (audit.k8s.io/v1 Event lines): node registration by the
// kubelets, a namespace and a Deployment applied with kubectl (with the controllers' and
// scheduler's writes that follow), a failed create, a Metadata-level create, kubectl scale /
// set image / delete pod / rollout undo (JSON patch) / cordon, a custom resource, kubectl expose.
const fixture = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', 'audit.jsonl'), 'utf8');

describe('audit-log import', () => {
  const { scenario, stats, warnings } = importAuditLog(fixture);

  it('turns the successful user writes into a timeline at their times after the first one', () => {
    expect(scenario.timeline.map(({ at, ...rest }) => [at, rest.action, 'manifest' in rest ? `${rest.manifest.kind}/${rest.manifest.metadata.name}` : ''])).toEqual([
      [0, 'apply', 'Namespace/shop'],
      [5008, 'apply', 'Deployment/checkout'],
      [124_988, 'scale', ''],
      [184_988, 'apply', 'Deployment/checkout'],
      [239_988, 'delete-pod', ''],
      [299_988, 'apply', 'Deployment/checkout'],
      [359_988, 'cordon', ''],
      [419_988, 'apply', 'Service/checkout'],
    ]);
    expect(scenario.timeline[2]).toMatchObject({ action: 'scale', deployment: 'checkout', namespace: 'shop', replicas: 5 });
    // the second of the ReplicaSet's three pods by name (…c9mzt), whatever the simulation names it
    expect(scenario.timeline[4]).toMatchObject({ action: 'delete-pod', deployment: 'checkout', namespace: 'shop', index: 1 });
    expect(scenario.timeline[6]).toMatchObject({ action: 'cordon', node: 'kind-worker2' });
    expect(scenario.duration).toBe(419_988 + 600_000);
  });

  it('applies patches to the object as last seen: strategic merge (set image), JSON patch (rollout undo)', () => {
    const image = (i: number) => (scenario.timeline[i] as any).manifest.spec.template.spec.containers[0].image;
    expect(image(3)).toBe('registry.example.com/checkout:1.5.0-rc1');
    expect((scenario.timeline[3] as any).manifest.spec.replicas).toBe(5);
    expect(image(5)).toBe('registry.example.com/checkout:1.4.0');
    const created = (scenario.timeline[1] as any).manifest;
    expect(created.metadata).toEqual({ name: 'checkout', namespace: 'shop' });
    expect(created.status).toBeUndefined();
  });

  it('takes the cluster from the Node objects and says what it left out', () => {
    expect(scenario.cluster.nodes).toEqual(
      ['kind-worker', 'kind-worker2', 'kind-worker3'].map((name, i) => ({ name, cpu: '4', memory: '8046372Ki', pods: 110, labels: { pool: 'general' }, zone: `eu-west-1${'abc'[i]}` })),
    );
    expect(stats).toEqual({
      lines: 24,
      imported: 8,
      skipped: {
        'writes by controllers and kubelets': 11,
        'stage RequestReceived': 1,
        reads: 1,
        'failed requests': 1,
        'writes logged without their body (Metadata level)': 1,
        'custom resources without their CustomResourceDefinition': 1,
      },
    });
    expect(warnings).toEqual(['skipped create of servicemonitors.monitoring.coreos.com: no CustomResourceDefinition for servicemonitors.monitoring.coreos.com in the log']);
  });

  it('gives a scenario file that runs: the rollout, the scale, the replacement pod, the Service', async () => {
    const text = `${scenarioToYaml(scenario)}expect:\n  - "eventually within 1m after 2m5s: deployment/shop/checkout available=5"\n  - "at 16m: deployment/shop/checkout available=5 and deployment/shop/checkout updated=5"\n  - "at 16m: pods in shop matching app=checkout running=5"\n  - "always: no node over capacity"\n`;
    const parsed = parseScenario(text);
    const run = await runScenario(parsed);
    await run.cluster.close();
    expect(run.outcomes.filter((o) => o.outcome.rejected)).toEqual([]);
    expect(run.expectations.filter((e) => !e.passed).map((e) => `${e.text}: ${e.message}`)).toEqual([]);
    expect(run.cluster.state.objects.get('Node')!.get('kind-worker2')!.spec!.unschedulable).toBe(true);
    expect(run.cluster.state.objects.get('Service')!.get('shop/checkout')!.spec!.clusterIP).toMatch(/^10\./);
  });

  it('refuses lines that are not audit events, naming the line', () => {
    expect(() => parseAuditLog('{"kind":"Event","apiVersion":"audit.k8s.io/v1"}\nnot json\n')).toThrow(AuditLogError);
    expect(() => parseAuditLog('{"kind":"Event","apiVersion":"audit.k8s.io/v1"}\nnot json\n')).toThrow(/^line 2: not JSON/);
    expect(() => parseAuditLog('{"kind":"Pod","apiVersion":"v1"}')).toThrow('line 1: not an audit.k8s.io Event (kind "Pod", apiVersion "v1")');
    expect(parseAuditLog('{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"kind":"Event","apiVersion":"audit.k8s.io/v1"}]}')).toHaveLength(1);
  });

  it('tells control-plane writers from users', () => {
    expect(['system:serviceaccount:kube-system:replicaset-controller', 'system:node:kind-worker', 'system:kube-scheduler', 'system:kube-controller-manager'].map(isSystemActor)).toEqual([true, true, true, true]);
    expect(['kubernetes-admin', 'system:serviceaccount:ci:deployer', 'alice@example.com'].map(isSystemActor)).toEqual([false, false, false]);
  });

  it('keeps controllers\' writes when asked to', () => {
    const all = importAuditLog(fixture, { includeSystemWrites: true });
    expect(all.stats.imported).toBeGreaterThan(stats.imported);
    expect(all.stats.skipped['writes by controllers and kubelets']).toBeUndefined();
  });

  it('without Node objects in the log, simulates 3 default nodes (or --nodes) and says so', () => {
    const line = JSON.stringify({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Request', auditID: 'a1', stage: 'ResponseComplete', requestURI: '/api/v1/namespaces/default/configmaps', verb: 'create',
      user: { username: 'alice@example.com', groups: ['system:authenticated'] }, objectRef: { resource: 'configmaps', namespace: 'default', name: 'settings', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 }, requestObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings' }, data: { mode: 'fast' } },
      requestReceivedTimestamp: '2024-05-14T10:00:00.000000Z', stageTimestamp: '2024-05-14T10:00:00.004000Z',
    });
    const defaulted = importAuditLog(line);
    expect(defaulted.scenario.cluster.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(defaulted.warnings).toEqual(['the log shows no Node objects: using 3 default nodes (node-1…node-3, 4 CPU, 16Gi); pass --nodes to change']);
    expect(defaulted.scenario.timeline).toEqual([{ at: 0, action: 'apply', manifest: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } } }]);
    expect(importAuditLog(line, { nodes: [{ name: 'big', cpu: '64' }] }).scenario.cluster.nodes).toEqual([{ name: 'big', cpu: '64' }]);
  });
});

