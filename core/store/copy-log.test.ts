import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../events.ts';
import { copyLog } from './copy-log.ts';
import { createEmbeddedStore } from './embedded/embedded-store.ts';
import { createInMemoryStore } from './in-memory-store.ts';

async function collect(iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

describe('copyLog', () => {
  it('writes a log into a durable store with the same positions, streams and revisions', async () => {
    const source = createInMemoryStore();
    for (let i = 0; i < 300; i++) {
      await source.append(`Pod/default/p${i % 7}`, [{ type: 'ClockAdvanced', data: { time: i }, metadata: { actor: 'clock', time: i } }]);
    }
    const dir = await mkdtemp(join(tmpdir(), 'orrery-copy-'));
    const target = await createEmbeddedStore(dir);
    await copyLog(source.events(), target);
    await target.close();
    const reopened = await createEmbeddedStore(dir);
    expect(await collect(reopened.readAll(0))).toEqual(source.events());
    await reopened.close();
  });

  it('refuses a store that already has events', async () => {
    const target = createInMemoryStore();
    await target.append('x', [{ type: 'ClockAdvanced', data: { time: 1 }, metadata: { actor: 'clock', time: 1 } }]);
    await expect(copyLog([], target)).rejects.toThrow('not empty');
  });
});
