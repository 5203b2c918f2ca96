import { describe, expect, it } from 'vitest';
import { nodeInfoOf } from '../node-info.ts';
import { podInfoOf } from '../pod-info.ts';
import { testNode, testPod, type TestNode, type TestPod } from '../test-objects.ts';
import { nodeAffinity } from './node-affinity.ts';
import { nodeName } from './node-name.ts';
import { nodePorts } from './node-ports.ts';
import { addPorts } from '../host-ports.ts';
import { nodeResourcesFit } from './node-resources-fit.ts';
import { nodeUnschedulable } from './node-unschedulable.ts';
import { taintToleration } from './taint-toleration.ts';
import type { FilterPlugin } from './filter.ts';

function verdict(plugin: FilterPlugin, node: TestNode, pod: TestPod, setup?: { podCount?: number; requestedCpu?: number; requestedMemory?: number }) {
  const info = nodeInfoOf(testNode('node-1', node));
  Object.assign(info, setup);
  return plugin.filter(podInfoOf(testPod('web', pod)), info);
}

describe('NodeResourcesFit', () => {
  it('passes a pod whose requests fit what is left of allocatable', () => {
    expect(verdict(nodeResourcesFit, { cpu: '2', memory: '4Gi' }, { cpu: '500m', memory: '1Gi' }, { requestedCpu: 1500 })).toBeUndefined();
  });
  it('rejects with "Insufficient cpu" when the cpu left is too little', () => {
    expect(verdict(nodeResourcesFit, { cpu: '2' }, { cpu: '600m' }, { requestedCpu: 1500 })).toEqual(['Insufficient cpu']);
  });
  it('gives both reasons when cpu and memory are short', () => {
    expect(verdict(nodeResourcesFit, { cpu: '1', memory: '1Gi' }, { cpu: '2', memory: '2Gi' })).toEqual(['Insufficient cpu', 'Insufficient memory']);
  });
  it('rejects with "Too many pods" at the allocatable pod count, even for a pod that requests nothing', () => {
    expect(verdict(nodeResourcesFit, { pods: 3 }, {}, { podCount: 3 })).toEqual(['Too many pods']);
    expect(verdict(nodeResourcesFit, { pods: 3 }, {}, { podCount: 2 })).toBeUndefined();
  });
  it('counts a pod without requests as requesting nothing', () => {
    expect(verdict(nodeResourcesFit, { cpu: '1' }, {}, { requestedCpu: 1000 })).toBeUndefined();
  });
  it('uses the largest init container when it exceeds the sum of the app containers', () => {
    const spec = { initContainers: [{ name: 'init', image: 'busybox', resources: { requests: { cpu: '3' } } }] };
    expect(verdict(nodeResourcesFit, { cpu: '2' }, { cpu: '1', spec: { ...spec, containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '1' } } }] } })).toEqual([
      'Insufficient cpu',
    ]);
  });
});

describe('NodeResourcesFit with extended resources', () => {
  const gpuPod = (count: string) => ({ spec: { containers: [{ name: 'cuda', image: 'cuda', resources: { limits: { 'nvidia.com/gpu': count } } }] } });
  const gpuNode = (allocatable: Record<string, string>) => {
    const node = testNode('gpu-1');
    node.status.allocatable = { ...node.status.allocatable, ...allocatable };
    return nodeInfoOf(node);
  };
  it('rejects with "Insufficient nvidia.com/gpu" when the node has too few (limits stand in for requests)', () => {
    expect(nodeResourcesFit.filter(podInfoOf(testPod('a', gpuPod('2'))), gpuNode({ 'nvidia.com/gpu': '1' }))).toEqual(['Insufficient nvidia.com/gpu']);
    expect(nodeResourcesFit.filter(podInfoOf(testPod('a', gpuPod('1'))), gpuNode({}))).toEqual(['Insufficient nvidia.com/gpu']);
    expect(nodeResourcesFit.filter(podInfoOf(testPod('a', gpuPod('1'))), gpuNode({ 'nvidia.com/gpu': '1' }))).toBeUndefined();
  });
  it('counts what bound pods already use', () => {
    const node = gpuNode({ 'nvidia.com/gpu': '2' });
    node.requestedOther.set('nvidia.com/gpu', 2);
    expect(nodeResourcesFit.filter(podInfoOf(testPod('a', gpuPod('1'))), node)).toEqual(['Insufficient nvidia.com/gpu']);
  });
  it('checks ephemeral-storage', () => {
    const pod = testPod('a', { spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { 'ephemeral-storage': '200Gi' } } }] } });
    expect(nodeResourcesFit.filter(podInfoOf(pod), gpuNode({ 'ephemeral-storage': '100Gi' }))).toEqual(['Insufficient ephemeral-storage']);
  });
});

