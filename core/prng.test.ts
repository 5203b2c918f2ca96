import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPrng, deterministicUuid, hashSeed } from './prng.ts';

/** The first way uids were drawn: recorded logs hold uids made this way, so the draw must not change. */
function uuidAsFirstWritten(seed: number): string {
  const prng = createPrng(seed);
  const hex: string[] = [];
  for (let i = 0; i < 16; i++) hex.push(prng.int(256).toString(16).padStart(2, '0'));
  hex[6] = ((parseInt(hex[6]!, 16) & 0x0f) | 0x40).toString(16).padStart(2, '0');
  hex[8] = ((parseInt(hex[8]!, 16) & 0x3f) | 0x80).toString(16).padStart(2, '0');
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

describe('deterministicUuid', () => {
  it('draws a version-4, RFC 4122-variant uuid, the same one logs recorded for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const uuid = deterministicUuid(createPrng(seed));
        expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(uuid).toBe(uuidAsFirstWritten(seed));
      }),
      { seed: 42, numRuns: 2000 },
    );
    expect(deterministicUuid(createPrng(hashSeed(1, 'uid', 7)))).toBe(uuidAsFirstWritten(hashSeed(1, 'uid', 7)));
  });
});
