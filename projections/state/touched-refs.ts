import type { StoredEvent } from '../../core/events.ts';
import { type ObjectRef, streamOf } from '../../core/model/object.ts';
import { NODE_LEASE_NAMESPACE } from './reducer.ts';

function leaseOf(node: string): ObjectRef {
  return { kind: 'Lease', namespace: NODE_LEASE_NAMESPACE, name: node };
}

/**
 * The objects the reducer may change when it applies `event`: the one its stream names, plus the
 * node Leases a heartbeat renews or a registering node takes. A heartbeat changes no object of its
 * own stream (the cluster stream), only the Leases.
 */
export function refsTouchedBy(event: StoredEvent): ObjectRef[] {
  if (event.type === 'NodeHeartbeat') return event.data.nodes.map(leaseOf);
  const parts = event.stream.split('/');
  if (parts.length < 2) return [];
  const ref: ObjectRef = parts.length >= 3 ? { kind: parts[0]!, namespace: parts[1]!, name: parts.slice(2).join('/') } : { kind: parts[0]!, name: parts[1]! };
  if (event.type === 'NodeRegistered') return [ref, leaseOf(ref.name)];
  return [ref];
}

/** The event's own stream and the streams of every object it may change (an object's history includes both). */
export function streamsTouchedBy(event: StoredEvent): string[] {
  const streams = [event.stream];
  for (const ref of refsTouchedBy(event)) {
    const stream = streamOf(ref);
    if (stream !== event.stream) streams.push(stream);
  }
  return streams;
}
