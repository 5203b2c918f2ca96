import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createSimulatedCluster, type SimulatedCluster } from '../../../projections/engine/simulated-cluster.ts';
import { createApiServer } from '../create-api-server.ts';

let cluster: SimulatedCluster;
let app: FastifyInstance;

beforeEach(async () => {
  cluster = await createSimulatedCluster({ controllers: [], nodes: 1 });
  app = createApiServer({ cluster });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await cluster.close();
});

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

describe('watches that share their lines', () => {
  it('each get exactly the changes after their own resourceVersion, in log order, however many watch the same and whenever they start', async () => {
    const watches: Array<{ from: number; selector: boolean; body: Promise<string> }> = [];
    const startWatch = (from: number, selector: boolean) =>
      watches.push({ from, selector, body: app.inject(`${CONFIGMAPS}?watch=true&resourceVersion=${from}&timeoutSeconds=3${selector ? '&labelSelector=even%3Dyes' : ''}`).then((response) => response.body) });
    const created: Array<{ name: string; rv: number; even: boolean }> = [];
    for (let i = 0; i < 40; i++) {
      // Watches start all along the stream, so that they catch up and join their channel while others are live in it.
      if (i % 5 === 0) {
        const from = cluster.state.position;
        startWatch(from, false);
        startWatch(from, false);
        startWatch(from, true);
        if (i > 0) startWatch(created[i - 3]!.rv, false);
      }
      const even = i % 2 === 0;
      const response = await app.inject({ method: 'POST', url: CONFIGMAPS, payload: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, ...(even ? { labels: { even: 'yes' } } : {}) } } });
      expect(response.statusCode).toBe(201);
      created.push({ name: `c${i}`, rv: Number(response.json().metadata.resourceVersion), even });
      // Let output ticks pass now and then (watches join between ticks).
      if (i % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const bodies = await Promise.all(watches.map((watch) => watch.body));
    watches.forEach((watch, w) => {
      const events = bodies[w]!.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; object: { metadata: { name: string; resourceVersion: string } } });
      const expected = created.filter((c) => c.rv > watch.from && (!watch.selector || c.even));
      expect(events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`), `watch ${w} from ${watch.from}`).toEqual(expected.map((c) => `ADDED ${c.name} ${c.rv}`));
    });
    // Watches asking the same from the same point send the same bytes.
    expect(bodies[1]).toBe(bodies[0]);
  }, 20_000);

  it('are never shared between two servers in one process', async () => {
    const otherCluster = await createSimulatedCluster({ controllers: [], nodes: 1 });
    const other = createApiServer({ cluster: otherCluster });
    await other.ready();
    try {
      const servers = [
        { app, cluster, prefix: 'one' },
        { app: other, cluster: otherCluster, prefix: 'two' },
      ];
      const watches = servers.map(({ app: server, cluster: c }) => server.inject(`${CONFIGMAPS}?watch=true&resourceVersion=${c.state.position}&timeoutSeconds=2`).then((response) => response.body));
      for (let i = 0; i < 12; i++) {
        for (const { app: server, prefix } of servers) {
          const response = await server.inject({ method: 'POST', url: CONFIGMAPS, payload: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i}` } } });
          expect(response.statusCode).toBe(201);
        }
        // Ticks pass, so both watches join their channels while the other server's is live.
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const bodies = await Promise.all(watches);
      servers.forEach(({ prefix }, s) => {
        const names = bodies[s]!.trim().split('\n').map((line) => (JSON.parse(line) as { object: { metadata: { name: string } } }).object.metadata.name);
        expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `${prefix}-${i}`));
      });
    } finally {
      await other.close();
      await otherCluster.close();
    }
  }, 20_000);
});
