import type { Cursor, ReplayClient, SessionInfo } from './api.ts';
import { reportError } from './dom.ts';

export interface ObjectSelection {
  kind: string;
  namespace?: string;
  name: string;
}

type Listener = () => void;

/**
 * What the whole page looks at: the session, its cursor, the selected object and event. Views
 * subscribe and re-render; every cursor move goes through here so that moves are serialised
 * (the server owns the cursor) and a burst of seeks while dragging collapses into the newest.
 */
export class DebuggerState {
  cursor: Cursor;
  selectedObject: ObjectSelection | undefined;
  selectedEvent: number | undefined;
  private readonly cursorListeners = new Set<Listener>();
  private readonly selectionListeners = new Set<Listener>();
  private readonly sessionListeners = new Set<Listener>();
  private queue: Promise<unknown> = Promise.resolve();
  private pendingSeek: { position: number } | { time: string } | undefined;

  constructor(
    readonly client: ReplayClient,
    public session: SessionInfo,
  ) {
    this.cursor = session.cursor;
  }

  get id(): string {
    return this.session.id;
  }

  onCursor(listener: Listener): void {
    this.cursorListeners.add(listener);
  }

  onSelection(listener: Listener): void {
    this.selectionListeners.add(listener);
  }

  /** The session grew (a live log): head and end time moved. */
  onSession(listener: Listener): void {
    this.sessionListeners.add(listener);
  }

  /** Re-reads the session; tells listeners when the recording grew. */
  async refreshSession(): Promise<void> {
    const info = await this.client.session(this.id);
    if (info.head === this.session.head) return;
    this.session = info;
    for (const listener of this.sessionListeners) listener();
  }

  private setCursor(cursor: Cursor): void {
    if (cursor.position === this.cursor.position && cursor.time === this.cursor.time) return;
    this.cursor = cursor;
    for (const listener of this.cursorListeners) listener();
  }

  private enqueue<T>(move: () => Promise<T>): Promise<T> {
    const next = this.queue.then(move);
    this.queue = next.catch(reportError);
    return next;
  }

  step(count: number, unit: 'event' | 'reconcile' = 'event'): Promise<Cursor> {
    return this.enqueue(async () => {
      const cursor = await this.client.step(this.id, count, unit);
      this.setCursor(cursor);
      return cursor;
    });
  }

  /** Seeks; while one seek is in flight, later ones replace each other and only the newest runs. */
  seek(target: { position: number } | { time: string }): Promise<void> {
    const scheduled = this.pendingSeek !== undefined;
    this.pendingSeek = target;
    if (scheduled) return this.queue.then(() => undefined);
    return this.enqueue(async () => {
      const latest = this.pendingSeek!;
      this.pendingSeek = undefined;
      this.setCursor(await this.client.seek(this.id, latest));
    });
  }

  run(direction: 'forward' | 'back', breakpoint: Parameters<ReplayClient['run']>[2]) {
    return this.enqueue(async () => {
      const result = await this.client.run(this.id, direction, breakpoint);
      this.setCursor(result.cursor);
      return result;
    });
  }

  selectObject(selection: ObjectSelection | undefined): void {
    this.selectedObject = selection;
    for (const listener of this.selectionListeners) listener();
  }

  selectEvent(position: number | undefined): void {
    this.selectedEvent = position;
    for (const listener of this.selectionListeners) listener();
  }
}
