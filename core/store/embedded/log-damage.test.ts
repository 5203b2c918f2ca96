import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../events.ts';
import { testEvent } from '../event-store.contract.ts';
import { LOG_FILE_NAME, createEmbeddedStore } from './embedded-store.ts';
import { LOCK_FILE_NAME } from './directory-lock.ts';
import { isLogCorruptedError } from './errors.ts';
import { LOG_MAGIC, RECORD_HEADER_BYTES } from './record-format.ts';
import { repairEmbeddedLog } from './repair.ts';

const root = mkdtempSync(join(tmpdir(), 'orrery-embedded-damage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let next = 0;
const newDir = () => join(root, String(next++));

async function readAllLabels(dir: string): Promise<string[]> {
  const store = await createEmbeddedStore(dir);
  const out: string[] = [];
  for await (const event of store.readAll()) out.push(label(event));
  await store.close();
  return out;
}
const label = (event: StoredEvent) => String((event.data as unknown as { label: string }).label);

/** A log of `records` appends (one to three events each, over two streams), closed. */
async function writeLog(dir: string, records: number): Promise<string[]> {
  const store = await createEmbeddedStore(dir);
  const labels: string[] = [];
  for (let r = 0; r < records; r++) {
    const events = Array.from({ length: 1 + (r % 3) }, (_, i) => testEvent(`r${r}e${i}`, { padding: 'x'.repeat(40 + r) }));
    await store.append(r % 2 ? 'Pod/default/odd' : 'Pod/default/even', events);
    labels.push(...events.map((e) => String((e.data as unknown as { label: string }).label)));
  }
  await store.close();
  return labels;
}

/** Byte offsets where each record starts, and the file's end. */
function recordOffsets(file: string): number[] {
  const bytes = readFileSync(file);
  const offsets: number[] = [];
  for (let at = LOG_MAGIC.length; at < bytes.length; at += RECORD_HEADER_BYTES + bytes.readUInt32LE(at + 4)) offsets.push(at);
  return [...offsets, bytes.length];
}

function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset] = bytes[offset]! ^ 0x5a;
  writeFileSync(file, bytes);
}

