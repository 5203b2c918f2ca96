import { apiErrors } from '../../../core/errors.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { findUnknownFields, strictDecodingError, unknownFieldWarnings } from '../../openapi/unknown-fields.ts';
import type { ResourceScope } from './request-scope.ts';

/** Adds `Warning: 299 - "..."` headers, the way the apiserver reports non-fatal problems. */
export function addWarnings(scope: Pick<ResourceScope, 'reply'>, warnings: string[]): void {
  if (warnings.length === 0) return;
  const existing = scope.reply.getHeader('warning');
  const values = [...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []), ...warnings.map((w) => `299 - ${JSON.stringify(w)}`)];
  scope.reply.header('warning', values);
}

/**
 * `?fieldValidation=Strict|Warn|Ignore` on a full object body (create, update): Strict answers 400
 * for unknown fields, Warn (the default) answers with Warning headers, Ignore says nothing.
 */
export function checkFieldValidation(scope: ResourceScope, object: KubeObject): void {
  const directive = scope.query.fieldValidation ?? 'Warn';
  if (directive !== 'Strict' && directive !== 'Warn' && directive !== 'Ignore') {
    throw apiErrors.badRequest(`fieldValidation: Unsupported value: "${directive}": supported values: "Ignore", "Strict", "Warn"`);
  }
  if (directive === 'Ignore') return;
  const unknown = unknownFieldsOf(scope, object);
  if (unknown.length === 0) return;
  if (directive === 'Strict') throw strictDecodingError(unknown, { kind: scope.type.kind, version: scope.version });
  addWarnings(scope, unknownFieldWarnings(unknown));
}

/** Fields of a request's object its kind's schema does not declare. */
export function unknownFieldsOf(scope: Pick<ResourceScope, 'type'>, object: KubeObject): string[] {
  return scope.type.unknownFields ? scope.type.unknownFields(object) : findUnknownFields(object, scope.type.kind, object.apiVersion);
}
