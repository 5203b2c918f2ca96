import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AuditLogError, importAuditLog, isSystemActor, parseAuditLog } from './audit-log-import.ts';
import { runScenario } from './run-scenario.ts';
import { importedScenarioHeader } from './import-command.ts';
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


// A second log in the same format: kubelets register two nodes (one with --register-with-taints),
// the node lifecycle controller lifts not-ready, a user creates a namespace, applies a
// CustomResourceDefinition (widgets.example.com, whose status the apiserver then writes) and two
// widgets, the widget operator writes status, the user merge-patches one widget
// (`kubectl patch --type merge`) and deletes the other, then taints and untaints nodes with
// `kubectl taint` (strategic merge patches carrying the node's whole taint list, or null for none).
const customFixture = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'testdata', 'audit-custom-resources-taints.jsonl'), 'utf8');

/** One audit event line by a user, at `second` seconds after 10:00. */
function auditLine(second: number, verb: string, objectRef: Record<string, string>, requestObject?: unknown, username = 'alice@example.com'): string {
  return JSON.stringify({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Request', auditID: `b-${second}`, stage: 'ResponseComplete', requestURI: '/', verb,
    user: { username, groups: ['system:authenticated'] }, objectRef: { apiVersion: 'v1', ...objectRef }, responseStatus: { metadata: {}, code: verb === 'create' ? 201 : 200 },
    ...(requestObject !== undefined ? { requestObject } : {}),
    requestReceivedTimestamp: new Date(Date.UTC(2024, 4, 14, 10, 0, second)).toISOString(), stageTimestamp: new Date(Date.UTC(2024, 4, 14, 10, 0, second)).toISOString(),
  });
}

