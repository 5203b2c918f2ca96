import { canonicalJson } from './canonical-json.ts';

/**
 * Kubernetes' `controller.ComputeHash`: FNV-1a (32-bit) over the pod template, then the
 * collisionCount as 8 little-endian bytes when given, and the decimal digits of the sum mapped
 * through `rand.SafeEncodeString` into `bcdfghjklmnpqrstvwxz2456789` (so hashes look like
 * `5d59d67564`).
 *
 * Go feeds the hasher with its deep-hash printer's rendering of the Go struct; we feed it the
 * template's canonical JSON (keys sorted, undefined members dropped) instead. The value is thus
 * not byte-equal to a real cluster's, but it has the properties controllers rely on: it is
 * deterministic, equal for equal templates whatever their key order, different (barring FNV
 * collisions) for different templates, and changed by collisionCount.
 */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

export const SAFE_ENCODE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** 32-bit FNV-1a of some bytes, continuing from `hash` (the offset basis by default). */
export function fnv32a(bytes: Uint8Array | readonly number[], hash = FNV32_OFFSET): number {
  let h = hash >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]! & 0xff;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** `rand.SafeEncodeString`: each byte of the text picks a character of an alphabet without vowels or look-alikes. */
export function safeEncodeString(text: string): string {
  let out = '';
  for (const byte of utf8.encode(text)) out += SAFE_ENCODE_ALPHABET[byte % SAFE_ENCODE_ALPHABET.length];
  return out;
}

/** The `pod-template-hash` of a pod template (a Deployment's `spec.template`), optionally salted by collisionCount. */
export function computeHash(template: unknown, collisionCount?: number | null): string {
  let hash = fnv32a(utf8.encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const n = collisionCount >>> 0;
    hash = fnv32a([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff, 0, 0, 0, 0], hash);
  }
  return safeEncodeString(String(hash));
}
