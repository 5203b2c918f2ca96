import type { KubeStatus, StatusCause, StatusDetails, StatusReason } from '../../core/errors.ts';
import type { EventMetadata, NodeVerdict, PodPhase, SchedulingDecision, VerdictTable } from '../../core/events.ts';
import type { ObjectRef } from '../../core/model/object.ts';
import type { Breakpoint } from '../service/breakpoints.ts';
import type { EventKind, EventSummary } from '../service/event-summary.ts';
import type { PodExplanation } from '../service/explain.ts';
import type { InvariantFailure, InvariantFailures } from '../service/invariant-scan.ts';
import type { Comparison, ForkRequest, OpenSource, VerifyResult } from '../service/replay-service.ts';
import type { Edit, EditEvent } from '../service/rerun.ts';
import type { Cursor, DensityBucket, Marker, ReplaySession, RunResult, SessionInfo, SessionSource } from '../service/session.ts';
import type { FieldChange, StateDiff } from '../service/state-diff.ts';
import type { NodeSummary, PodSummary, StateSummary } from '../service/state-summary.ts';
import type { OpenApiDocument, Operation, Parameter, Reference, RequestBody, Response, SchemaObject, SchemaOrRef } from './openapi-types.ts';

/*
 * The replay HTTP API (replay-routes.ts) as an OpenAPI 3.0 document. Each schema is built from the
 * TypeScript type the service answers with (`shape<T>` makes the compiler insist on exactly T's
 * properties, optional ones marked), and replay-openapi.test.ts checks that every registered route
 * is described and that real answers validate, so the document cannot drift from the code.
 */

/** A property the type may leave out. */
interface Optional {
  optional: SchemaOrRef;
}

type Fields<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? Optional : SchemaOrRef };

const optional = (schema: SchemaOrRef): Optional => ({ optional: schema });

/**
 * An object schema with exactly T's properties. Answers are `closed` (no other properties: a field
 * the code adds without documenting it fails the tests); request bodies stay open, as the server
 * ignores fields it does not know.
 */
function shape<T>(description: string, fields: Fields<T>, closed = true): SchemaObject {
  const properties: Record<string, SchemaOrRef> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(fields as Record<string, SchemaOrRef | Optional>)) {
    if ('optional' in field) properties[name] = field.optional;
    else {
      properties[name] = field;
      required.push(name);
    }
  }
  return { type: 'object', description, properties, ...(required.length > 0 ? { required } : {}), ...(closed ? { additionalProperties: false } : {}) };
}

/** Every member of a string union, listed once: the compiler rejects a missing or unknown one. */
function members<T extends string>(all: Record<T, true>): T[] {
  return Object.keys(all) as T[];
}

const ref = (schema: string): Reference => ({ $ref: `#/components/schemas/${schema}` });
const literal = (value: string | boolean): SchemaObject => ({ type: typeof value === 'boolean' ? 'boolean' : 'string', enum: [value] });
const string = (description?: string): SchemaObject => ({ type: 'string', ...(description ? { description } : {}) });
const integer = (description?: string): SchemaObject => ({ type: 'integer', ...(description ? { description } : {}) });
const boolean = (description?: string): SchemaObject => ({ type: 'boolean', ...(description ? { description } : {}) });
const number = (description?: string): SchemaObject => ({ type: 'number', ...(description ? { description } : {}) });
const arrayOf = (items: SchemaOrRef, description?: string): SchemaObject => ({ type: 'array', items, ...(description ? { description } : {}) });
const mapOf = (values: SchemaOrRef, description?: string): SchemaObject => ({ type: 'object', additionalProperties: values, ...(description ? { description } : {}) });
const anything = (description: string): SchemaObject => ({ description });
const position = (description = 'Log position (1-based; 0 is before the first event).'): SchemaObject => ({ type: 'integer', minimum: 0, description });
const time = (description = 'RFC 3339 virtual time.'): SchemaObject => ({ type: 'string', format: 'date-time', description });

/** A union of object schemas told apart by one string property. */
function union(description: string, propertyName: string, variants: Record<string, string>): SchemaObject {
  return {
    description,
    oneOf: Object.values(variants).map(ref),
    discriminator: { propertyName, mapping: Object.fromEntries(Object.entries(variants).map(([value, schema]) => [value, `#/components/schemas/${schema}`])) },
  };
}

