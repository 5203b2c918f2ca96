import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../../events.ts';
import { LOG_FILE_NAME, createEmbeddedStore } from './embedded-store.ts';
import { LogCorruptedError } from './errors.ts';
import { type RecordFormat, type RecordHeader, decodeRecordEvents, decodeRecordHeader, decodeRecordsEvents, encodeRecord, maxRecordBytes, prepareEvents } from './record-format.ts';

const root = mkdtempSync(join(tmpdir(), 'orrery-record-format-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

function roundTrip(events: NewEvent[], format: RecordFormat, stream = 'Pod/default/web-0'): StoredEvent[] {
  const prepared = prepareEvents(events, format);
  const buffer = Buffer.alloc(maxRecordBytes(stream, prepared));
  const bytes = encodeRecord(buffer, 0, stream, 41, 7, prepared);
  const header = decodeRecordHeader(buffer, 0, bytes);
  if (typeof header === 'string') throw new Error(header);
  expect(header.recordBytes).toBe(bytes);
  return decodeRecordEvents(buffer, header, format);
}

/** What reading an appended event back must give: its envelope as JSON would carry it, key order included, plus where it landed. */
function expected(events: NewEvent[], stream = 'Pod/default/web-0'): string {
  return JSON.stringify(events.map((e, i) => ({ type: e.type, data: e.data, metadata: e.metadata, stream, streamRevision: 7 + i, position: 41 + i })));
}

const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('kubelet/node-1', 'scheduler', 'é✓', '', 'lone \ud800 surrogate', 'a'.repeat(70), 'ü'.repeat(70)));
const metadataKeys = fc.record(
  {
    actor: fc.oneof(text, fc.integer()),
    time: fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.double(), fc.constant(-0)),
    causationId: fc.oneof(fc.nat(), fc.constant(undefined)),
    correlationId: fc.oneof(text, fc.constant(undefined)),
    extra: fc.string(),
  },
  { requiredKeys: [] },
);
/** Metadata with its keys in a random order, sometimes missing required ones or holding others: every such envelope must survive. */
const metadata = fc.tuple(metadataKeys, fc.array(fc.nat(), { minLength: 5, maxLength: 5 })).map(([record, order]) => {
  const keys = Object.keys(record).sort((a, b) => order[Object.keys(record).indexOf(a)]! - order[Object.keys(record).indexOf(b)]!);
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = (record as Record<string, unknown>)[key];
  return out;
});
const event = fc.record({
  type: fc.oneof(fc.constantFrom('PodPhaseChanged', 'ObjectCreated', 'NodeHeartbeat'), text),
  data: fc.oneof(fc.jsonValue(), fc.constant(undefined)),
  metadata,
}) as fc.Arbitrary<unknown> as fc.Arbitrary<NewEvent>;

