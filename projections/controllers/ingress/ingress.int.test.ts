import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../../../api/server/create-api-server.ts';
import { type SimulatedCluster, createSimulatedCluster } from '../../engine/simulated-cluster.ts';

const ingress = (name: string, services: string[]) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name },
  spec: {
    rules: [
      {
        host: `${name}.example.com`,
        http: { paths: services.map((service, i) => ({ path: `/${i}`, pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } })) },
      },
    ],
  },
});

const service = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });

let cluster: SimulatedCluster | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  await cluster?.close();
});

async function start() {
  cluster = await createSimulatedCluster({ nodes: 1 });
  app = createApiServer({ cluster });
  await app.ready();
  return { cluster, app };
}

async function post(app: FastifyInstance, path: string, body: unknown) {
  const response = await app.inject({ method: 'POST', url: path, payload: body as object });
  expect(response.statusCode, response.body).toBe(201);
}

async function warnings(app: FastifyInstance) {
  const events = (await app.inject('/api/v1/namespaces/default/events')).json().items as Array<{ type: string; reason: string; message: string; involvedObject: { kind: string; name: string } }>;
  return events.filter((e) => e.type === 'Warning' && e.involvedObject.kind === 'Ingress').map((e) => `${e.involvedObject.name}: ${e.reason}: ${e.message}`);
}

describe('Ingress', () => {
  it('gets a load-balancer address from the simulated ingress controller, a different one per Ingress', async () => {
    const { cluster, app } = await start();
    await post(app, '/api/v1/namespaces/default/services', service('web'));
    await post(app, '/apis/networking.k8s.io/v1/namespaces/default/ingresses', ingress('shop', ['web']));
    await post(app, '/apis/networking.k8s.io/v1/namespaces/default/ingresses', ingress('blog', ['web']));
    await cluster.engine.settle();
    const shop = (await app.inject('/apis/networking.k8s.io/v1/namespaces/default/ingresses/shop')).json();
    const blog = (await app.inject('/apis/networking.k8s.io/v1/namespaces/default/ingresses/blog')).json();
    expect(shop.status.loadBalancer.ingress).toEqual([{ ip: '172.18.254.1' }]);
    expect(blog.status.loadBalancer.ingress).toEqual([{ ip: '172.18.254.2' }]);
    expect(await warnings(app)).toEqual([]);
  });

  it('warns when a rule points at a Service that does not exist, and when a Service it uses is deleted', async () => {
    const { cluster, app } = await start();
    await post(app, '/api/v1/namespaces/default/services', service('api'));
    await post(app, '/apis/networking.k8s.io/v1/namespaces/default/ingresses', ingress('shop', ['api', 'missing']));
    await cluster.engine.settle();
    expect(await warnings(app)).toEqual(['shop: ServiceNotFound: Ingress default/shop routes to service "missing", which does not exist']);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/default/services/api' })).statusCode).toBe(200);
    await cluster.engine.settle();
    expect(await warnings(app)).toContain('shop: ServiceNotFound: Ingress default/shop routes to service "api", which does not exist');
  });
});
