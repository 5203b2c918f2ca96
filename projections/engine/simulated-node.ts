import type { Taint } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';

/** A node of the simulated cluster, as a scenario or `orrery serve --nodes N` describes it. */
export interface SimulatedNodeSpec {
  name: string;
  /** Allocatable cpu, as a quantity (default `4`). */
  cpu?: string;
  /** Allocatable memory, as a quantity (default `16Gi`). */
  memory?: string;
  /** Allocatable pods (default 110, Kubernetes' default max-pods). */
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Sets `topology.kubernetes.io/zone`. */
  zone?: string;
}

export const SIMULATED_KUBELET_VERSION = 'v1.32.0-orrery';

/** `node-1` … `node-N` with the defaults above. */
export function uniformNodes(count: number, template: Omit<SimulatedNodeSpec, 'name'> = {}): SimulatedNodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ ...template, name: `node-${i + 1}` }));
}

/** The Node object a simulated kubelet registers: what a real kubelet would post at start-up. */
export function simulatedNodeObject(spec: SimulatedNodeSpec, index: number): KubeObject {
  const cpu = spec.cpu ?? '4';
  const memory = spec.memory ?? '16Gi';
  const pods = String(spec.pods ?? 110);
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': spec.name,
    'kubernetes.io/os': 'linux',
    ...(spec.zone ? { 'topology.kubernetes.io/zone': spec.zone } : {}),
    ...spec.labels,
  };
  const internalIp = `10.0.${Math.floor((index + 1) / 250)}.${((index + 1) % 250) + 1}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: spec.name, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'sim.orrery.dev/simulated': 'true' } },
    spec: {
      podCIDR: `10.244.${index % 256}.0/24`,
      podCIDRs: [`10.244.${index % 256}.0/24`],
      ...(spec.taints && spec.taints.length > 0 ? { taints: spec.taints } : {}),
    },
    status: {
      capacity: { cpu, memory, pods, 'ephemeral-storage': '100Gi' },
      allocatable: { cpu, memory, pods, 'ephemeral-storage': '100Gi' },
      addresses: [
        { type: 'InternalIP', address: internalIp },
        { type: 'Hostname', address: spec.name },
      ],
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        osImage: 'Orrery simulated node',
        kernelVersion: '6.1.0-orrery',
        containerRuntimeVersion: 'orrery-sim://1.0.0',
        kubeletVersion: SIMULATED_KUBELET_VERSION,
        kubeProxyVersion: SIMULATED_KUBELET_VERSION,
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
      conditions: [],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}
