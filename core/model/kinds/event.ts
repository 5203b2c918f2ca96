import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { column, nameColumn, timestampSince } from './columns.ts';
import { fieldErrors } from '../field-errors.ts';

function firstSeen(event: KubeObject, now: number): string {
  return event.firstTimestamp ? timestampSince(event.firstTimestamp as string, now) : timestampSince(event.eventTime as string | undefined, now);
}

function lastSeen(event: KubeObject, now: number): string {
  const series = event.series as { lastObservedTime?: string } | undefined;
  if (series) return timestampSince(series.lastObservedTime, now);
  return event.lastTimestamp ? timestampSince(event.lastTimestamp as string, now) : firstSeen(event, now);
}

function eventCount(event: KubeObject): number {
  const series = event.series as { count?: number } | undefined;
  if (series) return series.count ?? 0;
  return (event.count as number | undefined) || 1;
}

function eventTarget(event: KubeObject): string {
  const involved = (event.involvedObject ?? {}) as { kind?: string; name?: string };
  const kind = (involved.kind ?? '').toLowerCase();
  return involved.name ? `${kind}/${involved.name}` : kind;
}

function eventSource(event: KubeObject): string {
  const source = (event.source ?? {}) as { component?: string; host?: string };
  const component = source.component || (event.reportingComponent as string | undefined) || '';
  const instance = source.host || (event.reportingInstance as string | undefined) || '';
  return instance ? `${component}, ${instance}` : component;
}

/** An events.k8s.io/v1 Event in core/v1 field names, as the API server converts it before printing. */
export function asCoreEvent(event: KubeObject): KubeObject {
  const core: KubeObject = { ...event };
  if (event.regarding !== undefined) core.involvedObject = event.regarding;
  if (event.note !== undefined) core.message = event.note;
  if (event.deprecatedFirstTimestamp !== undefined) core.firstTimestamp = event.deprecatedFirstTimestamp;
  if (event.deprecatedLastTimestamp !== undefined) core.lastTimestamp = event.deprecatedLastTimestamp;
  if (event.deprecatedCount !== undefined) core.count = event.deprecatedCount;
  if (event.deprecatedSource !== undefined) core.source = event.deprecatedSource;
  if (event.reportingController !== undefined) core.reportingComponent = event.reportingController;
  return core;
}

export const eventType = defineResourceType({
  kind: 'Event',
  group: '',
  version: 'v1',
  plural: 'events',
  shortNames: ['ev'],
  namespaced: true,
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.', (e, c) => lastSeen(e, c.now)),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future', (e) => (e.type as string) ?? ''),
    column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", (e) => (e.reason as string) ?? ''),
    column('Object', 'string', 'The object that this event is about.', eventTarget),
    column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', (e) => ((e.involvedObject as any)?.fieldPath as string) ?? '', 1),
    column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', eventSource, 1),
    column('Message', 'string', 'A human-readable description of the status of this operation.', (e) => String(e.message ?? '').trim()),
    column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', (e, c) => firstSeen(e, c.now), 1),
    column('Count', 'string', 'The number of times this event has occurred.', eventCount, 1),
    { ...nameColumn, priority: 1 },
  ],
  validateSpec(event) {
    const causes: StatusCause[] = [];
    const involved = event.involvedObject as { namespace?: string } | undefined;
    if (!involved) causes.push(fieldErrors.required('involvedObject'));
    if (event.type !== undefined && !['Normal', 'Warning'].includes(event.type as string)) causes.push(fieldErrors.notSupported('type', event.type, ['Normal', 'Warning']));
    if (involved?.namespace && event.metadata.namespace && involved.namespace !== event.metadata.namespace) {
      causes.push(fieldErrors.invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace'));
    }
    return causes;
  },
  specChanged: neverBumpsGeneration,
});

/** events.k8s.io/v1: the same objects under the newer field names; kubectl prints them with the same table. */
export const eventsV1Type = defineResourceType({
  kind: 'Event',
  group: 'events.k8s.io',
  version: 'v1',
  plural: 'events',
  // Only core/v1 Events answer to `ev`, as in Kubernetes; a second claim makes kubectl warn.
  shortNames: [],
  namespaced: true,
  columns: [],
  specChanged: neverBumpsGeneration,
});
eventsV1Type.columns = eventType.columns.map((column) => ({ ...column, cell: (event, context) => column.cell(asCoreEvent(event), context) }));
