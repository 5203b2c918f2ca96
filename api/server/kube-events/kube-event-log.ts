import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../../projections/cluster-state.ts';
import type { ObjectChange } from '../watch/object-changes.ts';
import { type EventFact, eventFactsOf, kubeEventOf } from './events-from-log.ts';

/**
 * One Event a log event changed: new (no `before`), a repeat counted on an existing one, or gone
 * with its namespace (no `after`).
 */
export type KubeEventChange = { before?: KubeObject; after: KubeObject } | { before: KubeObject; after?: undefined };

export interface KubeEventLog {
  /** Projects one log event (already applied, with its object changes) into Events. */
  record(event: StoredEvent, changes: ObjectChange[], state: ClusterState): KubeEventChange[];
  list(namespace?: string): KubeObject[];
  get(namespace: string, name: string): KubeObject | undefined;
}

/** The recorder's aggregation key: the same thing said again about the same object by the same component. */
function repeatKey(fact: EventFact): string {
  return [fact.involved.metadata.uid ?? fact.involved.metadata.name, fact.fieldPath ?? '', fact.reason, fact.message, fact.component, fact.host ?? ''].join('\u0000');
}

/**
 * The projected Events, keyed `ns/name`. Like client-go's event recorder, a repeat of an Event
 * (same object, reason, message and source) bumps its count and lastTimestamp instead of adding
 * another. Like the apiserver's event TTL, only the newest `limit` are kept.
 */
export function createKubeEventLog(limit = 20_000): KubeEventLog {
  const events = new Map<string, KubeObject>();
  const byRepeatKey = new Map<string, string>();
  const repeatKeyOf = new Map<string, string>();
  // Insertion order, for evicting the oldest; a Map's own first key gets slow to find after many deletes.
  const order: string[] = [];
  let oldest = 0;

  function evict(): void {
    while (events.size > limit) {
      const key = order[oldest++]!;
      events.delete(key);
      const repeat = repeatKeyOf.get(key);
      repeatKeyOf.delete(key);
      if (repeat !== undefined && byRepeatKey.get(repeat) === key) byRepeatKey.delete(repeat);
    }
    if (oldest > limit) {
      order.splice(0, oldest);
      oldest = 0;
    }
  }

  /** A namespace's Events go with it, as the namespace controller deletes them in Kubernetes. */
  function removeNamespace(namespace: string): KubeEventChange[] {
    const removed: KubeEventChange[] = [];
    for (const [key, kubeEvent] of events) {
      if (kubeEvent.metadata.namespace !== namespace) continue;
      events.delete(key);
      const repeat = repeatKeyOf.get(key);
      repeatKeyOf.delete(key);
      if (repeat !== undefined && byRepeatKey.get(repeat) === key) byRepeatKey.delete(repeat);
      removed.push({ before: kubeEvent });
    }
    return removed;
  }

  return {
    record(event, changes, state) {
      if (event.type === 'ObjectRemoved' && event.data.ref.kind === 'Namespace') return removeNamespace(event.data.ref.name);
      const facts = eventFactsOf(event, changes, state);
      if (facts.length === 0) return [];
      const written: KubeEventChange[] = [];
      facts.forEach((fact, i) => {
        const repeat = repeatKey(fact);
        const existingKey = byRepeatKey.get(repeat);
        const existing = existingKey ? events.get(existingKey) : undefined;
        if (existing && existingKey) {
          const after: KubeObject = {
            ...existing,
            metadata: { ...existing.metadata, resourceVersion: String(event.position) },
            count: Number(existing.count ?? 1) + 1,
            lastTimestamp: toRfc3339(event.metadata.time),
          };
          events.set(existingKey, after);
          written.push({ before: existing, after });
          return;
        }
        const created = kubeEventOf(fact, event, i);
        const key = `${created.metadata.namespace}/${created.metadata.name}`;
        events.set(key, created);
        byRepeatKey.set(repeat, key);
        repeatKeyOf.set(key, repeat);
        order.push(key);
        written.push({ after: created });
      });
      evict();
      return written;
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