describe('NodePorts', () => {
  const withPort = (hostPort: number, hostIP?: string, protocol?: string) => ({
    spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort, ...(hostIP ? { hostIP } : {}), ...(protocol ? { protocol } : {}) }] }] },
  });
  const nodeHolding = (...ports: Array<{ key: string; ip: string }>) => {
    const info = nodeInfoOf(testNode('node-1'));
    addPorts(info.usedPorts, ports, 1);
    return info;
  };
  it("rejects a node where the hostPort is taken with \"node(s) didn't have free ports for the requested pod ports\"", () => {
    expect(nodePorts.filter(podInfoOf(testPod('a', withPort(8080))), nodeHolding({ key: 'TCP/8080', ip: '0.0.0.0' }))).toEqual([
      "node(s) didn't have free ports for the requested pod ports",
    ]);
  });
  it('allows the same port on another protocol or another specific address', () => {
    expect(nodePorts.filter(podInfoOf(testPod('a', withPort(8080, undefined, 'UDP'))), nodeHolding({ key: 'TCP/8080', ip: '0.0.0.0' }))).toBeUndefined();
    expect(nodePorts.filter(podInfoOf(testPod('a', withPort(8080, '10.0.0.2'))), nodeHolding({ key: 'TCP/8080', ip: '10.0.0.1' }))).toBeUndefined();
    expect(nodePorts.filter(podInfoOf(testPod('a', withPort(8080))), nodeHolding({ key: 'TCP/8080', ip: '10.0.0.1' }))).toHaveLength(1);
  });
});

describe('NodeUnschedulable', () => {
  it('rejects a cordoned node with "node(s) were unschedulable"', () => {
    expect(verdict(nodeUnschedulable, { unschedulable: true }, {})).toEqual(['node(s) were unschedulable']);
  });
  it('lets a pod tolerating node.kubernetes.io/unschedulable onto a cordoned node', () => {
    const tolerations = [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }];
    expect(verdict(nodeUnschedulable, { unschedulable: true }, { spec: { tolerations } })).toBeUndefined();
  });
});

describe('NodeName', () => {
  it("rejects other nodes with \"node(s) didn't match the requested node name\"", () => {
    expect(verdict(nodeName, {}, { nodeName: 'node-2' })).toEqual(["node(s) didn't match the requested node name"]);
    expect(verdict(nodeName, {}, { nodeName: 'node-1' })).toBeUndefined();
  });
});

describe('TaintToleration', () => {
  const taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }];
  it('names the first untolerated taint as {key: value}', () => {
    expect(verdict(taintToleration, { taints }, {})).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
  });
  it('passes when a toleration matches key, value and effect', () => {
    expect(verdict(taintToleration, { taints }, { spec: { tolerations: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } })).toBeUndefined();
    expect(verdict(taintToleration, { taints }, { spec: { tolerations: [{ key: 'dedicated', value: 'cpu', effect: 'NoSchedule' }] } })).toHaveLength(1);
    expect(verdict(taintToleration, { taints }, { spec: { tolerations: [{ operator: 'Exists' }] } })).toBeUndefined();
  });
  it('ignores PreferNoSchedule taints', () => {
    expect(verdict(taintToleration, { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }, {})).toBeUndefined();
  });
  it('treats a NotReady node as tainted node.kubernetes.io/not-ready and an unreachable one as node.kubernetes.io/unreachable', () => {
    expect(verdict(taintToleration, { ready: 'False' }, {})).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
    expect(verdict(taintToleration, { ready: null }, {})).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
    expect(verdict(taintToleration, { ready: 'Unknown' }, {})).toEqual(['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
    const tolerations = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }];
    expect(verdict(taintToleration, { ready: 'False' }, { spec: { tolerations } })).toBeUndefined();
  });
});

describe('NodeAffinity', () => {
  const reason = ["node(s) didn't match Pod's node affinity/selector"];
  const required = (terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
  it('requires every nodeSelector label', () => {
    expect(verdict(nodeAffinity, { labels: { disk: 'ssd' } }, { spec: { nodeSelector: { disk: 'ssd' } } })).toBeUndefined();
    expect(verdict(nodeAffinity, { labels: { disk: 'hdd' } }, { spec: { nodeSelector: { disk: 'ssd' } } })).toEqual(reason);
  });
  it('ORs required terms and ANDs their expressions', () => {
    const spec = required([
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gpu', operator: 'Exists' }] },
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
    ]);
    expect(verdict(nodeAffinity, { labels: { zone: 'a', gpu: 'yes' } }, { spec })).toBeUndefined();
    expect(verdict(nodeAffinity, { labels: { zone: 'a' } }, { spec })).toEqual(reason);
    expect(verdict(nodeAffinity, { labels: { zone: 'b' } }, { spec })).toBeUndefined();
  });
  it('supports Gt/Lt on integer labels and matchFields on metadata.name', () => {
    expect(verdict(nodeAffinity, { labels: { cores: '16' } }, { spec: required([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }]) })).toBeUndefined();
    expect(verdict(nodeAffinity, { labels: { cores: '4' } }, { spec: required([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }]) })).toEqual(reason);
    expect(verdict(nodeAffinity, {}, { spec: required([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }]) })).toBeUndefined();
    expect(verdict(nodeAffinity, {}, { spec: required([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-9'] }] }]) })).toEqual(reason);
  });
  it('matches nothing with an empty term', () => {
    expect(verdict(nodeAffinity, {}, { spec: required([{}]) })).toEqual(reason);
  });
});
