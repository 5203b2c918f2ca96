import { type Observable } from 'rxjs';
import type { KubeObject } from '../../../core/model/object.ts';
import { createPrng, hashSeed, randomSuffix } from '../../../core/prng.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { type Command, type CommandMeta, commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { newControllerRef } from '../replicaset/controller-ref.ts';
import { LABEL_ZONE } from '../scheduler/node-info.ts';
import { endpointsLabels } from './endpoints-controller.ts';
import { type EndpointPort, hasSelector, isPodReady, podEndpointPorts, podTargetRef, selectedPods, shouldPodBeInEndpoints } from './service-pods.ts';
import { NO_OUTPUTS } from '../per-event.ts';
import { createServiceRouter, serviceRouterInterest } from './service-router.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
/** The controller's default `--max-endpoints-per-slice`. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

interface SlicePort {
  name: string;
  port: number;
  protocol: string;
}

interface DesiredSlice {
  ports: SlicePort[];
  endpoints: Record<string, unknown>[];
}

const slicePorts = (ports: EndpointPort[]): SlicePort[] => ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol }));

/**
 * The endpoints of a Service as slices (pkg/controller/endpointslice): every pod with an IP that
 * has not finished, terminating ones included with their conditions (`ready` is never true for a
 * terminating pod unless publishNotReadyAddresses), grouped by the ports they resolve, at most 100
 * per slice. A Service with no endpoints keeps one empty placeholder slice.
 */
export function desiredSlices(state: ClusterState, service: KubeObject): DesiredSlice[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const servicePorts: unknown[] = service.spec?.ports ?? [];
  const groups = new Map<string, DesiredSlice>();
  for (const pod of selectedPods(state, service)) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = podEndpointPorts(pod, service);
    if (servicePorts.length > 0 && ports.length === 0) continue;
    const key = JSON.stringify(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports: slicePorts(ports), endpoints: [] }));
    const terminating = !!pod.metadata.deletionTimestamp;
    const serving = isPodReady(pod);
    const ready = (publishNotReady || serving) && (!terminating || publishNotReady);
    const endpoint: Record<string, unknown> = { addresses: [pod.status.podIP], conditions: { ready, serving, terminating }, targetRef: podTargetRef(pod) };
    if (pod.spec?.nodeName) {
      endpoint.nodeName = pod.spec.nodeName;
      const zone = getObject(state, 'Node', undefined, pod.spec.nodeName)?.metadata.labels?.[LABEL_ZONE];
      if (zone) endpoint.zone = zone;
    }
    group.endpoints.push(endpoint);
  }
  const slices: DesiredSlice[] = [];
  for (const [, group] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (let i = 0; i < group.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) slices.push({ ports: group.ports, endpoints: group.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
  }
  if (slices.length === 0) slices.push({ ports: [], endpoints: [] });
  return slices;
}

function sliceLabels(service: KubeObject): Record<string, string> {
  return { ...endpointsLabels(service), [SERVICE_NAME_LABEL]: service.metadata.name!, [MANAGED_BY_LABEL]: MANAGED_BY };
}

/** Slices this controller manages for a Service, by name. */
export function slicesOf(state: ClusterState, namespace: string, serviceName: string): KubeObject[] {
  return listObjects(state, 'EndpointSlice', namespace).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === serviceName && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY);
}

const sameContent = (slice: KubeObject, desired: DesiredSlice) => jsonEqual(slice.ports ?? [], desired.ports) && jsonEqual(slice.endpoints ?? [], desired.endpoints);

function syncService(state: ClusterState, key: string, meta: CommandMeta, position: number): Command[] {
  const slash = key.indexOf('/');
  const namespace = key.slice(0, slash);
  const name = key.slice(slash + 1);
  const service = getObject(state, 'Service', namespace, name);
  // Slices of a removed Service go with it through their owner reference (garbage collector).
  if (!service || !hasSelector(service) || service.metadata.deletionTimestamp) return [];
  const desired = desiredSlices(state, service);
  const labels = sliceLabels(service);
  const existing = slicesOf(state, namespace, name);
  const commands: Command[] = [];
  const unmatched = [...existing];
  const pending: DesiredSlice[] = [];
  // Slices whose content is already right stay as they are; the rest are rewritten in place,
  // created or deleted, so a pod change touches one slice.
  for (const slice of desired) {
    const same = unmatched.findIndex((s) => sameContent(s, slice));
    if (same < 0) pending.push(slice);
    else {
      const [kept] = unmatched.splice(same, 1);
      if (!jsonEqual(kept!.metadata.labels ?? {}, labels)) commands.push(update(kept!, slice, labels, meta));
    }
  }
  const prng = createPrng(hashSeed(state.seed, 'name', position, key));
  for (const slice of pending) {
    const reused = unmatched.shift();
    if (reused) {
      commands.push(update(reused, slice, labels, meta));
      continue;
    }
    let sliceName: string;
    do sliceName = `${name}-${randomSuffix(prng)}`;
    while (getObject(state, 'EndpointSlice', namespace, sliceName));
    const object: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: sliceName, generateName: `${name}-`, namespace, labels, ownerReferences: [newControllerRef(service)] },
      addressType: 'IPv4',
      endpoints: slice.endpoints,
      ports: slice.ports,
    };
    commands.push({ ...meta, type: 'create', object });
  }
  for (const extra of unmatched) {
    commands.push({ ...meta, type: 'delete', ref: { kind: 'EndpointSlice', namespace, name: extra.metadata.name! }, preconditions: { uid: extra.metadata.uid! } });
  }
  return commands;
}

function update(slice: KubeObject, desired: DesiredSlice, labels: Record<string, string>, meta: CommandMeta): Command {
  const object = clonePlain(slice);
  delete object.metadata.resourceVersion;
  object.metadata.labels = labels;
  object.endpoints = desired.endpoints;
  object.ports = desired.ports;
  return { ...meta, type: 'update', object };
}

/** The EndpointSlice controller: level-based, each affected Service resynced from the live state. */
export function createEndpointSliceController(): Controller {
  return {
    name: ENDPOINTSLICE_CONTROLLER,
    interest: serviceRouterInterest('EndpointSlice'),
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const router = createServiceRouter('EndpointSlice', ENDPOINTSLICE_CONTROLLER, (slice) => {
        const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
        return service && slice.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY ? `${slice.metadata.namespace}/${service}` : undefined;
      });
      return input$.pipe(
        reconcileEach(({ event, state }) => {
          const keys = router.affected(event, state);
          if (keys.length === 0) return NO_OUTPUTS;
          const meta = commandMetaFor(ENDPOINTSLICE_CONTROLLER, event);
          return keys.flatMap((key) => syncService(state, key, meta, event.position));
        }),
      );
    },
  };
}
