/**
 * Placeholder until core/model/pod-template-hash.ts lands: Kubernetes' ComputeHash shape (FNV-1a
 * 32 of the template, collisionCount appended, decimal digits mapped through SafeEncodeString).
 */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const feed = (byte: number) => {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const byte of new TextEncoder().encode(canonical(template))) feed(byte);
  if (collisionCount !== undefined) {
    const n = collisionCount >>> 0;
    for (const byte of [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff, 0, 0, 0, 0]) feed(byte);
  }
  let out = '';
  for (const ch of String(h >>> 0)) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}