type Member<U, K extends string, V> = Extract<U, Record<K, V>>;
type EventPage = ReturnType<ReplaySession['events']>;
type EventDetail = ReturnType<ReplaySession['event']>;
type Density = ReturnType<ReplaySession['density']>;
type MarkerList = ReturnType<ReplaySession['markers']>;
type CausationChain = ReturnType<ReplaySession['explainEvent']>;
type ObjectChange = StateDiff['changed'][number];
type VerdictGroup = VerdictTable['groups'][number];

const eventKinds = members<EventKind>({ user: true, fault: true, controller: true, kubelet: true, clock: true, system: true });
const podPhases = members<PodPhase>({ Pending: true, Running: true, Succeeded: true, Failed: true, Unknown: true });

const schemas: Record<string, SchemaObject> = {
  Status: shape<KubeStatus>('A metav1.Status: how every error is answered (400 bad request, 404 unknown session, object, event or pod, 413/415 for unusable bodies, 500).', {
    kind: literal('Status'),
    apiVersion: literal('v1'),
    metadata: { type: 'object', additionalProperties: false },
    status: { type: 'string', enum: ['Failure', 'Success'] },
    message: string('What went wrong, for a person to read.'),
    reason: { type: 'string', enum: members<StatusReason>({ BadRequest: true, NotFound: true, AlreadyExists: true, Conflict: true, Invalid: true, Forbidden: true, MethodNotAllowed: true, NotAcceptable: true, UnsupportedMediaType: true, RequestEntityTooLarge: true, TooManyRequests: true, Gone: true, Unauthorized: true, InternalError: true, Timeout: true, '': true }), description: 'Machine-readable reason (StatusReason).' },
    details: optional(ref('StatusDetails')),
    code: integer('The HTTP status code.'),
  }),
  StatusDetails: shape<StatusDetails>('Extra data about the error.', {
    name: optional(string()),
    group: optional(string()),
    kind: optional(string()),
    uid: optional(string()),
    causes: optional(arrayOf(ref('StatusCause'))),
    retryAfterSeconds: optional(integer()),
  }),
  StatusCause: shape<StatusCause>('One cause of an error.', { reason: optional(string()), message: string(), field: optional(string()) }),

  OpenSessionRequest: shape<{ source: OpenSource }>('What to open.', { source: ref('OpenSource') }, false),
  OpenSource: union('The recording to open.', 'type', { live: 'LiveSource', dir: 'DirSource', file: 'FileSource', esdb: 'EsdbSource' }),
  LiveSource: shape<Member<OpenSource, 'type', 'live'>>("The server's own log (live sessions catch up with it on each request).", { type: literal('live') }, false),
  DirSource: shape<Member<OpenSource, 'type', 'dir'>>('An embedded event log directory.', { type: literal('dir'), path: string('Directory on the server.') }, false),
  FileSource: shape<Member<OpenSource, 'type', 'file'>>('An exported recording (`.orrec`).', { type: literal('file'), path: string('File on the server.') }, false),
  EsdbSource: shape<Member<OpenSource, 'type', 'esdb'>>('An EventStoreDB log.', { type: literal('esdb'), url: string('Connection string, e.g. `esdb://host:2113?tls=false`.') }, false),
  Session: shape<SessionInfo>('One recording opened for inspection, with its own cursor.', {
    id: string('Session id, e.g. `s1`.'),
    source: ref('SessionSource'),
    head: position('Last position of the recording.'),
    startTime: time('Time of the first event.'),
    endTime: time('Time of the last event.'),
    cursor: ref('Cursor'),
  }),
  SessionSource: shape<SessionSource>('Where the session came from.', {
    type: { type: 'string', enum: members<SessionSource['type']>({ live: true, dir: true, file: true, esdb: true, import: true, fork: true, events: true }) },
    path: optional(string('Directory or file (dir, file).')),
    url: optional(string('Connection string (esdb).')),
    parent: optional(string('Session forked from (fork).')),
    forkedAt: optional(position('Position the fork branched at (fork).')),
  }),
  SessionList: shape<{ items: SessionInfo[] }>('Every open session.', { items: arrayOf(ref('Session')) }),
  Deleted: shape<{ deleted: true }>('The session was closed.', { deleted: literal(true) }),

  Cursor: shape<Cursor>('Where a session stands: the state "at" a position is the cluster just after that event.', {
    position: position(),
    time: time('Time of the event at the cursor (of the first event at position 0).'),
    event: optional(ref('EventSummary')),
  }),
  EventSummary: shape<EventSummary>('One event, in a line.', {
    position: position(),
    type: string('Event type, e.g. `PodScheduled`.'),
    stream: string('Stream the event belongs to, e.g. `Pod/default/web-1`.'),
    time: time(),
    actor: string('Who wrote it: `user:<name>`, a controller, `kubelet/<node>`, `fault-injector`, `clock`.'),
    causationId: optional(position('Position of the event that caused this one; absent for inputs (user actions, faults, the clock).')),
    correlationId: optional(string('Shared by every event one user action or fault set in motion.')),
    summary: string('One line, e.g. "scheduled default/web-7d9-abcde on node-2".'),
    kind: { type: 'string', enum: eventKinds, description: 'Who set the event in motion, as the debugger colours it.' },
  }),
  SeekRequest: {
    ...shape<{ position?: number; time?: string }>('Where to move the cursor: a position, or a time (the last event at or before it). With both, the position wins.', { position: optional(position()), time: optional(time()) }, false),
    anyOf: [{ required: ['position'] }, { required: ['time'] }],
  },
  StepRequest: shape<{ count?: number; unit?: 'event' | 'reconcile' }>('How far to step.', {
    count: optional({ type: 'integer', default: 1, description: 'Steps to take; negative steps back.' }),
    unit: optional({ type: 'string', enum: ['event', 'reconcile'], default: 'event', description: 'A reconcile step is an event plus everything it caused, transitively.' }),
  }, false),
  RunRequest: shape<{ direction?: 'forward' | 'back'; breakpoint: Breakpoint }>('Run the cursor to the next (or previous) event a breakpoint matches.', {
    direction: optional({ type: 'string', enum: ['forward', 'back'], default: 'forward' }),
    breakpoint: ref('Breakpoint'),
  }, false),
  RunResult: shape<RunResult>('Where the run stopped. Without a match the cursor ends at the end (forward) or at 0 (back).', {
    cursor: ref('Cursor'),
    hit: boolean('Whether the breakpoint matched.'),
    reason: optional(string('What matched, e.g. "pod default/web-1 is Running".')),
  }),
  Breakpoint: union('What stops a run.', 'type', {
    object: 'ObjectBreakpoint',
    'event-type': 'EventTypeBreakpoint',
    actor: 'ActorBreakpoint',
    'pod-phase': 'PodPhaseBreakpoint',
    'node-condition': 'NodeConditionBreakpoint',
    invariant: 'InvariantBreakpoint',
  }),
  ObjectBreakpoint: shape<Member<Breakpoint, 'type', 'object'>>('An event that changes the object (with `labelSelector`: one carrying the labels before or after the event).', {
    type: literal('object'),
    kind: string('Kind or resource name (`Pod`, `pods`, `po`).'),
    namespace: optional(string()),
    name: optional(string()),
    labelSelector: optional(string('Label selector, e.g. `app=web,tier!=db`.')),
  }, false),
  EventTypeBreakpoint: shape<Member<Breakpoint, 'type', 'event-type'>>('An event of this type (`ContainerStateChanged` also matches a `PodPhaseChanged` that carries container state changes).', { type: literal('event-type'), eventType: string('e.g. `PodScheduled`.') }, false),
  ActorBreakpoint: shape<Member<Breakpoint, 'type', 'actor'>>('An event written by this actor.', { type: literal('actor'), actor: string('e.g. `scheduler`, `user:admin`.') }, false),
  PodPhaseBreakpoint: shape<Member<Breakpoint, 'type', 'pod-phase'>>('A pod entering this phase (`PodPhaseChanged`).', {
    type: literal('pod-phase'),
    phase: { type: 'string', enum: podPhases },
    namespace: optional(string()),
    name: optional(string()),
  }, false),
  NodeConditionBreakpoint: shape<Member<Breakpoint, 'type', 'node-condition'>>("A node's condition taking this status.", {
    type: literal('node-condition'),
    node: optional(string('Any node when absent.')),
    condition: string('e.g. `Ready`.'),
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
  }, false),
  InvariantBreakpoint: shape<Member<Breakpoint, 'type', 'invariant'>>('An event one of the server\'s invariants rejects (checked from the start of the log).', {
    type: literal('invariant'),
    invariant: string('Invariant name.'),
  }, false),

  StateSummary: shape<StateSummary>('The cluster at a glance: nodes with their pods, pods waiting for a node, and object counts.', {
    position: position(),
    time: time(),
    nodes: arrayOf(ref('NodeSummary')),
    unscheduled: arrayOf(ref('PodSummary'), 'Pods with no node.'),
    counts: mapOf(integer(), 'Objects per kind (kinds with none left out).'),
  }),
  NodeSummary: shape<NodeSummary>('A node and the pods bound to it.', {
    name: string(),
    ready: boolean('The Ready condition is True.'),
    unschedulable: boolean(),
    taints: arrayOf({ type: 'object', description: 'A core/v1 Taint.', properties: { key: string(), value: string(), effect: string(), timeAdded: time() }, required: ['key', 'effect'] }),
    allocatable: mapOf(string(), 'Resource quantities, e.g. `{ "cpu": "4", "memory": "8Gi" }`.'),
    pods: arrayOf(ref('PodSummary')),
  }),
  PodSummary: shape<PodSummary>('A pod in a line.', {
    namespace: string(),
    name: string(),
    phase: string('status.phase (`Pending` when unset).'),
    ready: boolean('The Ready condition is True.'),
    owner: optional(string('`Kind/name` of the controlling owner.')),
    node: optional(string()),
    deleting: optional(boolean('Present (true) while the pod is being deleted.')),
  }),
  KubeObject: {
    type: 'object',
    description: 'A Kubernetes object as the state holds it; each kind\'s full schema is in the server\'s `/openapi/v3`.',
    properties: { apiVersion: string(), kind: string(), metadata: { type: 'object' }, spec: { type: 'object' }, status: { type: 'object' } },
    required: ['apiVersion', 'kind', 'metadata'],
  },
  ObjectList: shape<{ items: unknown[] }>('Objects of one kind.', { items: arrayOf(ref('KubeObject')) }),
  EventSummaryList: shape<{ items: EventSummary[] }>('Events, in log order.', { items: arrayOf(ref('EventSummary')) }),
  EventPage: shape<EventPage>('A page of events, for a virtualised list.', {
    items: arrayOf(ref('EventSummary')),
    total: integer('Events matching the filters (every event without filters).'),
    next: optional(position('`from=` of the next page; absent on the last.')),
  }),
  EventDetail: shape<EventDetail>('One event, summarised and as stored.', { summary: ref('EventSummary'), event: ref('StoredEvent') }),
  StoredEvent: {
    type: 'object',
    description: 'An event as the log holds it.',
    properties: {
      type: string(),
      data: { type: 'object', description: "The event's data; its shape depends on `type` (core/events.ts)." },
      metadata: ref('EventMetadata'),
      stream: string(),
      streamRevision: integer('0-based revision within its stream.'),
      position: position(),
    },
    required: ['type', 'data', 'metadata', 'stream', 'streamRevision', 'position'],
    additionalProperties: false,
  },
  EventMetadata: shape<EventMetadata>("Who wrote an event, when, and what caused it.", {
    actor: string(),
    causationId: optional(position()),
    correlationId: optional(string()),
    time: integer('Virtual time in milliseconds since the Unix epoch.'),
  }),
  Density: shape<Density>('Events per bucket over virtual time, computed server-side.', {
    start: time(),
    end: time(),
    buckets: arrayOf(ref('DensityBucket')),
    complete: boolean('False while a large recording is still loading: the buckets count the events loaded so far; ask again for the rest.'),
    loaded: integer('Events counted so far: the number of events in the recording once complete.'),
  }),
  DensityBucket: shape<DensityBucket>('One stretch of virtual time.', {
    start: time(),
    end: time(),
    events: integer(),
    user: integer('User actions.'),
    fault: integer('Faults.'),
    failure: integer('Failures (unschedulable, evicted, failed, crashing, kubelet stopped).'),
  }),
  MarkerList: shape<MarkerList>('Markers for the timeline, in log order.', {
    items: arrayOf(ref('Marker')),
    complete: boolean('False while a large recording is still loading; ask again for the rest.'),
  }),
  Marker: shape<Marker>('A user action, a fault or a failure.', {
    position: position(),
    time: time(),
    kind: { type: 'string', enum: members<Marker['kind']>({ user: true, fault: true, failure: true }) },
    summary: string(),
  }),
  InvariantFailures: shape<InvariantFailures>("Events the server's invariants reject, as far as checked. The first request starts the check in the background; ask again until `complete`.", {
    items: arrayOf(ref('InvariantFailure'), 'The first failures (at most 10,000), in log order.'),
    total: integer('Every failure found so far, listed or not.'),
    checkedThrough: position('Events checked so far (1…checkedThrough).'),
    head: position(),
    complete: boolean('Every event (as far as head) has been checked.'),
    error: optional(string('Why checking stopped early.')),
  }),
  InvariantFailure: shape<InvariantFailure>('One event an invariant rejects.', { position: position(), time: time(), invariant: string(), message: string() }),
  StateDiff: shape<StateDiff>('Objects added, removed and changed between two states.', {
    added: arrayOf(ref('ObjectRef')),
    removed: arrayOf(ref('ObjectRef'), 'Also objects deleted and re-created under the same name (listed in both).'),
    changed: arrayOf(ref('ObjectChange')),
  }),
  ObjectRef: shape<ObjectRef>('Names an object.', { kind: string(), namespace: optional(string()), name: string(), uid: optional(string()) }),
  ObjectChange: shape<ObjectChange>('An object that changed, field by field.', { ref: ref('ObjectRef'), fields: arrayOf(ref('FieldChange')) }),
  FieldChange: shape<FieldChange>('One leaf that differs (`metadata.resourceVersion` is left out).', {
    path: string('Dotted path with list indexes, e.g. `spec.containers[0].image`.'),
    before: optional(anything('Absent when the field was added.')),
    after: optional(anything('Absent when the field was removed.')),
  }),
  CausationChain: shape<CausationChain>('Why an event happened.', {
    chain: arrayOf(ref('EventSummary'), 'The event first, then its cause, back to the user action, fault or timer that started it.'),
  }),
  PodExplanation: shape<PodExplanation>("A pod's scheduling decision (the last at or before `at`) with the full nodes × plugins table.", {
    pod: string('`namespace/name`.'),
    position: position('Position of the decision explained.'),
    decision: ref('SchedulingDecision'),
    nodes: arrayOf(ref('NodeVerdict'), "Every evaluated node's verdict."),
    recomputed: boolean('The recorded decision was truncated and the table was recomputed from the state just before it.'),
    plugins: arrayOf(string(), 'Score plugins, in the order of the columns.'),
    chosen: optional(string('The node the pod was bound to.')),
    decidedBy: optional(string('The plugin whose score separated the winner from the runner-up.')),
    message: optional(string('Why the pod is unschedulable, in Kubernetes\' words.')),
  }),
  SchedulingDecision: shape<SchedulingDecision>('The decision as the scheduler recorded it.', {
    evaluated: integer('Nodes the scheduler looked at.'),
    feasible: integer(),
    verdicts: arrayOf(ref('NodeVerdict'), 'Per-node verdicts written out (older records); empty when `table` holds them.'),
    truncated: optional(boolean()),
    chosen: optional(string()),
    message: optional(string()),
    decidedBy: optional(string()),
    table: optional(ref('VerdictTable')),
  }),
  NodeVerdict: shape<NodeVerdict>("One node's verdict.", {
    node: string(),
    failure: optional(string('Why a filter rejected the node, e.g. `Insufficient cpu`; absent when it passed every filter.')),
    plugin: optional(string('The filter plugin that rejected it.')),
    scores: optional(mapOf(number(), 'Per-plugin normalised scores (0–100) for feasible nodes.')),
    total: optional(number()),
  }),
  VerdictTable: shape<VerdictTable>('Every evaluated node\'s verdict, compactly (core/events.ts VerdictTable).', {
    nodes: arrayOf(string(), 'Node names, and runs of consecutively numbered names as `node-0100..0599`.'),
    plugins: arrayOf(ref('WeightedPlugin')),
    groups: arrayOf({ oneOf: [ref('FilterVerdictGroup'), ref('ScoreVerdictGroup')] }),
    rows: string("Each node's group as base64url digits."),
  }),
  WeightedPlugin: shape<VerdictTable['plugins'][number]>('A score plugin and its weight.', { name: string(), weight: number() }),
  FilterVerdictGroup: shape<Member<VerdictGroup, 'plugin', string>>('Nodes a filter rejected for one reason.', { plugin: string(), failure: string() }),
  ScoreVerdictGroup: shape<Member<VerdictGroup, 'scores', number[]>>('Feasible nodes with the same scores (parallel to `plugins`).', { scores: arrayOf(number()) }),

  ForkRequest: shape<ForkRequest>('Where to branch, how to edit the inputs, and how long to run on.', {
    at: position('Fork point; edits must come after it.'),
    edits: optional(arrayOf(ref('Edit'))),
    runFor: optional({ oneOf: [string(), { type: 'number', minimum: 0 }], description: 'Virtual time to run on after the last input: a Go-style duration (`"10m"`) or milliseconds.' }),
  }, false),
  Edit: union('A change to the recording\'s inputs (a derived event cannot be edited: edit the input that caused it).', 'op', { remove: 'RemoveEdit', replace: 'ReplaceEdit', insert: 'InsertEdit' }),
  RemoveEdit: shape<Member<Edit, 'op', 'remove'>>('Remove an input.', { op: literal('remove'), position: position() }, false),
  ReplaceEdit: shape<Member<Edit, 'op', 'replace'>>('Replace an input.', { op: literal('replace'), position: position(), event: ref('EditEvent') }, false),
  InsertEdit: shape<Member<Edit, 'op', 'insert'>>('Insert a new input.', { op: literal('insert'), after: position(), event: ref('EditEvent') }, false),
  EditEvent: shape<EditEvent>('An event to write.', {
    type: string('Event type (core/events.ts).'),
    data: anything("The event's data."),
    metadata: optional(shape<NonNullable<EditEvent['metadata']>>('', { actor: optional(string()) }, false)),
  }, false),
  Comparison: shape<Comparison>('Two sessions at the same virtual time.', {
    time: time(),
    left: position('Position of the session in the path at that time.'),
    right: position('Position of the other session at that time.'),
    diff: ref('StateDiff'),
  }),
  VerifyResult: { description: 'Whether re-running the controllers reproduces the recording.', oneOf: [ref('Reproduces'), ref('Diverges')] },
  Reproduces: shape<Member<VerifyResult, 'reproduces', true>>('The re-run wrote the same log.', { reproduces: literal(true), events: integer('Events compared.') }),
  Diverges: shape<Member<VerifyResult, 'reproduces', false>>('The first event where the re-run differs.', {
    reproduces: literal(false),
    divergedAt: position(),
    recorded: optional(ref('EventSummary')),
    replayed: optional(ref('EventSummary')),
  }),
};

