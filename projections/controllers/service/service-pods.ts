import type { KubeObject } from '../../../core/model/object.ts';
import { selectorFromSet, matches } from '../../../core/model/labels.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { listObjects } from '../../state/queries.ts';
import { podsWithLabel } from '../replicaset/pod-index.ts';

/**
 * What the Endpoints and EndpointSlice controllers share: which pods back a Service and on which
 * ports (pkg/controller/util/endpoint and pkg/api/v1/pod FindPort).
 */

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
}

/** Services that select pods (a Service without a selector has user-managed endpoints). */
export function hasSelector(service: KubeObject): boolean {
  return (service.spec?.type ?? 'ClusterIP') !== 'ExternalName' && !!service.spec?.selector && Object.keys(service.spec.selector).length > 0;
}

/** Pods in the Service's namespace its selector matches, sorted by name. */
export function selectedPods(state: ClusterState, service: KubeObject): KubeObject[] {
  const selector: Record<string, string> = service.spec.selector;
  const namespace = service.metadata.namespace;
  const [key, value] = Object.entries(selector).sort(([a], [b]) => (a < b ? -1 : 1))[0]!;
  const compiled = selectorFromSet(selector);
  const pods: KubeObject[] = [];
  for (const pod of podsWithLabel(state, key, value)) {
    if (pod.metadata.namespace === namespace && matches(compiled, pod.metadata.labels)) pods.push(pod);
  }
  return pods.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
}

/** `ShouldPodBeInEndpoints`: it has an IP, is not finished, and (unless terminating ones are wanted) is not being deleted. */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

export function isPodReady(pod: KubeObject): boolean {
  return ((pod.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** `podutil.FindPort`: a numeric targetPort as is, a named one through the pod's container ports. */
export function findPort(pod: KubeObject, servicePort: any): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return /^\d+$/.test(String(target)) ? Number(target) : undefined;
}

/** The ports a pod serves this Service on, in the Service's port order (ports it cannot resolve are left out). */
export function podEndpointPorts(pod: KubeObject, service: KubeObject): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    const endpointPort: EndpointPort = { port, protocol: servicePort.protocol ?? 'TCP' };
    if (servicePort.name) endpointPort.name = servicePort.name;
    ports.push(endpointPort);
  }
  return ports;
}

/** The Services in a namespace whose selector matches these labels. */
export function servicesSelecting(state: ClusterState, namespace: string, labels: Record<string, string> | undefined): KubeObject[] {
  if (!labels) return [];
  return listObjects(state, 'Service', namespace).filter((s) => hasSelector(s) && matches(selectorFromSet(s.spec.selector), labels));
}

export const serviceKey = (service: KubeObject) => `${service.metadata.namespace}/${service.metadata.name}`;

export function podTargetRef(pod: KubeObject): Record<string, string> {
  return { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! };
}
