import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { ControllerInterest } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { emptySet, sortedMembers } from '../per-event.ts';
import { hasSelector, serviceKey, servicesSelecting } from './service-pods.ts';

/** Pod events that may change an address: its IP and phase, its readiness, its eviction. */
const POD_STATUS_EVENTS = new Set(['PodPhaseChanged', 'ContainerStateChanged', 'PodEvicted']);
const REF_EVENTS = new Set(['ObjectStatusReplaced', 'ObjectDeletionRequested', 'ObjectRemoved']);

export interface ServiceRouter {
  /** `ns/name` of the Services an event may concern, sorted. */
  affected(event: StoredEvent, state: ClusterState): readonly string[];
}

/** The events `affected` may name a Service for, as a controller interest (Controller.interest). */
export function serviceRouterInterest(ownedKind: string): ControllerInterest {
  return { events: ['ObjectCreated', 'ObjectReplaced', ...REF_EVENTS, ...POD_STATUS_EVENTS], kinds: ['Service', 'Pod', ownedKind] };
}

/**
 * Which Services to resync for an event, for the Endpoints and EndpointSlice controllers: the
 * Service itself; for a pod, the Services selecting it now and those that selected it when last
 * seen (so a relabelled or removed pod leaves them); for an object the controller writes
 * (`ownedKind`), the Service it belongs to when someone else changed or removed it.
 */
export function createServiceRouter(ownedKind: string, actor: string, serviceOfOwned: (object: KubeObject) => string | undefined): ServiceRouter {
  const podServices = new Map<string, string[]>();
  const ownedService = new Map<string, string>();
  let started = false;
  let keys = new Set<string>();

  function routePod(state: ClusterState, ref: ObjectRef, keys: Set<string>): void {
    // No Service selected the pod when last seen and none exists to select it now: nothing to route or remember.
    if (podServices.size === 0 && !state.objects.get('Service')?.size) return;
    const podKey = `${ref.namespace}/${ref.name}`;
    for (const key of podServices.get(podKey) ?? []) keys.add(key);
    const pod = getObject(state, 'Pod', ref.namespace, ref.name);
    if (!pod) {
      podServices.delete(podKey);
      return;
    }
    const now = servicesSelecting(state, ref.namespace ?? '', pod.metadata.labels).map(serviceKey);
    if (now.length) podServices.set(podKey, now);
    else podServices.delete(podKey);
    for (const key of now) keys.add(key);
  }

  function routeOwned(state: ClusterState, ref: ObjectRef, event: StoredEvent, keys: Set<string>): void {
    const objectKey = `${ref.namespace}/${ref.name}`;
    const object = getObject(state, ownedKind, ref.namespace, ref.name);
    const service = object ? serviceOfOwned(object) : ownedService.get(objectKey);
    if (object && service) ownedService.set(objectKey, service);
    if (!object) ownedService.delete(objectKey);
    if (service && event.metadata.actor !== actor) keys.add(service);
  }

  return {
    affected(event, state) {
      keys = emptySet(keys);
      if (!started) {
        started = true;
        for (const service of listObjects(state, 'Service')) if (hasSelector(service)) keys.add(serviceKey(service));
      }
      let ref: ObjectRef | undefined;
      if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
        const object: KubeObject = event.data.object;
        ref = { kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name! };
      } else if (REF_EVENTS.has(event.type) || POD_STATUS_EVENTS.has(event.type)) {
        ref = (event.data as { ref: ObjectRef }).ref;
      }
      if (!ref) return sortedMembers(keys);
      if (ref.kind === 'Service' && event.type !== 'ObjectStatusReplaced') keys.add(`${ref.namespace}/${ref.name}`);
      else if (ref.kind === 'Pod') routePod(state, ref, keys);
      else if (ref.kind === ownedKind) routeOwned(state, ref, event, keys);
      return sortedMembers(keys);
    },
  };
}
