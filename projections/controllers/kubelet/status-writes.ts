import type { ContainerStatusUpdate, EventOfType, OrreryEvent } from '../../../core/events.ts';

/**
 * One pod's status facts of one instant, written as the real kubelet's status manager writes them:
 * the phase and the container states of one status update together, one PodPhaseChanged carrying
 * its `containers`, so watchers and controllers see one change per update instead of one per field.
 * Each phase report takes the container changes that follow it, and the first one also those
 * before it (applied after the phase, which leaves the same status: the conditions they derive are
 * computed from the final phase and statuses, at the same instant). Container changes with no phase
 * report at that instant stay ContainerStateChanged events; anything else is left as it is.
 */
export function mergeStatusWrites(events: OrreryEvent[]): OrreryEvent[] {
  if (events.length < 2) return events;
  let phases = 0;
  for (const event of events) {
    if (event.type === 'PodPhaseChanged') phases++;
    else if (event.type !== 'ContainerStateChanged') return events;
  }
  if (phases === 0 || phases === events.length) return events;
  const merged: OrreryEvent[] = [];
  const leading: ContainerStatusUpdate[] = [];
  let current: EventOfType<'PodPhaseChanged'> | undefined;
  for (const event of events) {
    if (event.type === 'PodPhaseChanged') {
      const containers = [...(current === undefined ? leading : []), ...(event.data.containers ?? [])];
      current = { type: 'PodPhaseChanged', data: { ...event.data, containers } };
      merged.push(current);
    } else if (event.type === 'ContainerStateChanged') {
      const { ref: _ref, ...update } = event.data;
      (current ? current.data.containers! : leading).push(update);
    }
  }
  for (const event of merged) if (event.type === 'PodPhaseChanged' && event.data.containers!.length === 0) delete event.data.containers;
  return merged;
}
