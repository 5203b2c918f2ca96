import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseAllDocuments } from 'yaml';
import { apiErrors } from '../../core/errors.ts';
import { decodeKubernetesProtobuf } from './protobuf/k8s-protobuf.ts';

/** The media type without parameters, lower-cased: `application/json`. */
export function mediaTypeOf(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchMediaType = (typeof PATCH_MEDIA_TYPES)[number];

/**
 * Keeps every body as raw bytes; handlers decode them with `decodeBody`, so that each content type's
 * failure comes back as the Kubernetes Status a client expects (400 for malformed, 415 for unknown).
 */
export function rawBodyPlugin(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}

function rawBody(request: FastifyRequest): Buffer | undefined {
  const body = request.body;
  if (body === undefined || body === null) return undefined;
  return Buffer.isBuffer(body) ? body : Buffer.from(String(body));
}

/** Decodes a JSON, YAML or protobuf object body; `undefined` when the request has none. */
export function decodeBody(request: FastifyRequest): Record<string, unknown> | undefined {
  const body = rawBody(request);
  if (!body || body.length === 0) return undefined;
  const mediaType = mediaTypeOf(request);
  switch (mediaType) {
    case '':
    case 'application/json':
      return parseJsonObject(body.toString('utf8'));
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return parseYamlObject(body.toString('utf8'));
    case 'application/vnd.kubernetes.protobuf':
      return decodeKubernetesProtobuf(body);
    default:
      throw apiErrors.unsupportedMediaType(mediaType);
  }
}

/** A patch body as its media type defines it: a JSON array for JSON patch, an object otherwise. */
export function decodePatchBody(request: FastifyRequest): { type: PatchMediaType; patch: unknown } {
  const mediaType = mediaTypeOf(request);
  if (!(PATCH_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    throw apiErrors.unsupportedMediaType(mediaType || 'none');
  }
  const type = mediaType as PatchMediaType;
  const text = (rawBody(request) ?? Buffer.alloc(0)).toString('utf8');
  if (type === 'application/apply-patch+yaml') return { type, patch: parseYamlObject(text) };
  let patch: unknown;
  try {
    patch = JSON.parse(text);
  } catch (error) {
    throw apiErrors.badRequest(`error decoding patch: ${(error as Error).message}`);
  }
  if (type === 'application/json-patch+json' && !Array.isArray(patch)) throw apiErrors.badRequest('json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
  if (type !== 'application/json-patch+json' && (patch === null || typeof patch !== 'object' || Array.isArray(patch))) {
    throw apiErrors.badRequest('error decoding patch: the patch must be a JSON object');
  }
  return { type, patch };
}

export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw apiErrors.badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw apiErrors.badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  return value as Record<string, unknown>;
}

export function parseYamlObject(text: string): Record<string, unknown> {
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  const errors = list.flatMap((d) => d.errors);
  if (errors.length) throw apiErrors.badRequest(`error converting YAML to JSON: ${errors[0]!.message}`);
  const values = list.map((d) => d.toJS()).filter((v) => v !== null && v !== undefined);
  if (values.length !== 1) throw apiErrors.badRequest(`error converting YAML to JSON: expected exactly one object, found ${values.length}`);
  const value = values[0];
  if (typeof value !== 'object' || Array.isArray(value)) throw apiErrors.badRequest('error converting YAML to JSON: the document is not an object');
  return value as Record<string, unknown>;
}
