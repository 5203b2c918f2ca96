import jsonPatch from 'fast-json-patch';
import { ApiError } from '../../core/errors.ts';
import { cloneJson, isPlainObject } from './json-values.ts';

/**
 * RFC 6902 JSON patch (`application/json-patch+json`), as kube-apiserver applies it: the whole
 * patch or nothing, worded like evanphx/json-patch, which Kubernetes uses.
 */

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/**
 * What Kubernetes answers when a JSON patch cannot be applied: 422 with a generic message and the
 * patch library's error as the cause.
 */
export function jsonPatchApplyError(detail: string): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ message: detail }] });
}

function decodeError(patch: unknown): ApiError {
  const got = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch === 'object' ? 'object' : typeof patch === 'string' ? 'string' : typeof patch;
  return new ApiError(400, 'BadRequest', `json: cannot unmarshal ${got} into Go value of type jsonpatch.Patch`);
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The container a path's last segment lives in, and that segment; undefined when the parent is missing. */
function locate(document: unknown, path: string): { container: unknown; key: string } | undefined {
  const segments = path.split('/').slice(1).map(unescape);
  let container: unknown = document;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(container)) {
      const index = Number(segment);
      if (!/^\d+$/.test(segment) || index >= container.length) return undefined;
      container = container[index];
    } else if (isPlainObject(container)) {
      if (!(segment in container)) return undefined;
      container = container[segment];
    } else {
      return undefined;
    }
  }
  if (!Array.isArray(container) && !isPlainObject(container)) return undefined;
  return { container, key: segments[segments.length - 1] ?? '' };
}

function has(location: { container: unknown; key: string }): boolean {
  const { container, key } = location;
  if (Array.isArray(container)) return /^\d+$/.test(key) && Number(key) < container.length;
  return Object.prototype.hasOwnProperty.call(container, key);
}

/** evanphx/json-patch's complaint for an operation that does not fit the document, or undefined. */
function checkOperation(document: unknown, operation: Operation): string | undefined {
  const { op, path } = operation;
  if (path === undefined) return `${op} operation does not apply: doc is missing path: "": missing value`;
  if (path === '') return undefined;
  const location = locate(document, path);
  switch (op) {
    case 'add':
      if (!location) return `add operation does not apply: doc is missing path: "${path}": missing value`;
      if (Array.isArray(location.container) && location.key !== '-' && !(/^\d+$/.test(location.key) && Number(location.key) <= location.container.length))
        return `add operation does not apply: doc is missing path: "${path}": missing value`;
      return undefined;
    case 'remove':
      if (!location) return `remove operation does not apply: doc is missing path: "${path}": missing value`;
      if (!has(location)) return `error in remove for path: '${path}': Unable to remove nonexistent key: ${location.key}: missing value`;
      return undefined;
    case 'replace':
      if (!location) return `replace operation does not apply: doc is missing path: ${path}: missing value`;
      if (!has(location)) return `replace operation does not apply: doc is missing key: ${path}: missing value`;
      return undefined;
    case 'move':
    case 'copy': {
      const from = operation.from === undefined ? undefined : locate(document, operation.from);
      if (!from || !has(from)) return `${op} operation does not apply: doc is missing from path: ${operation.from ?? ''}: missing value`;
      if (!location) return `${op} operation does not apply: doc is missing destination path: ${path}: missing value`;
      return undefined;
    }
    case 'test':
      if (!location) return `test operation does not apply: is missing path: ${path}: missing value`;
      return undefined;
    default:
      return `Unexpected kind: ${op}`;
  }
}

/** Applies an RFC 6902 patch to a copy of `current`. Throws ApiError (400 malformed, 422 does not apply). */
export function applyJsonPatch<T>(current: T, patch: unknown): T {
  if (!Array.isArray(patch)) throw decodeError(patch);
  let document: unknown = cloneJson(current);
  for (const raw of patch) {
    if (!isPlainObject(raw)) throw new ApiError(400, 'BadRequest', `json: cannot unmarshal ${Array.isArray(raw) ? 'array' : typeof raw} into Go value of type jsonpatch.Operation`);
    const operation = raw as unknown as Operation;
    const problem = checkOperation(document, operation);
    if (problem) throw jsonPatchApplyError(problem);
    if (operation.op === 'test') {
      const actual = operation.path === '' ? document : jsonPatch.getValueByPointer(document, operation.path);
      if (!jsonPatch._areEquals(actual, operation.value)) throw jsonPatchApplyError(`testing value ${operation.path} failed: test failed`);
      continue;
    }
    try {
      document = jsonPatch.applyOperation(document, cloneJson(operation) as jsonPatch.Operation, false, true, true).newDocument;
    } catch (error) {
      throw jsonPatchApplyError(error instanceof Error ? error.message : String(error));
    }
  }
  return document as T;
}
