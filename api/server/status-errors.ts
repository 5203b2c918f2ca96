import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, apiErrors, isApiError, type KubeStatus } from '../../core/errors.ts';

/** Sends a metav1.Status with its code as the HTTP status. */
export function sendStatus(reply: FastifyReply, error: ApiError): FastifyReply {
  const status: KubeStatus = error.toStatus();
  if (error.code === 429 && error.details?.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.details.retryAfterSeconds));
  return reply.code(error.code).header('content-type', 'application/json').send(JSON.stringify(status));
}

/** Maps anything thrown by a handler (or by fastify itself) to the Kubernetes error a client expects. */
export function toApiError(error: unknown, bodyLimit: number): ApiError {
  if (isApiError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiErrors.tooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiErrors.unsupportedMediaType(String(fastifyError.message ?? ''));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return apiErrors.badRequest(fastifyError.message ?? 'bad request');
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ApiError(fastifyError.statusCode, 'BadRequest', fastifyError.message ?? 'bad request');
  }
  return apiErrors.internal(error instanceof Error ? error.message : String(error));
}

/** Every error becomes a metav1.Status; unknown paths are 404 NotFound like the apiserver's. */
export function statusErrorsPlugin(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error, bodyLimit);
    if (apiError.code >= 500) request.log.error({ err: error }, 'request failed');
    return sendStatus(reply, apiError);
  });
  app.setNotFoundHandler((_request, reply) => sendStatus(reply, new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})));
}