describe('embedded log: torn tail', () => {
  it('cuts off half a record at the end, reports it, and keeps every whole record', async () => {
    const dir = newDir();
    const labels = await writeLog(dir, 6);
    const file = join(dir, LOG_FILE_NAME);
    const offsets = recordOffsets(file);
    const lastStart = offsets[offsets.length - 2]!;
    const end = offsets[offsets.length - 1]!;
    const cut = lastStart + Math.floor((end - lastStart) / 2);
    truncateSync(file, cut);
    const store = await createEmbeddedStore(dir);
    expect(store.openReport).toMatchObject({ file, truncatedBytes: cut - lastStart, atOffset: lastStart });
    expect(store.openReport.reason).toMatch(/incomplete record/);
    const kept = labels.slice(0, labels.length - 3); // the sixth append held three events
    expect(store.openReport.events).toBe(kept.length);
    expect(await store.head()).toBe(kept.length);
    // Appending after the cut continues cleanly and survives another reopen.
    await store.append('Pod/default/odd', [testEvent('after')]);
    await store.close();
    expect(await readAllLabels(dir)).toEqual([...kept, 'after']);
    const again = await createEmbeddedStore(dir);
    expect(again.openReport.truncatedBytes).toBe(0);
    await again.close();
  });

  it('cuts off garbage written after the last record', async () => {
    const dir = newDir();
    const labels = await writeLog(dir, 4);
    const file = join(dir, LOG_FILE_NAME);
    const size = readFileSync(file).length;
    appendFileSync(file, Buffer.from('\x07\x00\x00\x00garbage that is no record at all'));
    const store = await createEmbeddedStore(dir);
    expect(store.openReport).toMatchObject({ truncatedBytes: 36, atOffset: size });
    await store.close();
    expect(await readAllLabels(dir)).toEqual(labels);
  });

  it('cuts off a last record whose CRC does not match', async () => {
    const dir = newDir();
    const labels = await writeLog(dir, 4);
    const file = join(dir, LOG_FILE_NAME);
    const offsets = recordOffsets(file);
    flipByte(file, offsets[3]! + 30);
    const store = await createEmbeddedStore(dir);
    expect(store.openReport).toMatchObject({ atOffset: offsets[3], truncatedBytes: offsets[4]! - offsets[3]!, reason: 'CRC mismatch' });
    await store.close();
    expect(await readAllLabels(dir)).toEqual(labels.slice(0, 1 + 2 + 3));
  });

  it('keeps exactly the whole records before any cut (property)', async () => {
    const dir = newDir();
    const labels = await writeLog(dir, 5);
    const file = join(dir, LOG_FILE_NAME);
    const pristine = readFileSync(file);
    const offsets = recordOffsets(file);
    const eventsPerRecord = [1, 2, 3, 1, 2];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: pristine.length }), async (cut) => {
        writeFileSync(file, pristine.subarray(0, cut));
        const whole = offsets.slice(1).filter((end) => end <= cut).length;
        const kept = eventsPerRecord.slice(0, whole).reduce((a, b) => a + b, 0);
        expect(await readAllLabels(dir)).toEqual(labels.slice(0, kept));
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it('rebuilds a log torn while its header was being written', async () => {
    const dir = newDir();
    await writeLog(dir, 0);
    const file = join(dir, LOG_FILE_NAME);
    truncateSync(file, 3);
    const store = await createEmbeddedStore(dir);
    expect(store.openReport.truncatedBytes).toBe(3);
    await store.append('S', [testEvent('first')]);
    await store.close();
    expect(await readAllLabels(dir)).toEqual(['first']);
  });
});

describe('embedded log: corruption before the tail', () => {
  it('refuses to open, naming the file and the byte offset of the bad record', async () => {
    const dir = newDir();
    await writeLog(dir, 5);
    const file = join(dir, LOG_FILE_NAME);
    const offsets = recordOffsets(file);
    flipByte(file, offsets[1]! + 20);
    const error = await createEmbeddedStore(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLogCorruptedError(error)).toBe(true);
    if (!isLogCorruptedError(error)) return;
    expect(error.file).toBe(file);
    expect(error.offset).toBe(offsets[1]);
    expect(error.message).toContain(file);
    expect(error.message).toContain(`byte offset ${offsets[1]}`);
    expect(error.message).toContain('orrery store repair');
    // Nothing was changed by the refused open.
    expect(readFileSync(file).length).toBe(offsets[offsets.length - 1]);
  });

  it('refuses a file that is not an Orrery log, and repair will not touch it', async () => {
    const dir = newDir();
    await writeLog(dir, 0);
    const file = join(dir, LOG_FILE_NAME);
    writeFileSync(file, 'some other file, not a log at all');
    await expect(createEmbeddedStore(dir)).rejects.toThrowError(/not an Orrery log/);
    expect(() => repairEmbeddedLog(dir)).toThrowError(/not an Orrery log/);
    expect(readFileSync(file, 'utf8')).toBe('some other file, not a log at all');
  });
});

describe('embedded log: repair', () => {
  it('truncates at the first bad record and reports the intact records it dropped', async () => {
    const dir = newDir();
    const labels = await writeLog(dir, 5);
    const file = join(dir, LOG_FILE_NAME);
    const offsets = recordOffsets(file);
    flipByte(file, offsets[2]! + 25);
    const report = repairEmbeddedLog(dir);
    expect(report).toEqual({
      file,
      repaired: true,
      keptEvents: 3,
      truncatedAt: offsets[2],
      reason: 'CRC mismatch',
      droppedBytes: offsets[5]! - offsets[2]!,
      droppedIntactRecords: 2,
      droppedIntactEvents: 3,
      droppedPositions: [7, 9],
    });
    expect(await readAllLabels(dir)).toEqual(labels.slice(0, 3));
  });

  it('changes nothing in an intact log', async () => {
    const dir = newDir();
    const labels = await writeLog(dir, 3);
    const before = readFileSync(join(dir, LOG_FILE_NAME));
    expect(repairEmbeddedLog(dir)).toMatchObject({ repaired: false, keptEvents: 6, droppedBytes: 0 });
    expect(readFileSync(join(dir, LOG_FILE_NAME)).equals(before)).toBe(true);
    expect(await readAllLabels(dir)).toEqual(labels);
  });
});

describe('embedded log: durability', () => {
  it('shows an appended event to readers and subscribers only once it is durable', async () => {
    const dir = newDir();
    const store = await createEmbeddedStore(dir);
    await store.append('S', [testEvent('e1')]);
    const seen: number[] = [];
    const subscription = store.subscribe(0).subscribe((event) => seen.push(event.position));
    const pipelined = store.appendNow('S', [testEvent('e2')]);
    expect(pipelined.events[0]!.position).toBe(2);
    expect(await store.head()).toBe(1);
    expect(await store.streamRevision('S')).toBe(0);
    const all: number[] = [];
    for await (const event of store.readAll()) all.push(event.position);
    expect(all).toEqual([1]);
    expect(seen).toEqual([1]);
    await pipelined.durable;
    expect(seen).toEqual([1, 2]);
    expect(await store.head()).toBe(2);
    expect(await store.streamRevision('S')).toBe(1);
    subscription.unsubscribe();
    await store.close();
  });

  it('groups appends issued together into one commit and resolves them all', async () => {
    const dir = newDir();
    const store = await createEmbeddedStore(dir);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.append(`S${i % 9}`, [testEvent(`e${i}`)])));
    expect(results.map((r) => r.position)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const replayed = await firstValueFrom(store.subscribe(150).pipe(take(50), toArray()));
    expect(replayed.map(label)).toEqual(Array.from({ length: 50 }, (_, i) => `e${150 + i}`));
    await store.close();
  });
});

describe('embedded log: one writer per directory', () => {
  it('refuses a second open while the first is open, and allows it after close', async () => {
    const dir = newDir();
    const first = await createEmbeddedStore(dir);
    await expect(createEmbeddedStore(dir)).rejects.toThrowError(/in use by process/);
    expect(() => repairEmbeddedLog(dir)).toThrowError(/in use by process/);
    await first.close();
    const second = await createEmbeddedStore(dir);
    await second.close();
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = newDir();
    await writeLog(dir, 1);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, LOCK_FILE_NAME), String(dead));
    expect(await readAllLabels(dir)).toEqual(['r0e0']);
  });
});
