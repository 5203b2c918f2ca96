import type { StoredEvent } from '../../core/events.ts';

/**
 * One copy of each short string a recording repeats: event types, streams, actors, correlation
 * ids, and the names in object references. Decoding gives every event its own copies; a
 * million-event recording holds the same few thousand names a million times over. Only strings the
 * event already holds are replaced, by equal ones, so no reader can tell.
 */
export class SharedStrings {
  private readonly strings = new Map<string, string>();

  private shared(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }

  /** Replaces the event's repeated strings by shared copies (in place). */
  shareIn(event: StoredEvent): void {
    const writable = event as { type: string; stream: string };
    writable.type = this.shared(event.type);
    writable.stream = this.shared(event.stream);
    const metadata = event.metadata;
    metadata.actor = this.shared(metadata.actor);
    if (metadata.correlationId !== undefined) metadata.correlationId = this.shared(metadata.correlationId);
    const data = event.data as { ref?: Record<string, unknown>; node?: unknown; nodes?: unknown; nodeName?: unknown };
    const ref = data.ref;
    if (ref) for (const key in ref) if (typeof ref[key] === 'string') ref[key] = this.shared(ref[key] as string);
    if (typeof data.node === 'string') data.node = this.shared(data.node);
    if (typeof data.nodeName === 'string') data.nodeName = this.shared(data.nodeName);
    if (Array.isArray(data.nodes)) for (let i = 0; i < data.nodes.length; i++) if (typeof data.nodes[i] === 'string') data.nodes[i] = this.shared(data.nodes[i]);
  }
}
