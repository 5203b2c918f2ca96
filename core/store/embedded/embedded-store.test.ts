import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { EventStore } from '../event-store.ts';
import { describeEventStoreContract } from '../event-store.contract.ts';
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

describeEventStoreContract('embedded log (O_DSYNC)', async () => {
  const dir = join(root, String(next++));
  let store: EventStore = await createEmbeddedStore(dir, { sync: 'o_dsync' });
  return {
    store,
    async reopen() {
      await store.close();
      store = await createEmbeddedStore(dir, { sync: 'o_dsync' });
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
