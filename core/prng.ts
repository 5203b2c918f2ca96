/**
 * Seeded randomness. Nothing in Orrery reads the platform's random source: randomness is a pure function of the
 * cluster's seed (recorded in the log's ClusterInitialized event) and of where it is needed, so a
 * replay draws exactly the same numbers.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** mulberry32: small, fast, and good enough for tie-breaking and name suffixes. */
export function createPrng(seed: number): Prng {
  return new Mulberry32(seed);
}

// A class rather than closures: a PRNG is made per write and per decision, and closures cost more to create.
class Mulberry32 implements Prng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** FNV-1a over the parts, for deriving a sub-seed from the cluster seed and a context such as a position. */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Kubernetes' generated-name alphabet (no vowels, no 0/1/3 to avoid words and look-alikes). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A 5-character suffix like `x7k2p`, as `generateName` and ReplicaSet pods use. */
export function randomSuffix(prng: Prng, length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_ALPHABET[prng.int(NAME_ALPHABET.length)];
  return out;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** A deterministic RFC 4122-shaped UUID drawn from the PRNG. */
export function deterministicUuid(prng: Prng): string {
  const parts = uuidParts;
  for (let i = 0, at = 0; i < 16; i++) {
    let byte = prng.int(256);
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) parts[at++] = '-';
    parts[at++] = HEX_BYTES[byte]!;
  }
  // join makes one flat string; concatenation would leave a tree of cons strings (~250 B instead
  // of ~56) in every object and reference that holds the uid.
  return parts.join('');
}

/** The 16 bytes' hex digits and 4 dashes of the UUID being drawn: one array reused (a pushed one was ~700 B of garbage per pod). */
const uuidParts: string[] = new Array<string>(20).fill('');
