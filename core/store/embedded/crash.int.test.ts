import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoredEvent } from '../../events.ts';
import { createPrng } from '../../prng.ts';
import { LOG_FILE_NAME, createEmbeddedStore } from './embedded-store.ts';
import { LOG_MAGIC, RECORD_HEADER_BYTES } from './record-format.ts';

// A child process appends continuously (eight concurrent writers, batches of 1 to 300 events) and
// prints every acknowledged append; we SIGKILL it at a random moment (every other time also cutting
// the file anywhere after the last acknowledged record, as a power cut may), reopen the same directory and
// check that every acknowledged event is there, in order, and that the log opens as a valid log.
// The child alternates between fdatasync and O_DSYNC every two kills, so each mode is killed 25
// times, with and without power cuts.
const KILLS = 50;
const root = mkdtempSync(join(tmpdir(), 'orrery-crash-'));
const childBundle = join(root, 'crash-child.mjs');
const logDir = join(root, 'log');

beforeAll(() => {
  // Bundled once, so each of the fifty children starts in a fraction of the time a TypeScript loader takes.
  buildSync({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), 'crash-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: childBundle,
    logLevel: 'error',
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Ack {
  first: number;
  last: number;
  stream: string;
  prefix: string;
}

/** Runs one child until `delayMs` after it has opened the log, kills it, and returns what it acknowledged. */
async function runAndKill(seed: number, delayMs: number): Promise<{ acks: Ack[]; openedAt: number }> {
  const child: ChildProcess = spawn(process.execPath, [childBundle, logDir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve();
    });
    child.on('exit', () => reject(new Error(`child exited before opening the log: ${err}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.kill('SIGKILL');
  await exited;
  // Only whole lines: a line cut short names an acknowledged append we cannot parse, and is ignored.
  const lines = out.split('\n').slice(0, -1);
  const openedAt = Number(lines[0]!.split(' ')[1]);
  const acks = lines.slice(1).map((line) => {
    const [first, last, stream, prefix] = line.split(' ');
    return { first: Number(first), last: Number(last), stream: stream!, prefix: prefix! };
  });
  return { acks, openedAt };
}

/** Byte offset just past the record holding `position` (the end of what must survive). */
function endOfPosition(file: string, position: number): number {
  const bytes = readFileSync(file);
  let at = LOG_MAGIC.length;
  while (at < bytes.length && position > 0) {
    const end = at + RECORD_HEADER_BYTES + bytes.readUInt32LE(at + 4);
    const last = bytes.readDoubleLE(at + RECORD_HEADER_BYTES) + bytes.readUInt32LE(at + RECORD_HEADER_BYTES + 12) - 1;
    at = end;
    if (last >= position) break;
  }
  return Math.min(at, bytes.length);
}

function checkAcks(acks: readonly Ack[], byPosition: Map<number, StoredEvent>): void {
  for (const ack of acks) {
    for (let position = ack.first; position <= ack.last; position++) {
      const event = byPosition.get(position);
      expect(event, `acknowledged position ${position} missing after reopen`).toBeDefined();
      expect(event!.stream).toBe(ack.stream);
      expect((event!.data as unknown as { label: string }).label).toBe(`${ack.prefix}-${position - ack.first}`);
      if (position > ack.first) expect(event!.streamRevision).toBe(byPosition.get(position - 1)!.streamRevision + 1);
    }
  }
}

it(`keeps every acknowledged event through ${KILLS} SIGKILLs (half of them with power cuts) mid-append`, async () => {
  const random = createPrng(0xc0ffee);
  const allAcks: Ack[] = [];
  let lastHead = 0;
  let maxAcked = 0;
  let truncations = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const { acks, openedAt } = await runAndKill(1000 + kill, 5 + random.int(56));
    expect(openedAt).toBe(lastHead);
    allAcks.push(...acks);
    // A sync (fdatasync or an O_DSYNC write) makes everything before an acknowledged record durable too, whoever wrote it.
    const acked = (maxAcked = Math.max(maxAcked, ...acks.map((a) => a.last)));
    if (kill % 2 === 1) {
      // A power cut, not just a killed process: everything not yet acknowledged may be lost, and
      // the cut may land anywhere in it, tearing a record.
      const file = join(logDir, LOG_FILE_NAME);
      const mustKeep = endOfPosition(file, acked);
      const size = readFileSync(file).length;
      if (size > mustKeep) truncateSync(file, mustKeep + random.int(size - mustKeep + 1));
    }
    const store = await createEmbeddedStore(logDir);
    if (store.openReport.truncatedBytes > 0) truncations++;
    const head = await store.head();
    expect(head).toBeGreaterThanOrEqual(acked);
    // This round's acknowledged events, read back from the reopened log.
    const from = Math.min(lastHead, head, ...acks.map((a) => a.first - 1));
    const byPosition = new Map<number, StoredEvent>();
    let expected = from + 1;
    for await (const event of store.readAll(from)) {
      expect(event.position).toBe(expected++);
      byPosition.set(event.position, event);
    }
    expect(expected - 1).toBe(head);
    checkAcks(acks, byPosition);
    lastHead = head;
    await store.close();
  }
  // Finally the whole log, front to back, against every acknowledgement of every round.
  const store = await createEmbeddedStore(logDir);
  const byPosition = new Map<number, StoredEvent>();
  let expected = 1;
  for await (const event of store.readAll()) {
    expect(event.position).toBe(expected++);
    byPosition.set(event.position, event);
  }
  checkAcks(allAcks, byPosition);
  await store.close();
  expect(allAcks.length).toBeGreaterThan(KILLS);
  console.log(`crash test: ${KILLS} kills, ${allAcks.length} acknowledged appends, ${lastHead} events in the log, ${truncations} torn tails cut`);
}, 120_000);
