import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../events.ts';
import type { EventStore } from '../event-store.ts';
import { describeEventStoreContract, testEvent } from '../event-store.contract.ts';
import { createEmbeddedStore } from './embedded-store.ts';

const root = mkdtempSync(join(tmpdir(), 'orrery-embedded-contract-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let next = 0;

describeEventStoreContract('embedded log', async () => {
  const dir = join(root, String(next++));
  let store: EventStore = await createEmbeddedStore(dir);
  return {
    store,
    async reopen() {
      await store.close();
      store = await createEmbeddedStore(dir);
      return store;
    },
  };
});

describeEventStoreContract('embedded log (fdatasync)', async () => {
  const dir = join(root, String(next++));
  let store: EventStore = await createEmbeddedStore(dir, { sync: 'fdatasync' });
  return {
    store,
    async reopen() {
      await store.close();
      store = await createEmbeddedStore(dir, { sync: 'fdatasync' });
      return store;
    },
  };
});

describeEventStoreContract('embedded log (record format 1, as logs written before format 2)', async () => {
  const dir = join(root, String(next++));
  let store: EventStore = await createEmbeddedStore(dir, { recordFormat: 1 });
  return {
    store,
    async reopen() {
      await store.close();
      // Reopened without the option: an existing log keeps its own format.
      store = await createEmbeddedStore(dir);
      return store;
    },
  };
});

describe('embedded log: a burst larger than one early commit', () => {
  // 300 appends of ~10 KB in one macrotask: about twelve times the early-commit threshold, so
  // several commits are on their way to disk at once (one at a time with commitsInFlight 1).
  const COUNT = 300;
  it.each([[{}], [{ sync: 'fdatasync' as const }], [{ commitsInFlight: 1 }]])('commits part of a burst while the rest is queued, and keeps every event, in order, durable and delivered live in append order, across a reopen (%j)', async (options) => {
    const dir = join(root, String(next++));
    const store = await createEmbeddedStore(dir, options);
    const live: number[] = [];
    const subscription = store.subscribe(0).subscribe((event) => live.push(event.position));
    const padding = 'x'.repeat(10_000);
    const resolved: number[] = [];
    const appends = Array.from({ length: COUNT }, (_, i) => {
      const { durable } = store.appendNow(`s${i % 3}`, [{ ...testEvent(i), data: { time: i, label: i, padding } } as unknown as NewEvent]);
      return durable.then((result) => resolved.push(result.position));
    });
    await Promise.all(appends);
    subscription.unsubscribe();
    expect(resolved).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
    expect(live).toEqual(resolved);
    expect(await store.head()).toBe(COUNT);
    const read = async (s: EventStore) => {
      const out: number[] = [];
      for await (const event of s.readAll()) out.push((event.data as unknown as { label: number }).label);
      return out;
    };
    expect(await read(store)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    await store.close();
    const reopened = await createEmbeddedStore(dir);
    expect(reopened.openReport.truncatedBytes).toBe(0);
    expect(await read(reopened)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    await reopened.close();
  });
});
