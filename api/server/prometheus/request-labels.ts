/**
 * The labels kube-apiserver gives a resource request in `apiserver_request_total` and
 * `apiserver_request_duration_seconds` (k8s.io/apiserver/pkg/endpoints/metrics), worked out from
 * what Orrery's resource router resolved. Pure and cheap: it runs once per request.
 *
 * - `scope`: `resource` for a path naming an object (and for every POST), `namespace` for a
 *   namespaced kind's collection in one namespace, `cluster` for a cluster-scoped kind's collection
 *   and for a namespaced kind listed across all namespaces (the installer's rules).
 * - `verb`: the HTTP method, except GET (and HEAD) outside `resource` scope is `LIST`, a watch is
 *   `WATCH`, a PATCH with the server-side apply media type is `APPLY`, and the streaming
 *   subresources (`log`, `exec`, `attach`, `portforward`, `proxy`) are `CONNECT`. So a create is
 *   `POST`, an update `PUT`, a deletecollection `DELETE` with `namespace` or `cluster` scope.
 * - `dry_run`: `""`, or the dryRun values (Orrery accepts only `All`; anything else is `invalid`).
 */
export interface RequestLabels {
  verb: string;
  dry_run: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: 'resource' | 'namespace' | 'cluster';
}

/** What the router resolved of a request: the request line and the path's parts. */
export interface ResolvedRequest {
  method: string;
  group: string;
  version: string;
  /** The kind's plural and whether it is namespaced. */
  resource: string;
  namespaced: boolean;
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
  /** `?watch=` as sent. */
  watch?: string | undefined;
  /** `?dryRun=` as sent. */
  dryRun?: string | undefined;
  /** The Content-Type header. */
  contentType?: string | undefined;
}

const APPLY_PATCH = 'application/apply-patch+yaml';
const CONNECT_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

/** Whether `?watch=` asks for a watch, as the resource router reads it. */
export function isWatchValue(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

export function scopeOf(request: Pick<ResolvedRequest, 'method' | 'namespaced' | 'namespace' | 'name'>): RequestLabels['scope'] {
  // A namespaced kind across all namespaces (only LIST and WATCH are served there).
  if (request.namespaced && request.namespace === undefined) return 'cluster';
  if (request.name !== undefined || request.method === 'POST') return 'resource';
  return request.namespaced ? 'namespace' : 'cluster';
}

export function verbOf(request: ResolvedRequest, scope: RequestLabels['scope']): string {
  const method = request.method;
  if (request.subresource !== undefined && CONNECT_SUBRESOURCES.has(request.subresource)) return 'CONNECT';
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (isWatchValue(request.watch)) return 'WATCH';
      return scope === 'resource' ? 'GET' : 'LIST';
    case 'PATCH':
      return isApplyPatch(request.contentType) ? 'APPLY' : 'PATCH';
    case 'POST':
    case 'PUT':
    case 'DELETE':
      return method;
    default:
      return 'other';
  }
}

function isApplyPatch(contentType: string | undefined): boolean {
  if (!contentType) return false;
  // The apiserver compares the whole header; kubectl sends the bare media type, a parameter is tolerated.
  return contentType === APPLY_PATCH || contentType.split(';', 1)[0]!.trim().toLowerCase() === APPLY_PATCH;
}

export function dryRunOf(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  return value === 'All' ? 'All' : 'invalid';
}

export function requestLabels(request: ResolvedRequest): RequestLabels {
  const scope = scopeOf(request);
  return {
    verb: verbOf(request, scope),
    dry_run: dryRunOf(request.dryRun),
    group: request.group,
    version: request.version,
    resource: request.resource,
    subresource: request.subresource ?? '',
    scope,
  };
}
