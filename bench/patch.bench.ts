import { recordBenchmark, table } from './harness.ts';
import { schemaCatalog } from '../api/openapi/component-schemas.ts';
import { openApiV3Document, openApiV3Root } from '../api/openapi/documents.ts';
import { findUnknownFields } from '../api/openapi/unknown-fields.ts';
import { allResourceTypes } from '../core/model/registry.ts';
import { apiVersionOf } from '../core/model/resource-type.ts';
import type { KubeObject } from '../core/model/object.ts';
import { applyStrategicMergePatch } from '../api/patch/strategic-merge-patch.ts';
import { applyMergePatch } from '../api/patch/merge-patch.ts';
import { applyJsonPatch } from '../api/patch/json-patch.ts';
import { recordUpdateManagedFields } from '../api/patch/managed-fields.ts';
import { serverSideApply } from '../api/patch/server-side-apply.ts';

// OpenAPI first-use cost and per-write cost of the patch flavours and managedFields tracking, on
// a ReplicaSet-owned Pod like the ones controllers write most.

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

function perOp(iterations: number, run: (i: number) => void): number {
  for (let i = 0; i < Math.min(1000, iterations); i++) run(i);
  const ms = time(() => {
    for (let i = 0; i < iterations; i++) run(i);
  });
  return (ms / iterations) * 1000;
}

const catalogMs = time(() => schemaCatalog());
const groupVersions = [...new Set(allResourceTypes().map((type) => apiVersionOf(type)))];
const documentsMs = time(() => openApiV3Root(groupVersions));
const bytes = groupVersions.reduce((sum, gv) => sum + JSON.stringify(openApiV3Document(gv)).length, 0);

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-7d9f8-abcde',
    namespace: 'default',
    labels: { app: 'web', 'pod-template-hash': '7d9f8' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f8', uid: 'u-1', controller: true, blockOwnerDeletion: true }],
  },
  spec: {
    containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '64Mi' } }, env: [{ name: 'MODE', value: 'prod' }] }],
    nodeName: 'node-1',
    restartPolicy: 'Always',
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
  status: { phase: 'Running' },
} as KubeObject;
const owned = recordUpdateManagedFields(undefined, pod, 'kube-controller-manager', 'Update', { time: 0 });
const N = 20_000;

const rows: Array<Array<string | number>> = [
  ['strategic merge patch (label + container image)', perOp(N, (i) => applyStrategicMergePatch(owned, { metadata: { labels: { i: String(i) } }, spec: { containers: [{ name: 'web', image: `nginx:${i}` }] } })).toFixed(1)],
  ['JSON merge patch (label)', perOp(N, (i) => applyMergePatch(owned, { metadata: { labels: { i: String(i) } } })).toFixed(1)],
  ['JSON patch (replace image)', perOp(N, (i) => applyJsonPatch(owned, [{ op: 'replace', path: '/spec/containers/0/image', value: `nginx:${i}` }])).toFixed(1)],
  ['recordUpdateManagedFields (label change)', perOp(N, (i) => recordUpdateManagedFields(owned, { ...owned, metadata: { ...owned.metadata, labels: { app: 'web', i: String(i) } } }, 'kubectl-label', 'Update', { time: i * 1000 })).toFixed(1)],
  ['serverSideApply (image change, forced)', perOp(N / 4, (i) => serverSideApply(owned, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-7d9f8-abcde', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: `nginx:${i}` }] } }, { fieldManager: 'kubectl', time: i, force: true })).toFixed(1)],
  ['findUnknownFields (whole Pod)', perOp(N, () => findUnknownFields(owned, 'Pod')).toFixed(1)],
];

const markdown = [
  `OpenAPI: component schema catalog built from @kubernetes/client-node's models in ${catalogMs.toFixed(0)} ms on first use; the /openapi/v3 index with all ${groupVersions.length} group-version documents (hashed) in a further ${documentsMs.toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB of JSON in total. Both are cached for the life of the process.`,
  '',
  table(['operation on one Pod', 'µs/op'], rows),
].join('\n');
recordBenchmark('patch', 'OpenAPI documents and patching', markdown);
console.log(markdown);