describe('record format', () => {
  it('reads back every appended envelope exactly, in both formats (property)', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), fc.constantFrom<RecordFormat>(1, 2), (events, format) => {
        expect(JSON.stringify(roundTrip(events, format))).toBe(expected(events));
      }),
      { seed: 20261123, numRuns: 400 },
    );
  });

  it('decodes a run of records at once exactly as record by record, in both formats (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(event, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), fc.constantFrom<RecordFormat>(1, 2), (records, format) => {
        const prepared = records.map((events) => prepareEvents(events, format));
        const buffer = Buffer.alloc(prepared.reduce((n, p, i) => n + maxRecordBytes(`s${i}`, p), 0));
        let at = 0;
        let position = 1;
        for (const [i, p] of prepared.entries()) {
          at += encodeRecord(buffer, at, `s${i}`, position, 0, p);
          position += p.events.length;
        }
        const headers: RecordHeader[] = [];
        for (let offset = 0; offset < at; ) {
          const header = decodeRecordHeader(buffer, offset, at);
          if (typeof header === 'string') throw new Error(header);
          headers.push(header);
          offset += header.recordBytes;
        }
        const together: StoredEvent[] = [];
        decodeRecordsEvents(buffer, headers, format, together);
        const oneByOne = headers.flatMap((header) => decodeRecordEvents(buffer, header, format));
        expect(JSON.stringify(together)).toBe(JSON.stringify(oneByOne));
        expect(together.map((e) => e.position)).toEqual(Array.from({ length: position - 1 }, (_, i) => i + 1));
      }),
      { seed: 20261123, numRuns: 300 },
    );
  });

  it('keeps the write path metadata shapes, repeated strings and non-ASCII text in format 2', () => {
    const events = [
      { type: 'PodPhaseChanged', data: { phase: 'Running' }, metadata: { actor: 'kubelet/nœud-1', time: 1_767_225_990_000 } },
      { type: 'PodPhaseChanged', data: { phase: 'Running' }, metadata: { actor: 'kubelet/nœud-1', time: 1_767_225_990_001, causationId: 12 } },
      { type: 'ObjectCreated', data: { object: { kind: 'Pod' } }, metadata: { actor: 'user:admin', time: 3, causationId: 5, correlationId: 'c0ffee' } },
      { type: 'ObjectCreated', data: { object: { kind: 'Pod' } }, metadata: { actor: 'user:admin', time: 3, correlationId: 'c0ffee' } },
      { type: 'ObjectCreated', data: null, metadata: { correlationId: 'c0ffee', time: 4, actor: 'user:admin' } },
    ] as unknown as NewEvent[];
    expect(JSON.stringify(roundTrip(events, 2))).toBe(expected(events));
  });

  it('writes format 2 smaller than format 1 for typical events', () => {
    const events = Array.from({ length: 10 }, (_, i) => ({ type: 'PodPhaseChanged', data: { phase: 'Running', podIP: `10.0.0.${i}` }, metadata: { actor: 'kubelet/node-1', time: 1_767_225_990_000 + i, causationId: i } })) as unknown as NewEvent[];
    const size = (format: RecordFormat) => {
      const prepared = prepareEvents(events, format);
      return encodeRecord(Buffer.alloc(maxRecordBytes('s', prepared)), 0, 's', 1, 0, prepared);
    };
    expect(size(2)).toBeLessThan(size(1));
  });

  it('a log keeps the format it was created with: a format 1 log is read and appended to as format 1', async () => {
    const dir = join(root, String(dirs++));
    const first = { type: 'ClockAdvanced', data: { time: 1 }, metadata: { actor: 'clock', time: 1 } } as NewEvent;
    const second = { type: 'ClockAdvanced', data: { time: 2 }, metadata: { actor: 'clock', time: 2 } } as NewEvent;
    const old = await createEmbeddedStore(dir, { recordFormat: 1 });
    await old.append('cluster', [first]);
    await old.close();
    const reopened = await createEmbeddedStore(dir);
    await reopened.append('cluster', [second]);
    await reopened.close();
    const again = await createEmbeddedStore(dir, { recordFormat: 2 });
    const read: StoredEvent[] = [];
    for await (const e of again.readAll()) read.push(e);
    await again.close();
    expect(read.map((e) => e.data)).toEqual([{ time: 1 }, { time: 2 }]);
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(join(dir, LOG_FILE_NAME));
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('ORRLOG01');
    // Format 1 records hold the whole envelope as JSON.
    expect(bytes.includes('"metadata":{"actor":"clock","time":2}')).toBe(true);
  });

  it('refuses a log of a format it does not know, naming it', async () => {
    const dir = join(root, String(dirs++));
    const store = await createEmbeddedStore(dir);
    await store.close();
    writeFileSync(join(dir, LOG_FILE_NAME), 'ORRLOG09 and then some records');
    const opening = createEmbeddedStore(dir);
    await expect(opening).rejects.toBeInstanceOf(LogCorruptedError);
    await expect(createEmbeddedStore(dir)).rejects.toThrow(/not an Orrery log this version reads \(magic "ORRLOG09"\)/);
  });
});
