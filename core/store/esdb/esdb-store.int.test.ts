import { randomUUID } from 'node:crypto';
import type { EventStore } from '../event-store.ts';
import { describeEventStoreContract } from '../event-store.contract.ts';
import { createEsdbStore } from './esdb-store.ts';

// Needs a running EventStoreDB, e.g. `docker run -p 2113:2113 eventstore/eventstore --insecure --run-projections=None`
// and ORRERY_ESDB_URL=esdb://localhost:2113?tls=false. Each fresh store is its own namespace on that server.
const url = process.env.ORRERY_ESDB_URL;

describeEventStoreContract(
  'EventStoreDB adapter',
  async () => {
    const namespace = `contract-${randomUUID()}`;
    let store: EventStore = await createEsdbStore(url!, { namespace });
    return {
      store,
      async reopen() {
        await store.close();
        store = await createEsdbStore(url!, { namespace });
        return store;
      },
    };
  },
  url ? {} : { skip: 'set ORRERY_ESDB_URL=esdb://... to run; no server on this machine' },
);
