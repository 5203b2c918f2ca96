import { ApiError, apiErrors, isApiError } from '../../core/errors.ts';
import { isNotFoundError } from '../service/explain.ts';
import { isBadRequestError } from '../service/session.ts';
import { isRecordingFormatError } from '../service/recording-file.ts';

/** The replay service's errors as the Kubernetes Status a client of this API expects. */
export function replayApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  if (isNotFoundError(error)) return new ApiError(404, 'NotFound', error.message, {});
  if (isBadRequestError(error) || isRecordingFormatError(error)) return apiErrors.badRequest(error.message);
  const fastifyError = error as { statusCode?: number; message?: string };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ApiError(fastifyError.statusCode, 'BadRequest', fastifyError.message ?? 'bad request');
  }
  return apiErrors.internal(error instanceof Error ? error.message : String(error));
}
