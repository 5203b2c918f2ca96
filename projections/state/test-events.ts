import type { EventMetadata, OrreryEvent, StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';

/** Test helpers: hand-written histories with positions, streams and times filled in. */

export const T0 = Date.UTC(2026, 0, 1);

export function history(...entries: Array<OrreryEvent | [OrreryEvent, Partial<EventMetadata>]>): StoredEvent[] {
  let time = T0;
  return entries.map((entry, i) => {
    const [event, meta] = Array.isArray(entry) ? entry : [entry, {}];
    time = meta.time ?? time;
    return { ...event, metadata: { actor: 'test', ...meta, time }, stream: 'test', streamRevision: i, position: i + 1 } as StoredEvent;
  });
}

export function pod(name: string, extra: { namespace?: string; labels?: Record<string, string>; nodeName?: string; uid?: string; owner?: string; initContainers?: string[]; containers?: string[] } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: extra.namespace ?? 'default',
      uid: extra.uid ?? `uid-${name}`,
      ...(extra.labels ? { labels: extra.labels } : {}),
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: extra.owner, controller: true }] } : {}),
    },
    spec: {
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
      ...(extra.initContainers ? { initContainers: extra.initContainers.map((c) => ({ name: c, image: 'busybox' })) } : {}),
      containers: (extra.containers ?? ['app']).map((c) => ({ name: c, image: 'nginx:1.27' })),
    },
    status: { phase: 'Pending' },
  };
}

export function node(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}` }, spec: {}, status: { conditions: [] } };
}