const pathParameter = (name: string, description: string, schema: SchemaObject = string()): Parameter => ({ name, in: 'path', required: true, description, schema });
const queryParameter = (name: string, description: string, schema: SchemaObject = string()): Parameter => ({ name, in: 'query', description, schema });

const parameters: Record<string, Parameter> = {
  SessionId: pathParameter('id', 'Session id, as opening it answered (e.g. `s1`).'),
  Kind: pathParameter('kind', 'Resource type as kubectl takes it: plural, singular, short name or Kind (`pods`, `po`, `Deployment`).'),
  Namespace: pathParameter('namespace', 'Namespace, or `_` for a cluster-scoped object.'),
  Name: pathParameter('name', 'Object name.'),
  Position: pathParameter('position', 'Log position of the event.', { type: 'integer', minimum: 1 }),
  At: queryParameter('at', 'A position (`1234`) or an RFC 3339 virtual time (the last event at or before it); default the cursor.'),
};
const param = (name: keyof typeof parameters & string): Reference => ({ $ref: `#/components/parameters/${name}` });

const json = (schema: SchemaOrRef) => ({ 'application/json': { schema } });
const responses: Record<string, Response> = {
  BadRequest: { description: 'Bad request (a malformed body or parameter, an unknown kind, a position beyond the end).', content: json(ref('Status')) },
  NotFound: { description: 'Not found (no such session, object, event or decision).', content: json(ref('Status')) },
  Error: { description: 'Any other error.', content: json(ref('Status')) },
};
const errorResponse = (name: 'BadRequest' | 'NotFound' | 'Error'): Reference => ({ $ref: `#/components/responses/${name}` });

