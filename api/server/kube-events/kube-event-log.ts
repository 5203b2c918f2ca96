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
  // Insertion order, for evicting the oldest; a Map's own first key gets slow to find after many deletes.
  const order: string[] = [];
  let oldest = 0;
  return {
    record(event, changes, state) {
      const facts = eventFactsOf(event, changes, state);
      if (facts.length === 0) return facts as never[];
      const created = facts.map((fact, i) => kubeEventOf(fact, event, i));
      for (const kubeEvent of created) {
        const key = `${kubeEvent.metadata.namespace}/${kubeEvent.metadata.name}`;
        events.set(key, kubeEvent);
        order.push(key);
        while (events.size > limit) events.delete(order[oldest++]!);
        if (oldest > limit) {
          order.splice(0, oldest);
          oldest = 0;
        }
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
