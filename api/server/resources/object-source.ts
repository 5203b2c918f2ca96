import { apiErrors } from '../../../core/errors.ts';
import { type KubeObject, objectKey } from '../../../core/model/object.ts';
import type { ResourceType } from '../../../core/model/resource-type.ts';
import type { ClusterState } from '../../../projections/cluster-state.ts';
import type { ApiContext } from '../api-context.ts';
import { computedObjects } from '../metrics/metrics-objects.ts';
import type { Query } from './request-scope.ts';

/** Where reads come from: the live state, a rebuilt past state (Exact), or the projected Events. */
export interface ReadView {
  resourceVersion: string;
  /** Undefined when absent; a computed kind (metrics.k8s.io) throws the NotFound its server words. */
  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Sorted by key (`ns/name`), Kubernetes' list order. */
  list(type: ResourceType, namespace: string | undefined): Array<{ key: string; object: KubeObject }>;
}

function stateView(context: ApiContext, state: ClusterState): ReadView {
  return {
    resourceVersion: String(state.position),
    get(type, namespace, name) {
      // Computed kinds (metrics.k8s.io) come from the same state, computed as they are read.
      if (type.computed) return computedObjects(type, state).get(namespace, name);
      const stored = state.objects.get(type.kind)?.get(objectKey(type.namespaced ? namespace : undefined, name));
      if (type.kind === 'Event') return stored ?? context.hub.kubeEvents.get(namespace ?? '', name);
      return stored;
    },
    list(type, namespace) {
      if (type.computed) return computedObjects(type, state).list(type.namespaced ? namespace : undefined);
      const entries: Array<{ key: string; object: KubeObject }> = [];
      if (type.kind === 'Event') {
        for (const object of context.hub.kubeEvents.list(namespace)) entries.push({ key: `${object.metadata.namespace}/${object.metadata.name}`, object });
      }
      const prefix = namespace && type.namespaced ? `${namespace}/` : undefined;
      for (const [key, object] of state.objects.get(type.kind) ?? []) if (!prefix || key.startsWith(prefix)) entries.push({ key, object });
      return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
  };
}

/**
 * The view a read's `resourceVersion`/`resourceVersionMatch` select: the live state for "" / "0" /
 * NotOlderThan, the state exactly at that position for Exact (a single GET with a resourceVersion
 * is served the same way, since the log keeps every position).
 */
export async function readViewFor(context: ApiContext, query: Query, single: boolean): Promise<ReadView> {
  const rv = query.resourceVersion;
  const match = query.resourceVersionMatch;
  if (match !== undefined && match !== '' && match !== 'Exact' && match !== 'NotOlderThan') {
    throw apiErrors.badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  }
  if (match && !rv) throw apiErrors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) throw apiErrors.badRequest(`invalid resource version "${rv}"`);
  const live = stateView(context, context.cluster.state);
  // The live state is the state at its own position: no rebuild needed.
  if (rv && Number(rv) === context.cluster.state.position) return live;
  if (match === 'Exact') {
    if (rv === '0') throw apiErrors.badRequest('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    return stateView(context, await context.history.stateAt(Number(rv)));
  }
  if (single && match === undefined && rv && rv !== '0' && Number(rv) < context.cluster.state.position) {
    return stateView(context, await context.history.stateAt(Number(rv)));
  }
  return live;
}

/**
 * Projected Events come from the watch hub, which follows durable events and so may trail the live
 * state by a group commit: reads of Events wait (briefly) for it to reach the live position.
 */
export async function eventsCaughtUp(context: ApiContext): Promise<void> {
  const target = context.cluster.state.position;
  if (context.hub.position() >= target) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([context.hub.reached(target), new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
  clearTimeout(timer);
}