describe('audit-log import: custom resources and taints', () => {
  const result = importAuditLog(customFixture);
  const { scenario, stats, warnings } = result;

  it('puts the definition, then its objects (applies, a merge patch, a delete), then the taint changes on the timeline', () => {
    expect(scenario.timeline.map(({ at, ...rest }) => [at, rest.action, 'manifest' in rest ? `${rest.manifest.kind}/${rest.manifest.metadata.name}` : ''])).toEqual([
      [0, 'apply', 'Namespace/factory'],
      [5000, 'apply', 'CustomResourceDefinition/widgets.example.com'],
      [20_000, 'apply', 'Widget/alpha'],
      [20_500, 'apply', 'Widget/beta'],
      [60_000, 'apply', 'Widget/alpha'],
      [120_000, 'delete', ''],
      [180_000, 'taint', ''],
      [210_000, 'taint', ''],
      [240_000, 'untaint', ''],
    ]);
    expect(scenario.timeline[5]).toEqual({ at: 120_000, action: 'delete', kind: 'Widget', namespace: 'factory', name: 'beta' });
    expect(scenario.timeline.slice(6)).toEqual([
      { at: 180_000, action: 'taint', node: 'kind-worker', key: 'maintenance', effect: 'NoExecute' },
      // the patch lists the node's whole taint list: only the changed taint is an action
      { at: 210_000, action: 'taint', node: 'kind-worker2', key: 'dedicated', value: 'batch', effect: 'NoSchedule' },
      // `{"spec":{"taints":null}}`
      { at: 240_000, action: 'untaint', node: 'kind-worker', key: 'maintenance', effect: 'NoExecute' },
    ]);
  });

  it('applies a custom object\'s patch as a JSON merge patch to the object as last seen (null removes, lists replace)', () => {
    expect((scenario.timeline[2] as any).manifest).toEqual({
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'alpha', namespace: 'factory' },
      spec: { size: 3, colour: 'blue', ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }] },
    });
    expect((scenario.timeline[4] as any).manifest).toEqual({
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'alpha', namespace: 'factory' }, spec: { size: 5, ports: [{ name: 'http', port: 8080 }] },
    });
    const crd = (scenario.timeline[1] as any).manifest;
    expect(crd.metadata).toEqual({ name: 'widgets.example.com' });
    expect(crd.status).toBeUndefined();
  });

  it('counts what it imported and left out; nodes start with the taints they had before the users changed them', () => {
    expect(stats).toEqual({ lines: 15, imported: 9, skipped: { 'writes by controllers and kubelets': 5, 'status writes': 1 } });
    expect(warnings).toEqual([]);
    expect(scenario.cluster.nodes.map((n) => [n.name, n.taints])).toEqual([
      ['kind-worker', undefined],
      ['kind-worker2', [{ effect: 'NoSchedule', key: 'dedicated', value: 'infra' }]],
    ]);
    expect(importedScenarioHeader('incident.jsonl', result).split('\n').slice(0, 4)).toEqual([
      '# Imported from the audit log incident.jsonl by `orrery import audit-log`.',
      '# 15 audit events read, 9 writes on the timeline; left out:',
      '#   5 writes by controllers and kubelets',
      '#   1 status writes',
    ]);
  });

  it('gives a scenario that runs: the custom kind is served, alpha ends patched, beta deleted, the taints as the users left them', async () => {
    const run = await runScenario(parseScenario(scenarioToYaml(scenario)));
    await run.cluster.close();
    expect(run.outcomes.filter((o) => o.outcome.rejected)).toEqual([]);
    const widgets = run.cluster.state.objects.get('Widget')!;
    expect([...widgets.keys()]).toEqual(['factory/alpha']);
    expect(widgets.get('factory/alpha')!.spec).toEqual({ size: 5, ports: [{ name: 'http', port: 8080 }] });
    const nodes = run.cluster.state.objects.get('Node')!;
    expect(nodes.get('kind-worker')!.spec!.taints).toBeUndefined();
    expect(nodes.get('kind-worker2')!.spec!.taints).toEqual([{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }]);
  });

  it('skips custom objects whose definition the log does not show, or shows deleted, saying so once per resource', () => {
    const gizmos = { resource: 'customresourcedefinitions', name: 'gizmos.example.org', apiGroup: 'apiextensions.k8s.io' };
    const gizmoDefinition = {
      kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', metadata: { name: 'gizmos.example.org' },
      spec: {
        group: 'example.org', names: { plural: 'gizmos', kind: 'Gizmo' }, scope: 'Cluster',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, subresources: { scale: { specReplicasPath: '.spec.count', statusReplicasPath: '.status.count' } } }],
      },
    };
    const gizmo = (name: string) => ({ resource: 'gizmos', name, apiGroup: 'example.org' });
    const widget = { resource: 'widgets', namespace: 'default', name: 'w1', apiGroup: 'example.com' };
    const log = [
      auditLine(0, 'create', widget, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1 } }),
      auditLine(1, 'patch', widget, { spec: { size: 2 } }),
      auditLine(2, 'create', { resource: 'validatingwebhookconfigurations', name: 'policy', apiGroup: 'admissionregistration.k8s.io' }, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'policy' } }),
      auditLine(3, 'create', gizmos, gizmoDefinition),
      auditLine(4, 'create', gizmo('g1'), { apiVersion: 'example.org/v1', kind: 'Gizmo', metadata: { name: 'g1' }, spec: { colour: 'green' } }),
      // `kubectl scale gizmo g1 --replicas=2`: the definition's replicas path
      auditLine(5, 'patch', { ...gizmo('g1'), subresource: 'scale' }, { spec: { replicas: 2 } }),
      auditLine(6, 'delete', gizmos),
      auditLine(7, 'create', gizmo('g2'), { apiVersion: 'example.org/v1', kind: 'Gizmo', metadata: { name: 'g2' } }),
    ].join('\n');
    const imported = importAuditLog(log, { nodes: [{ name: 'n1' }] });
    expect(imported.scenario.timeline.map((e) => [e.at, e.action, 'manifest' in e ? `${e.manifest.kind}/${e.manifest.metadata.name}` : 'kind' in e ? `${e.kind}/${e.name}` : ''])).toEqual([
      [0, 'apply', 'CustomResourceDefinition/gizmos.example.org'],
      [1000, 'apply', 'Gizmo/g1'],
      [2000, 'apply', 'Gizmo/g1'],
      [3000, 'delete', 'CustomResourceDefinition/gizmos.example.org'],
    ]);
    // a cluster-scoped kind: no namespace
    expect((imported.scenario.timeline[1] as any).manifest.metadata).toEqual({ name: 'g1' });
    expect((imported.scenario.timeline[2] as any).manifest.spec).toEqual({ colour: 'green', count: 2 });
    expect(imported.warnings).toEqual([
      'skipped 2 writes (create, patch) of widgets.example.com: no CustomResourceDefinition for widgets.example.com in the log',
      'skipped create of validatingwebhookconfigurations.admissionregistration.k8s.io: not a resource Orrery serves',
      'skipped create of gizmos.example.org: its CustomResourceDefinition gizmos.example.org was deleted before',
    ]);
    expect(imported.stats).toEqual({ lines: 8, imported: 4, skipped: { 'custom resources without their CustomResourceDefinition': 3, 'resources Orrery does not serve': 1 } });
  });

  it('turns one node write that cordons and taints into both actions; taints written by controllers and kubelets stay out', () => {
    const node = (taints?: unknown[], unschedulable?: boolean) => ({
      kind: 'Node', apiVersion: 'v1', metadata: { name: 'n1' }, spec: { ...(unschedulable ? { unschedulable } : {}), ...(taints ? { taints } : {}) }, status: { allocatable: { cpu: '2', memory: '4Gi', pods: '20' } },
    });
    const ref = { resource: 'nodes', name: 'n1' };
    const log = [
      auditLine(0, 'create', ref, node([{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]), 'system:node:n1'),
      // the node lifecycle controller, then a kubelet: not the users'
      auditLine(1, 'patch', ref, { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'team', value: 'a', effect: 'NoSchedule' }] } }, 'system:serviceaccount:kube-system:node-controller'),
      auditLine(2, 'update', ref, node([{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), 'system:node:n1'),
      // `kubectl replace` (an update, also logged as received): cordoned, a taint added; the controller's own taint is no user's change
      auditLine(3, 'update', ref, node([{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'gpu', value: 'true', effect: 'PreferNoSchedule' }], true)).replace('"stage":"ResponseComplete"', '"stage":"RequestReceived"'),
      auditLine(3, 'update', ref, node([{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'gpu', value: 'true', effect: 'PreferNoSchedule' }], true)),
      // a label change only
      auditLine(4, 'patch', ref, { metadata: { labels: { team: 'b' } } }),
      // a JSON patch removing the taints, then uncordon as kubectl sends it
      auditLine(5, 'patch', ref, [{ op: 'remove', path: '/spec/taints' }]),
      auditLine(6, 'patch', ref, { spec: { unschedulable: null } }),
    ].join('\n');
    const imported = importAuditLog(log);
    expect(imported.scenario.timeline).toEqual([
      { at: 0, action: 'cordon', node: 'n1' },
      { at: 0, action: 'taint', node: 'n1', key: 'gpu', value: 'true', effect: 'PreferNoSchedule' },
      { at: 2000, action: 'untaint', node: 'n1', key: 'gpu', effect: 'PreferNoSchedule' },
      { at: 3000, action: 'uncordon', node: 'n1' },
    ]);
    expect(imported.stats).toEqual({ lines: 8, imported: 3, skipped: { 'writes by controllers and kubelets': 3, 'stage RequestReceived': 1, 'node writes (nodes are the scenario cluster)': 1 } });
    expect(importedScenarioHeader('n.jsonl', imported)).toContain('# 8 audit events read, 3 writes on the timeline (4 entries); left out:');
    // the cluster's node as the log last showed it (the label patch applied), with its taints from
    // before the users' first change (the controller's team=a, which the kubelet's update dropped, is gone)
    expect(imported.scenario.cluster.nodes).toEqual([{ name: 'n1', cpu: '2', memory: '4Gi', pods: 20, labels: { team: 'b' } }]);
  });
});
