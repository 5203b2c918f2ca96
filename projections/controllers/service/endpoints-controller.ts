import { type Observable } from 'rxjs';
import type { KubeObject } from '../../../core/model/object.ts';
import { type Command, type CommandMeta, commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { type EndpointPort, hasSelector, isPodReady, podEndpointPorts, podTargetRef, selectedPods, shouldPodBeInEndpoints } from './service-pods.ts';
import { NO_OUTPUTS } from '../per-event.ts';
import { createServiceRouter, serviceRouterInterest } from './service-router.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export const ENDPOINTS_CONTROLLER = 'endpoint-controller';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

interface Address {
  ip: string;
  nodeName?: string;
  targetRef: Record<string, string>;
}

interface Subset {
  addresses?: Address[];
  notReadyAddresses?: Address[];
  ports?: EndpointPort[];
}

/**
 * The Endpoints of a Service with a selector (pkg/controller/endpoint): one address per pod with an
 * IP, ready pods under `addresses` and the others under `notReadyAddresses` (all under `addresses`
 * with publishNotReadyAddresses), pods that resolve the same ports grouped in one subset
 * (`RepackSubsets`), addresses sorted by IP. Terminating pods are left out.
 */
export function desiredSubsets(state: ReconcileInput['state'], service: KubeObject): Subset[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, { ports: EndpointPort[]; ready: Address[]; notReady: Address[] }>();
  const servicePorts: unknown[] = service.spec?.ports ?? [];
  for (const pod of selectedPods(state, service)) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ports = podEndpointPorts(pod, service);
    if (servicePorts.length > 0 && ports.length === 0) continue;
    const key = JSON.stringify(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, ready: [], notReady: [] }));
    const address: Address = { ip: pod.status.podIP, targetRef: podTargetRef(pod) };
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    (publishNotReady || isPodReady(pod) ? group.ready : group.notReady).push(address);
  }
  const byIp = (a: Address, b: Address) => compareIps(a.ip, b.ip) || (a.targetRef.uid! < b.targetRef.uid! ? -1 : 1);
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, group]) => {
      const subset: Subset = {};
      if (group.ready.length) subset.addresses = group.ready.sort(byIp);
      if (group.notReady.length) subset.notReadyAddresses = group.notReady.sort(byIp);
      if (group.ports.length) subset.ports = group.ports;
      return subset;
    });
}

export function compareIps(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export function endpointsLabels(service: KubeObject): Record<string, string> {
  const labels: Record<string, string> = { ...service.metadata.labels };
  if (service.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** `serviceRemoved`: the Service's own removal is being handled (Endpoints without a Service may be someone's own). */
function syncService(state: ReconcileInput['state'], key: string, meta: CommandMeta, serviceRemoved: boolean): Command[] {
  const slash = key.indexOf('/');
  const namespace = key.slice(0, slash);
  const name = key.slice(slash + 1);
  const service = getObject(state, 'Service', namespace, name);
  const existing = getObject(state, 'Endpoints', namespace, name);
  if (!service) {
    if (!existing || !serviceRemoved) return [];
    return [{ ...meta, type: 'delete', ref: { kind: 'Endpoints', namespace, name }, preconditions: { uid: existing.metadata.uid! } }];
  }
  if (!hasSelector(service) || service.metadata.deletionTimestamp) return [];
  const subsets = desiredSubsets(state, service);
  const labels = endpointsLabels(service);
  const metadataLabels = Object.keys(labels).length ? labels : undefined;
  if (!existing) {
    const object: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    if (metadataLabels) object.metadata.labels = metadataLabels;
    if (subsets.length) object.subsets = subsets;
    return [{ ...meta, type: 'create', object }];
  }
  if (jsonEqual(existing.subsets ?? [], subsets) && jsonEqual(existing.metadata.labels ?? {}, labels)) return [];
  const object = clonePlain(existing);
  delete object.metadata.resourceVersion;
  if (metadataLabels) object.metadata.labels = metadataLabels;
  else delete object.metadata.labels;
  if (subsets.length) object.subsets = subsets;
  else delete object.subsets;
  return [{ ...meta, type: 'update', object }];
}

/** The Endpoints controller: level-based, each affected Service resynced from the live state. */
export function createEndpointsController(): Controller {
  return {
    name: ENDPOINTS_CONTROLLER,
    interest: serviceRouterInterest('Endpoints'),
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const router = createServiceRouter('Endpoints', ENDPOINTS_CONTROLLER, (endpoints) => `${endpoints.metadata.namespace}/${endpoints.metadata.name}`);
      return input$.pipe(
        reconcileEach(({ event, state }) => {
          const keys = router.affected(event, state);
          if (keys.length === 0) return NO_OUTPUTS;
          const meta = commandMetaFor(ENDPOINTS_CONTROLLER, event);
          const removed = event.type === 'ObjectRemoved' && event.data.ref.kind === 'Service' ? `${event.data.ref.namespace}/${event.data.ref.name}` : undefined;
          return keys.flatMap((key) => syncService(state, key, meta, key === removed));
        }),
      );
    },
  };
}
