import { recordBenchmark, table } from './harness.ts';
import type { KubeObject } from '../core/model/object.ts';
import { resourceTypeForKind } from '../core/model/registry.ts';
import { labelSelectorAsSelector, matches, parseSelector } from '../core/model/labels.ts';
import { parseQuantity, toMilli, formatQuantity } from '../core/model/quantity.ts';
import { computeHash } from '../core/model/pod-template-hash.ts';
import { parseManifests } from '../core/model/manifests.ts';
import { podColumns } from '../core/model/kinds/pod-columns.ts';

// Per-call cost of the resource model on the write path (defaults + validate), in controllers
// (selector matching, quantities, pod-template-hash) and in table printing.

function perOpMicros(iterations: number, run: (i: number) => void): number {
  for (let i = 0; i < Math.min(1000, iterations); i++) run(i);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run(i);
  return ((performance.now() - start) / iterations) * 1000;
}

const podType = resourceTypeForKind('Pod')!;
const deploymentType = resourceTypeForKind('Deployment')!;
const pod = (i: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web', tier: 'fe', 'pod-template-hash': '5d59d67564' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } } }] },
});
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } };
const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template } };
const selector = labelSelectorAsSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] });
const labels = { app: 'web', tier: 'fe', 'pod-template-hash': '5d59d67564' };
const manifest = Array.from({ length: 1000 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c-${i}\ndata:\n  key: value-${i}\n`).join('---\n');
const N = 20_000;

const defaultedPod = podType.defaults(pod(0));
const rows: Array<Array<string | number>> = [
  ['Pod defaults + validate (create)', perOpMicros(N, (i) => podType.validate(podType.defaults(pod(i)))).toFixed(2)],
  ['Pod validate (update, image changed)', perOpMicros(N, (i) => podType.validate({ ...defaultedPod, spec: { ...defaultedPod.spec, containers: [{ ...defaultedPod.spec.containers[0], image: `nginx:${i}` }] } }, defaultedPod)).toFixed(2)],
  ['Deployment defaults + validate', perOpMicros(N, () => deploymentType.validate(deploymentType.defaults(structuredClone(deployment)))).toFixed(2)],
  ['parseSelector (`app=web,tier in (fe,be),!canary`)', perOpMicros(N, () => parseSelector('app=web,tier in (fe,be),!canary')).toFixed(2)],
  ['selector match (3 requirements)', perOpMicros(N * 10, () => matches(selector, labels)).toFixed(3)],
  ['parseQuantity + toMilli (`250m`)', perOpMicros(N * 5, () => toMilli('250m')).toFixed(3)],
  ['parse + format quantity (`1.5Gi`)', perOpMicros(N * 5, () => formatQuantity(parseQuantity('1.5Gi'))).toFixed(3)],
  ['computeHash (pod template)', perOpMicros(N, (i) => computeHash(template, i % 3)).toFixed(2)],
  ['pod table row (all 9 columns)', perOpMicros(N, () => podColumns.map((c) => c.cell(defaultedPod, { now: 0 }))).toFixed(2)],
  ['parse 1,000-document YAML manifest (per document)', (perOpMicros(5, () => parseManifests(manifest)) / 1000).toFixed(2)],
];

const body = table(['operation', 'µs per call'], rows);
console.log(body);
recordBenchmark('resource-model', 'Resource model: defaults, validation, selectors, quantities, hashes', body);
