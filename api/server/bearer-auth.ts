import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { apiErrors } from '../../core/errors.ts';
import { sendStatus } from './status-errors.ts';

/** Requires `Authorization: Bearer <token>` on every request when a token is configured. */
export function bearerAuthPlugin(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  const expected = Buffer.from(`Bearer ${token}`);
  app.addHook('onRequest', async (request, reply) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return sendStatus(reply, apiErrors.unauthorized());
  });
}
