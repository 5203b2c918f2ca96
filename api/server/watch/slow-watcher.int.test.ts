import { afterEach, describe, expect, it } from 'vitest';
import { get, type IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { createSimulatedCluster, type SimulatedCluster } from '../../../projections/engine/simulated-cluster.ts';
import { createApiServer } from '../create-api-server.ts';

let cluster: SimulatedCluster | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  await cluster?.close();
});

describe('a watcher that stops reading', () => {
  it('is closed once it leaves too much unread, instead of being buffered for without limit', async () => {
    cluster = await createSimulatedCluster({ controllers: [], nodes: 1 });
    app = createApiServer({ cluster });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const response = await new Promise<IncomingMessage>((resolve) => get(`http://127.0.0.1:${port}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${cluster!.state.position}`, resolve));
    response.pause();
    const ended = new Promise<void>((resolve) => response.on('close', resolve));
    // 48 MiB of changes: far past the 16 MiB cap plus what the kernel's socket buffers hold.
    const blob = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 192; i++) {
      const result = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', payload: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { blob } } });
      expect(result.statusCode).toBe(201);
    }
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    response.resume();
    await ended;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(48 * 1024 * 1024);
  }, 60_000);
});
