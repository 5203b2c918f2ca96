import { existsSync, mkdtempSync, openSync, closeSync, readSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../../events.ts';
import { testEvent } from '../event-store.contract.ts';
import { LOG_FILE_NAME, type LogDirectory, createEmbeddedStore } from './embedded-store.ts';
import { isLogCorruptedError } from './errors.ts';
import { INDEX_FILE_NAME, MIN_CHECKPOINT_RECORDS } from './index-checkpoint.ts';
import { LOG_MAGIC, RECORD_HEADER_BYTES } from './record-format.ts';
import { repairEmbeddedLog } from './repair.ts';

const root = mkdtempSync(join(tmpdir(), 'orrery-index-checkpoint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let next = 0;
const newDir = () => join(root, String(next++));
const RECORDS = MIN_CHECKPOINT_RECORDS + 100;
const STREAMS = ['Pod/default/a', 'Pod/default/b', 'Node/n1'];

/** Appends `records` appends of one or two events over three streams, returns the streams' revisions. */
async function append(dir: string, records: number, close = true) {
  const store = await createEmbeddedStore(dir);
  let last: Promise<unknown> = Promise.resolve();
  for (let r = 0; r < records; r++) last = store.append(STREAMS[r % 3]!, Array.from({ length: 1 + (r % 2) }, (_, i) => testEvent(`r${r}e${i}`)));
  await last;
  if (close) await store.close();
  return store;
}

async function contents(dir: string, options = {}) {
  const store = await createEmbeddedStore(dir, options);
  const all: StoredEvent[] = [];
  for await (const event of store.readAll()) all.push(event);
  const perStream: Record<string, number> = {};
  for (const stream of STREAMS) perStream[stream] = await store.streamRevision(stream);
  const streamEvents: StoredEvent[] = [];
  for await (const event of store.readStream(STREAMS[1]!)) streamEvents.push(event);
  const report = store.openReport;
  await store.close();
  return { all, perStream, streamEvents, report };
}

describe('index checkpoint', () => {
  it('is written on close, and opening from it serves exactly what a full scan does', async () => {
    const dir = newDir();
    await append(dir, RECORDS);
    expect(existsSync(join(dir, INDEX_FILE_NAME))).toBe(true);
    const scanned = await contents(dir, { indexCheckpoint: false });
    const fromCheckpoint = await contents(dir);
    expect(scanned.report.checkpointedEvents).toBe(0);
    expect(fromCheckpoint.report.checkpointedEvents).toBe(scanned.all.length);
    expect(fromCheckpoint.all).toEqual(scanned.all);
    expect(fromCheckpoint.perStream).toEqual(scanned.perStream);
    expect(fromCheckpoint.streamEvents).toEqual(scanned.streamEvents);
  });

  it('covers a prefix: appends after it (a crash before close) are scanned, revisions continue', async () => {
    const dir = newDir();
    await append(dir, RECORDS);
    await append(dir, 50, false); // left open, as a killed process leaves it: no new checkpoint
    rmSync(join(dir, 'LOCK'));
    const fromCheckpoint = await contents(dir);
    const scanned = await contents(dir, { indexCheckpoint: false });
    expect(fromCheckpoint.report.checkpointedEvents).toBeLessThan(fromCheckpoint.all.length);
    expect(fromCheckpoint.all).toEqual(scanned.all);
    expect(fromCheckpoint.perStream).toEqual(scanned.perStream);
    const store = await createEmbeddedStore(dir);
    const result = await store.append(STREAMS[0]!, [testEvent('after')], { expectedRevision: scanned.perStream[STREAMS[0]!] });
    expect(result.position).toBe(scanned.all.length + 1);
    await store.close();
  });

  it('keeps stream names that are not ASCII, beside ASCII ones', async () => {
    const dir = newDir();
    const names = ['ConfigMap/default/café', 'Pod/default/a', 'ConfigMap/ns/日本語', 'Node/n1'];
    const store = await createEmbeddedStore(dir);
    let last: Promise<unknown> = Promise.resolve();
    for (let r = 0; r < RECORDS; r++) last = store.append(names[r % names.length]!, [testEvent(`r${r}`)]);
    await last;
    await store.close();
    const revisions = async (options: object) => {
      const reopened = await createEmbeddedStore(dir, options);
      const result = { checkpointed: reopened.openReport.checkpointedEvents, revisions: await Promise.all(names.map((name) => reopened.streamRevision(name))), streams: [...reopened.logDirectory().streams.nameList()] };
      await reopened.close();
      return result;
    };
    const scanned = await revisions({ indexCheckpoint: false });
    const fromCheckpoint = await revisions({});
    expect(fromCheckpoint.checkpointed).toBe(RECORDS);
    expect(fromCheckpoint.revisions).toEqual(scanned.revisions);
    expect(fromCheckpoint.revisions).toEqual(names.map((_, i) => Math.floor((RECORDS - 1 - i) / names.length)));
    expect(fromCheckpoint.streams).toEqual(scanned.streams);
  });

  it('a record damaged inside the covered prefix is still refused when read; a full scan refuses it at open', async () => {
    const dir = newDir();
    await append(dir, RECORDS);
    const fd = openSync(join(dir, LOG_FILE_NAME), 'r+');
    const byte = Buffer.alloc(1);
    const at = LOG_MAGIC.length + RECORD_HEADER_BYTES + 30;
    readSync(fd, byte, 0, 1, at);
    byte[0] ^= 0xff;
    writeSync(fd, byte, 0, 1, at);
    closeSync(fd);
    const store = await createEmbeddedStore(dir);
    await expect((async () => { for await (const _ of store.readAll()) void _; })()).rejects.toSatisfy(isLogCorruptedError);
    await store.close();
    await expect(createEmbeddedStore(dir, { indexCheckpoint: false })).rejects.toSatisfy(isLogCorruptedError);
  });

  it('is ignored when it does not match the log: damaged, or the log cut shorter', async () => {
    const dir = newDir();
    await append(dir, RECORDS);
    const { all } = await contents(dir, { indexCheckpoint: false });
    writeFileSync(join(dir, INDEX_FILE_NAME), 'garbage');
    expect((await contents(dir)).report.checkpointedEvents).toBe(0);
    await append(dir, 1); // writes a fresh checkpoint
    truncateSync(join(dir, LOG_FILE_NAME), 5000);
    const cut = await contents(dir);
    expect(cut.report.checkpointedEvents).toBe(0);
    expect(cut.all.length).toBeLessThan(all.length);
    expect(cut.all).toEqual(all.slice(0, cut.all.length));
  });

  it('checkpointIndex() while open covers the durable prefix, so a restart after a crash scans only the rest', async () => {
    const dir = newDir();
    const store = await append(dir, RECORDS, false);
    const inFlight = store.append(STREAMS[2]!, [testEvent('in flight')]);
    store.checkpointIndex(); // the in-flight append is not durable yet: left out
    await inFlight;
    await store.append(STREAMS[0]!, [testEvent('after the checkpoint')]);
    rmSync(join(dir, 'LOCK')); // a crash: no close, no newer checkpoint
    const fromCheckpoint = await contents(dir);
    const scanned = await contents(dir, { indexCheckpoint: false });
    expect(fromCheckpoint.report.checkpointedEvents).toBeGreaterThan(0);
    expect(fromCheckpoint.report.checkpointedEvents).toBeLessThan(scanned.all.length - 1);
    expect(fromCheckpoint.all).toEqual(scanned.all);
    expect(fromCheckpoint.perStream).toEqual(scanned.perStream);
    expect(fromCheckpoint.streamEvents).toEqual(scanned.streamEvents);
  });

  it('repair removes it', async () => {
    const dir = newDir();
    await append(dir, RECORDS);
    const fd = openSync(join(dir, LOG_FILE_NAME), 'r+');
    writeSync(fd, Buffer.from([0xff, 0xff]), 0, 2, LOG_MAGIC.length + 4);
    closeSync(fd);
    expect(repairEmbeddedLog(dir).repaired).toBe(true);
    expect(existsSync(join(dir, INDEX_FILE_NAME))).toBe(false);
    expect((await contents(dir)).all).toEqual([]);
  });

  it('keeps each record\'s event types and latest time: the same after appending, after a full scan and from the checkpoint', async () => {
    const dir = newDir();
    const types = ['ObjectCreated', 'PodScheduled', 'ObjectRemoved'];
    const event = (r: number, i: number) => ({ type: types[(r + i) % 3], data: { r, i }, metadata: { actor: 'test', time: 1_000 * r + (i === 1 ? 5_000 : -i) } }) as unknown as NewEvent;
    const odd = { type: 'ClockAdvanced', data: { time: 1 }, metadata: { actor: 'test', time: 1, extra: true } } as unknown as NewEvent;
    const store = await createEmbeddedStore(dir);
    let last: Promise<unknown> = Promise.resolve();
    for (let r = 0; r < RECORDS; r++) last = store.append(STREAMS[r % 3]!, r === 7 ? [odd] : Array.from({ length: 1 + (r % 2) }, (_, i) => event(r, i)));
    await last;
    const summaries = (directory: LogDirectory) => Array.from({ length: directory.records }, (_, r) => [directory.signatureTypes[directory.signatures[r]!], directory.maxTimes[r]]);
    const appended = summaries(store.logDirectory());
    await store.close();
    expect(appended[7]).toEqual([undefined, Number.NaN]);
    expect(appended[3]).toEqual([['ObjectCreated', 'PodScheduled'], 8_000]);
    expect(appended[4]).toEqual([['PodScheduled'], 4_000]);
    for (const options of [{ indexCheckpoint: false }, {}]) {
      const reopened = await createEmbeddedStore(dir, options);
      expect(reopened.openReport.checkpointedEvents > 0).toBe(!('indexCheckpoint' in options));
      expect(summaries(reopened.logDirectory())).toEqual(appended);
      await reopened.close();
    }
  });
});
