/** Small helpers for decoded JSON values, shared by the patch flavours. */
export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// One implementation of copying and comparing JSON values for the whole project.
export { clonePlain as cloneJson } from '../../projections/write-path/clone-json.ts';
export { jsonEqual } from '../../projections/write-path/json-equal.ts';
