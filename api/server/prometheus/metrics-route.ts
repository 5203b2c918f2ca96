import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from './api-metrics.ts';

/** `GET /metrics`: the API server's own metrics in Prometheus' text format (behind the bearer token, like every path). */
export function metricsRoute(app: FastifyInstance, metrics: ApiMetrics): void {
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.header('content-type', contentType).send(body);
  });
}
