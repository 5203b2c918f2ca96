import type { EventStore } from './event-store.ts';
import { describeEventStoreContract } from './event-store.contract.ts';
import { createInMemoryStore } from './in-memory-store.ts';

describeEventStoreContract('in-memory store', async () => {
  let store = createInMemoryStore();
  return {
    store,
    async reopen(): Promise<EventStore> {
      await store.close();
      store = createInMemoryStore(store.events());
      return store;
    },
  };
});
