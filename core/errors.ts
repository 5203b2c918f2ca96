/**
 * Every error a client can see, coded the way Kubernetes codes them. `toStatus()` gives the
 * metav1.Status body; the API layer sends it with `code` as the HTTP status.
 */
export type StatusReason =
  | 'BadRequest'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'Gone'
  | 'Unauthorized'
  | 'InternalError'
  | 'Timeout'
  /** StatusReasonUnknown: what the apiserver answers (code 500) for an error it did not classify. */
  | '';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason | '';
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): KubeStatus {
    const status: KubeStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** `resource` is the plural with its group, as Kubernetes words it: `pods`, `deployments.apps`. */
export const apiErrors = {
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  notFound: (resource: string, name: string, group?: string) =>
    new ApiError(404, 'NotFound', `${resource}${group ? '.' + group : ''} "${name}" not found`, { name, kind: resource, ...(group ? { group } : {}) }),
  alreadyExists: (resource: string, name: string, group?: string) =>
    new ApiError(409, 'AlreadyExists', `${resource}${group ? '.' + group : ''} "${name}" already exists`, { name, kind: resource, ...(group ? { group } : {}) }),
  conflict: (resource: string, name: string, why: string, group?: string) =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource}${group ? '.' + group : ''} "${name}": ${why}`, {
      name,
      kind: resource,
      ...(group ? { group } : {}),
    }),
  /** `kind` is the Kind (`Deployment`), as Kubernetes words Invalid errors. */
  invalid: (kind: string, name: string, causes: StatusCause[], group?: string) =>
    new ApiError(
      422,
      'Invalid',
      `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ')}`,
      { name, kind, ...(group ? { group } : {}), causes },
    ),
  forbidden: (resource: string, name: string, why: string, group?: string) =>
    new ApiError(403, 'Forbidden', `${resource}${group ? '.' + group : ''} "${name}" is forbidden: ${why}`, { name, kind: resource, ...(group ? { group } : {}) }),
  methodNotAllowed: (message: string) => new ApiError(405, 'MethodNotAllowed', message),
  unsupportedMediaType: (contentType: string) => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`, { causes: [{ message: `unsupported content type ${contentType}` }] }),
  tooLarge: (limit: number) => new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  tooManyRequests: (message: string, retryAfterSeconds?: number) =>
    new ApiError(429, 'TooManyRequests', message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds }),
  gone: (message: string) => new ApiError(410, 'Gone', message),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  internal: (message: string) => new ApiError(500, 'InternalError', message),
};
