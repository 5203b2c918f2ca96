import type { ContainerStatusUpdate, OrreryEvent } from '../../core/events.ts';

const NONE: readonly ContainerStatusUpdate[] = [];

/**
 * The container state changes an event carries, in the order they apply: a ContainerStateChanged's
 * one, or those a PodPhaseChanged writes in the same pod status update (after its phase). Older logs
 * write them as separate events, newer ones merged: readers go through this to read both alike.
 */
export function containerUpdatesOf(event: OrreryEvent): readonly ContainerStatusUpdate[] {
  if (event.type === 'ContainerStateChanged') return [event.data];
  if (event.type === 'PodPhaseChanged') return event.data.containers ?? NONE;
  return NONE;
}

/**
 * Whether an event answers to `type` when someone looks for events of a type (a breakpoint, a filter):
 * its own, or ContainerStateChanged for a PodPhaseChanged that carries container changes.
 */
export function hasEventType(event: OrreryEvent, type: string): boolean {
  return event.type === type || (type === 'ContainerStateChanged' && containerUpdatesOf(event).length > 0);
}