interface OperationSpec {
  summary: string;
  description?: string;
  parameters?: Array<Parameter | Reference>;
  body?: RequestBody;
  /** The answer as JSON (with 200 unless `status` says otherwise), or `response` for another content type. */
  answer?: SchemaOrRef;
  response?: Response;
  status?: '200' | '201';
  /** Errors this operation answers besides `default`. */
  errors: Array<'BadRequest' | 'NotFound'>;
}

function operation(operationId: string, tag: string, spec: OperationSpec): Operation {
  const answer: Response = spec.response ?? { description: spec.summary, content: json(spec.answer ?? {}) };
  const codes: Record<string, Response | Reference> = { [spec.status ?? '200']: answer };
  for (const error of spec.errors) codes[error === 'BadRequest' ? '400' : '404'] = errorResponse(error);
  codes.default = errorResponse('Error');
  return {
    operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [tag],
    ...(spec.parameters?.length ? { parameters: spec.parameters } : {}),
    ...(spec.body ? { requestBody: spec.body } : {}),
    responses: codes,
  };
}

const jsonBody = (schema: string, required = true): RequestBody => ({ required, content: json(ref(schema)) });
const id = param('SessionId');
const objectPath = [id, param('Kind'), param('Namespace'), param('Name')];

/** The replay API's OpenAPI 3.0 document, its paths under `prefix` (where replayRoutes is registered). */
export function replayOpenApi(prefix = '/replay'): OpenApiDocument {
  const session = `${prefix}/sessions/{id}`;
  return {
    openapi: '3.0.3',
    info: {
      title: 'Orrery replay API',
      version: '1.0.0',
      description:
        'Rewind, step, inspect, explain and fork recordings of an Orrery cluster (docs/replay-api.md). Positions are log positions (1-based); times are RFC 3339 virtual times; errors are metav1.Status objects.',
    },
    tags: [
      { name: 'sessions', description: 'Open, list, close, export and import recordings.' },
      { name: 'cursor', description: "Move a session's cursor: seek, step, run to a breakpoint." },
      { name: 'inspect', description: 'The cluster, objects, events and timeline at and around the cursor.' },
      { name: 'explain', description: 'Why an event happened; how a pod was scheduled.' },
      { name: 'forks', description: 'What-if branches, comparisons and the determinism check.' },
      { name: 'meta', description: 'This document.' },
    ],
    paths: {
      [`${prefix}/sessions`]: {
        post: operation('openSession', 'sessions', {
          summary: 'Open a recording',
          body: jsonBody('OpenSessionRequest'),
          answer: ref('Session'),
          status: '201',
          errors: ['BadRequest'],
        }),
        get: operation('listSessions', 'sessions', { summary: 'List open sessions', answer: ref('SessionList'), errors: [] }),
      },
      [session]: {
        get: operation('getSession', 'sessions', { summary: 'A session', parameters: [id], answer: ref('Session'), errors: ['NotFound'] }),
        delete: operation('deleteSession', 'sessions', { summary: 'Close a session', parameters: [id], answer: ref('Deleted'), errors: ['NotFound'] }),
      },
      [`${session}/seek`]: {
        post: operation('seek', 'cursor', { summary: 'Move the cursor to a position or a time', parameters: [id], body: jsonBody('SeekRequest'), answer: ref('Cursor'), errors: ['BadRequest', 'NotFound'] }),
      },
      [`${session}/step`]: {
        post: operation('step', 'cursor', { summary: 'Step forward or back by events or reconcile steps', description: 'Without a body, one event forward.', parameters: [id], body: jsonBody('StepRequest', false), answer: ref('Cursor'), errors: ['BadRequest', 'NotFound'] }),
      },
      [`${session}/run`]: {
        post: operation('run', 'cursor', { summary: 'Run to a breakpoint', parameters: [id], body: jsonBody('RunRequest'), answer: ref('RunResult'), errors: ['BadRequest', 'NotFound'] }),
      },
      [`${session}/state`]: {
        get: operation('getState', 'inspect', { summary: 'The cluster at a position', parameters: [id, param('At')], answer: ref('StateSummary'), errors: ['BadRequest', 'NotFound'] }),
      },
      [`${session}/objects/{kind}`]: {
        get: operation('listObjects', 'inspect', {
          summary: 'Objects of one kind at a position',
          parameters: [id, param('Kind'), queryParameter('namespace', 'Only objects in this namespace.'), param('At')],
          answer: ref('ObjectList'),
          errors: ['BadRequest', 'NotFound'],
        }),
      },
      [`${session}/objects/{kind}/{namespace}/{name}`]: {
        get: operation('getObject', 'inspect', { summary: 'One object at a position', parameters: [...objectPath, param('At')], answer: ref('KubeObject'), errors: ['BadRequest', 'NotFound'] }),
      },
      [`${session}/history/{kind}/{namespace}/{name}`]: {
        get: operation('objectHistory', 'inspect', { summary: 'Every event that touched an object', parameters: objectPath, answer: ref('EventSummaryList'), errors: ['BadRequest', 'NotFound'] }),
      },
      [`${session}/events`]: {
        get: operation('listEvents', 'inspect', {
          summary: 'A page of events, filtered',
          parameters: [
            id,
            queryParameter('from', 'First position of the page (positions before 1 count as 1).', { type: 'integer', default: 1 }),
            queryParameter('limit', 'Events per page, kept within 1…1000.', { type: 'integer', default: 100 }),
            queryParameter('type', 'Only events of this type.'),
            queryParameter('actor', 'Only events by this actor (`kubelet` also matches `kubelet/<node>`).'),
            queryParameter('kind', 'Only events touching objects of this kind.'),
            queryParameter('object', 'Only events touching this object: `kind/namespace/name` or `kind/name`.'),
            queryParameter('q', 'Only events whose summary, type or actor contains this text (case-insensitive).'),
          ],
          answer: ref('EventPage'),
          errors: ['BadRequest', 'NotFound'],
        }),
      },
      [`${session}/events/{position}`]: {
        get: operation('getEvent', 'inspect', { summary: 'One event', parameters: [id, param('Position')], answer: ref('EventDetail'), errors: ['BadRequest', 'NotFound'] }),
      },
      [`${session}/density`]: {
        get: operation('getDensity', 'inspect', {
          summary: 'Event density over virtual time, for a timeline scrubber',
          parameters: [id, queryParameter('buckets', 'Number of buckets, kept within 1…10,000.', { type: 'integer', default: 200 })],
          answer: ref('Density'),
          errors: ['BadRequest', 'NotFound'],
        }),
      },
      [`${session}/markers`]: {
        get: operation('getMarkers', 'inspect', { summary: 'User actions, faults and failures, for a timeline', parameters: [id], answer: ref('MarkerList'), errors: ['NotFound'] }),
      },
      [`${session}/invariant-failures`]: {
        get: operation('getInvariantFailures', 'inspect', { summary: "Where the server's invariants fail", parameters: [id], answer: ref('InvariantFailures'), errors: ['NotFound'] }),
      },
      [`${session}/diff`]: {
        get: operation('diff', 'inspect', {
          summary: 'What changed between two positions',
          parameters: [
            id,
            { ...queryParameter('from', 'A position or an RFC 3339 time.'), required: true },
            { ...queryParameter('to', 'A position or an RFC 3339 time.'), required: true },
          ],
          answer: ref('StateDiff'),
          errors: ['BadRequest', 'NotFound'],
        }),
      },
      [`${session}/explain/event/{position}`]: {
        get: operation('explainEvent', 'explain', { summary: "An event's causation chain", parameters: [id, param('Position')], answer: ref('CausationChain'), errors: ['BadRequest', 'NotFound'] }),
      },
      [`${session}/explain/pod/{namespace}/{name}`]: {
        get: operation('explainPod', 'explain', {
          summary: "A pod's scheduling decision as a nodes × plugins table",
          parameters: [id, pathParameter('namespace', "The pod's namespace."), pathParameter('name', "The pod's name."), queryParameter('at', 'The last decision at or before this position or RFC 3339 time; default the end of the recording.')],
          answer: ref('PodExplanation'),
          errors: ['BadRequest', 'NotFound'],
        }),
      },
      [`${session}/forks`]: {
        post: operation('fork', 'forks', {
          summary: 'Branch a new timeline, edit its inputs and re-run the controllers',
          description: 'The branch is a new session, its cursor at the fork point.',
          parameters: [id],
          body: jsonBody('ForkRequest'),
          answer: ref('Session'),
          status: '201',
          errors: ['BadRequest', 'NotFound'],
        }),
      },
      [`${session}/compare/{other}`]: {
        get: operation('compare', 'forks', {
          summary: 'Diff two sessions at the same virtual time',
          parameters: [id, pathParameter('other', 'The other session (the right side).'), queryParameter('time', 'RFC 3339 time to compare at (each side at its last event at or before it); default the earlier of the two ends.', time())],
          answer: ref('Comparison'),
          errors: ['BadRequest', 'NotFound'],
        }),
      },
      [`${session}/verify`]: {
        post: operation('verify', 'forks', { summary: 'Determinism check: re-run the controllers and find the first divergence', parameters: [id], answer: ref('VerifyResult'), errors: ['NotFound'] }),
      },
      [`${session}/export`]: {
        get: operation('exportRecording', 'sessions', {
          summary: 'The recording as one portable file (`.orrec`)',
          parameters: [id],
          response: {
            description: 'gzip of length-prefixed JSON frames: a header, then every event (docs/replay-api.md).',
            headers: { 'content-disposition': { description: '`attachment; filename="<id>.orrec"`', schema: string() } },
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          errors: ['NotFound'],
        }),
      },
      [`${prefix}/import`]: {
        post: operation('importRecording', 'sessions', {
          summary: 'Open an exported recording sent as the body',
          body: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          answer: ref('Session'),
          status: '201',
          errors: ['BadRequest'],
        }),
      },
      [`${prefix}/openapi.json`]: {
        get: operation('getOpenApi', 'meta', { summary: 'This document', answer: { type: 'object', description: 'An OpenAPI 3.0 document.' }, errors: [] }),
      },
    },
    components: { schemas, parameters, responses },
  };
}
