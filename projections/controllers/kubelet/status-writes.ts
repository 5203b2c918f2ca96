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
  let leading: ContainerStatusUpdate[] | undefined;
  // The last phase report (its place in `merged`), and its container list once it has been copied to take more.
  let phaseAt = -1;
  let containers: ContainerStatusUpdate[] | undefined;
  for (const event of events) {
    if (event.type === 'PodPhaseChanged') {
      phaseAt = merged.length;
      containers = undefined;
      if (leading !== undefined) {
        containers = event.data.containers ? leading.concat(event.data.containers) : leading;
        leading = undefined;
        merged.push({ type: 'PodPhaseChanged', data: phaseWithContainers(event.data, containers) });
      } else merged.push(event);
    } else if (event.type === 'ContainerStateChanged') {
      const update = updateOf(event.data);
      if (phaseAt < 0) (leading ??= []).push(update);
      else {
        if (containers === undefined) {
          const report = merged[phaseAt] as EventOfType<'PodPhaseChanged'>;
          containers = report.data.containers ? report.data.containers.slice() : [];
          merged[phaseAt] = { type: 'PodPhaseChanged', data: phaseWithContainers(report.data, containers) };
        }
        containers.push(update);
      }
    }
  }
  // Lists built by push keep room for 16 more: the log keeps these for good, so at their length.
  for (const event of merged) if (event.type === 'PodPhaseChanged' && event.data.containers !== undefined && !events.includes(event)) event.data.containers = event.data.containers.slice();
  return merged;
}

/** The change without its pod, fields in the same order (built by hand: a rest pattern copies through a slow generic path). */
function updateOf(data: EventOfType<'ContainerStateChanged'>['data']): ContainerStatusUpdate {
  const { container, state, lastState, ready, started, restartCount, reason, message } = data;
  // Every field in the literal, so the object holds them all in place (one added later takes a separate store).
  let update: ContainerStatusUpdate;
  if (lastState === undefined) update = reason === undefined ? { container, state, ready, started, restartCount } : { container, state, ready, started, restartCount, reason };
  else update = reason === undefined ? { container, state, lastState, ready, started, restartCount } : { container, state, lastState, ready, started, restartCount, reason };
  if (message !== undefined) update.message = message;
  return update;
}

type PhaseReport = EventOfType<'PodPhaseChanged'>['data'];

/**
 * The report with its container list, as a literal with every field for the kubelet's shapes: a spread
 * plus a field gave every such object a hidden class of its own (~200 B each, kept with the log).
 */
function phaseWithContainers(data: PhaseReport, containers: ContainerStatusUpdate[]): PhaseReport {
  const { ref, phase, reason, message, podIP, hostIP } = data;
  if (reason === undefined && message === undefined) {
    if (hostIP !== undefined) return podIP !== undefined ? { ref, phase, hostIP, podIP, containers } : { ref, phase, hostIP, containers };
    if (podIP === undefined) return { ref, phase, containers };
  }
  return { ...data, containers };
}
