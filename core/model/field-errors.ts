import type { StatusCause } from '../errors.ts';

/**
 * Field errors worded as Kubernetes' `field.Error.ErrorBody()` words them, carried as StatusCauses
 * (`reason` = the cause type, `field` = the path, `message` = the body without the path).
 */
export type FieldErrorReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound';

/** How Go's field errors print a bad value: strings quoted, numbers and booleans bare. */
export function formatBadValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return 'null';
  if (isStringMap(value)) {
    // Go's %#v of a map[string]string, which sorts keys: map[string]string{"app":"web"}
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(value[k])}`);
    return `map[string]string{${entries.join(', ')}}`;
  }
  return JSON.stringify(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === 'string');
}

function cause(reason: FieldErrorReason, field: string, body: string, detail?: string): StatusCause {
  return { reason, message: detail ? `${body}: ${detail}` : body, field };
}

export const fieldErrors = {
  required: (field: string, detail?: string) => cause('FieldValueRequired', field, 'Required value', detail),
  invalid: (field: string, value: unknown, detail?: string) => cause('FieldValueInvalid', field, `Invalid value: ${formatBadValue(value)}`, detail),
  notSupported: (field: string, value: unknown, supported: readonly string[]) =>
    cause('FieldValueNotSupported', field, `Unsupported value: ${formatBadValue(value)}`, supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : undefined),
  duplicate: (field: string, value: unknown) => cause('FieldValueDuplicate', field, `Duplicate value: ${formatBadValue(value)}`),
  forbidden: (field: string, detail: string) => cause('FieldValueForbidden', field, 'Forbidden', detail),
  tooLong: (field: string, maxLength: number) => cause('FieldValueTooLong', field, 'Too long', `may not be more than ${maxLength} bytes`),
  tooMany: (field: string, actual: number, max: number) => cause('FieldValueTooMany', field, `Too many: ${actual}`, `must have at most ${max} items`),
  notFound: (field: string, value: unknown) => cause('FieldValueNotFound', field, `Not found: ${formatBadValue(value)}`),
};

/** Joins path segments the way field.Path prints them: `spec.containers[0].image`, `metadata.labels[app]`. */
export function fieldPath(base: string, ...segments: (string | number)[]): string {
  let path = base;
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (segment.startsWith('[')) path += segment;
    else path += path ? `.${segment}` : segment;
  }
  return path;
}

/** `field.ErrorList.ToAggregate().Error()` style summary: one cause, or `[a, b]` for several. */
export function formatCauses(causes: readonly StatusCause[]): string {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  return parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`;
}
