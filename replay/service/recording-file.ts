import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import type { StoredEvent } from '../../core/events.ts';

/**
 * The portable recording file (`.orrec`): gzip of a sequence of frames, each a 4-byte big-endian
 * byte length followed by that many bytes of UTF-8 JSON. The first frame is the header
 * `{ "format": "orrery-recording/1", "events": N }`; the next N frames are the stored events
 * (`StoredEvent`: type, data, metadata, stream, streamRevision, position) in position order.
 * Length prefixes let a reader split the stream without scanning JSON text.
 */
export const RECORDING_FORMAT = 'orrery-recording/1';

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  events: number;
  /** Where it was exported from, for the reader's information. */
  source?: string;
}

export function encodeRecording(events: readonly StoredEvent[], source?: string): Buffer {
  const header: RecordingHeader = { format: RECORDING_FORMAT, events: events.length, ...(source ? { source } : {}) };
  // One buffer for every frame: a million small buffers and a concat would cost more than the JSON.
  const texts: string[] = [JSON.stringify(header)];
  for (const event of events) texts.push(JSON.stringify(event));
  let total = 0;
  for (const text of texts) total += 4 + Buffer.byteLength(text, 'utf8');
  const raw = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const text of texts) {
    const length = raw.write(text, offset + 4, 'utf8');
    raw.writeUInt32BE(length, offset);
    offset += 4 + length;
  }
  return gzipSync(raw, { level: 1 });
}

export class RecordingFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingFormatError';
  }
}

export function isRecordingFormatError(error: unknown): error is RecordingFormatError {
  return error instanceof RecordingFormatError;
}

export function decodeRecording(bytes: Buffer): { header: RecordingHeader; events: StoredEvent[] } {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch {
    throw new RecordingFormatError('not an Orrery recording: the file is not gzip-compressed');
  }
  let offset = 0;
  const next = (): unknown => {
    if (offset + 4 > raw.length) throw new RecordingFormatError(`truncated recording at byte ${offset}`);
    const length = raw.readUInt32BE(offset);
    const end = offset + 4 + length;
    if (end > raw.length) throw new RecordingFormatError(`truncated recording at byte ${offset}`);
    const value = JSON.parse(raw.toString('utf8', offset + 4, end)) as unknown;
    offset = end;
    return value;
  };
  const header = next() as RecordingHeader;
  if (header?.format !== RECORDING_FORMAT) {
    throw new RecordingFormatError(`not an Orrery recording (format ${JSON.stringify(header?.format)}, expected ${RECORDING_FORMAT})`);
  }
  const events: StoredEvent[] = new Array(header.events);
  for (let i = 0; i < header.events; i++) {
    const event = next() as StoredEvent;
    if (event.position !== i + 1) throw new RecordingFormatError(`event ${i + 1} of the recording has position ${event.position}`);
    events[i] = event;
  }
  if (offset !== raw.length) throw new RecordingFormatError(`${raw.length - offset} bytes after the last event`);
  return { header, events };
}

export function writeRecordingFile(path: string, events: readonly StoredEvent[], source?: string): number {
  const bytes = encodeRecording(events, source);
  writeFileSync(path, bytes);
  return bytes.length;
}

export function readRecordingFile(path: string): StoredEvent[] {
  return decodeRecording(readFileSync(path)).events;
}
