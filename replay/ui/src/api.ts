import type { KubeObject } from '../../../core/model/object.ts';
import type { Breakpoint } from '../../service/breakpoints.ts';
import type { EventSummary } from '../../service/event-summary.ts';
import type { PodExplanation } from '../../service/explain.ts';
import type { InvariantFailure, InvariantFailures } from '../../service/invariant-scan.ts';
import type { Comparison, ForkRequest, OpenSource } from '../../service/replay-service.ts';
import type { Cursor, Density, DensityBucket, EventQuery, Marker, RunResult, SessionInfo } from '../../service/session.ts';
import type { StateDiff } from '../../service/state-diff.ts';
import type { NodeSummary, PodSummary, StateSummary } from '../../service/state-summary.ts';

export type { Breakpoint, Comparison, Cursor, Density, DensityBucket, EventQuery, EventSummary, ForkRequest, InvariantFailure, InvariantFailures, KubeObject, Marker, NodeSummary, PodExplanation, PodSummary, RunResult, SessionInfo, StateDiff, StateSummary };

export interface EventPage {
  items: EventSummary[];
  total: number;
  next?: number;
}

/** An error answered by the API: its metav1.Status message and HTTP code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
}

const enc = encodeURIComponent;

/** The replay HTTP API (docs/replay-api.md), typed with the service's own types. */
export class ReplayClient {
  constructor(readonly base = '/replay') {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: body === undefined ? {} : { 'content-type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(this.base + path, init);
    const text = await response.text();
    const value = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const message = (value as { message?: string } | undefined)?.message ?? `${method} ${path}: HTTP ${response.status}`;
      throw new ApiError(message, response.status);
    }
    return value as T;
  }

  sessions(): Promise<{ items: SessionInfo[] }> {
    return this.request('GET', '/sessions');
  }
  open(source: OpenSource): Promise<SessionInfo> {
    return this.request('POST', '/sessions', { source });
  }
  session(id: string): Promise<SessionInfo> {
    return this.request('GET', `/sessions/${enc(id)}`);
  }
  seek(id: string, target: { position: number } | { time: string }): Promise<Cursor> {
    return this.request('POST', `/sessions/${enc(id)}/seek`, target);
  }
  step(id: string, count: number, unit: 'event' | 'reconcile'): Promise<Cursor> {
    return this.request('POST', `/sessions/${enc(id)}/step`, { count, unit });
  }
  run(id: string, direction: 'forward' | 'back', breakpoint: Breakpoint): Promise<RunResult> {
    return this.request('POST', `/sessions/${enc(id)}/run`, { direction, breakpoint });
  }
  state(id: string, at?: number): Promise<StateSummary> {
    return this.request('GET', `/sessions/${enc(id)}/state${query({ at })}`);
  }
  object(id: string, kind: string, namespace: string | undefined, name: string, at?: number): Promise<KubeObject> {
    return this.request('GET', `/sessions/${enc(id)}/objects/${enc(kind)}/${enc(namespace || '_')}/${enc(name)}${query({ at })}`);
  }
  objects(id: string, kind: string, at?: number, namespace?: string): Promise<{ items: KubeObject[] }> {
    return this.request('GET', `/sessions/${enc(id)}/objects/${enc(kind)}${query({ at, namespace })}`);
  }
  history(id: string, kind: string, namespace: string | undefined, name: string): Promise<{ items: EventSummary[] }> {
    return this.request('GET', `/sessions/${enc(id)}/history/${enc(kind)}/${enc(namespace || '_')}/${enc(name)}`);
  }
  events(id: string, q: EventQuery): Promise<EventPage> {
    return this.request('GET', `/sessions/${enc(id)}/events${query({ ...q })}`);
  }
  density(id: string, buckets: number): Promise<Density> {
    return this.request('GET', `/sessions/${enc(id)}/density${query({ buckets })}`);
  }
  markers(id: string): Promise<{ items: Marker[]; complete: boolean }> {
    return this.request('GET', `/sessions/${enc(id)}/markers`);
  }
  /** Where the server's invariants fail, as far as checked (ask again until `complete`). */
  invariantFailures(id: string): Promise<InvariantFailures> {
    return this.request('GET', `/sessions/${enc(id)}/invariant-failures`);
  }
  diff(id: string, from: number, to: number): Promise<StateDiff> {
    return this.request('GET', `/sessions/${enc(id)}/diff${query({ from, to })}`);
  }
  explainEvent(id: string, position: number): Promise<{ chain: EventSummary[] }> {
    return this.request('GET', `/sessions/${enc(id)}/explain/event/${position}`);
  }
  explainPod(id: string, namespace: string, name: string, at?: number): Promise<PodExplanation> {
    return this.request('GET', `/sessions/${enc(id)}/explain/pod/${enc(namespace)}/${enc(name)}${query({ at })}`);
  }
  fork(id: string, request: ForkRequest): Promise<SessionInfo> {
    return this.request('POST', `/sessions/${enc(id)}/forks`, request);
  }
  compare(id: string, other: string, time?: string): Promise<Comparison> {
    return this.request('GET', `/sessions/${enc(id)}/compare/${enc(other)}${query({ time })}`);
  }
}
