import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../../projections/cluster-state.ts';
import type { ObjectChange } from '../watch/object-changes.ts';
import { eventFactsOf, kubeEventOf } from './events-from-log.ts';

export interface KubeEventLog {
  /** Projects one log event (already applied, with its object changes) into Events; returns the new ones. */
  record(event: StoredEvent, changes: ObjectChange[], state: ClusterState): KubeObject[];
  list(namespace?: string): KubeObject[];
  get(namespace: string, name: string): KubeObject | undefined;
}

/** The projected Events, keyed `ns/name`; like the apiserver's event TTL, only the newest `limit` are kept. */
export function createKubeEventLog(limit = 20_000): KubeEventLog {
  const events = new Map<string, KubeObject>();
  return {
    record(event, changes, state) {
      const created = eventFactsOf(event, changes, state).map((fact, i) => kubeEventOf(fact, event, i));
      for (const kubeEvent of created) {
        events.set(`${kubeEvent.metadata.namespace}/${kubeEvent.metadata.name}`, kubeEvent);
        if (events.size > limit) events.delete(events.keys().next().value!);
      }
      return created;
    },
    list(namespace) {
      const all = [...events.values()];
      return namespace ? all.filter((e) => e.metadata.namespace === namespace) : all;
    },
    get(namespace, name) {
      return events.get(`${namespace}/${name}`);
    },
  };
}
