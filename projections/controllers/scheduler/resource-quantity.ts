/**
 * Kubernetes resource quantities (`500m`, `2`, `1.5Gi`, `1e3`) reduced to the integers the
 * scheduler compares: `MilliValue()` for cpu and `Value()` for memory and pods, both rounded up as
 * resource.Quantity rounds them. Exact (BigInt) so that `0.1` is 100m, not 101m; memoised because
 * a cluster repeats the same few strings.
 */
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const BINARY_SHIFT: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const milliCache = new Map<string, number>();
const valueCache = new Map<string, number>();

export function quantityToMilli(quantity: string | number): number {
  return scaled(quantity, 3, milliCache);
}

export function quantityToValue(quantity: string | number): number {
  return scaled(quantity, 0, valueCache);
}

function scaled(quantity: string | number, exponent: number, cache: Map<string, number>): number {
  const text = String(quantity).trim();
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const result = parseScaled(text, exponent);
  if (cache.size < 10_000) cache.set(text, result);
  return result;
}

/** ceil(quantity × 10^exponent); NaN when the text is not a quantity. */
function parseScaled(text: string, exponent: number): number {
  const match = QUANTITY.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return Number.NaN;
  const [, sign, whole, fraction = '', scientific, suffix] = match;
  let numerator = BigInt(`${whole}${fraction}` || '0');
  let denominator = 10n ** BigInt(fraction.length);
  let power = exponent;
  if (scientific !== undefined) power += Number(scientific);
  else if (suffix !== undefined && suffix in BINARY_SHIFT) numerator <<= BINARY_SHIFT[suffix]!;
  else if (suffix !== undefined) power += DECIMAL_EXPONENT[suffix]!;
  if (power >= 0) numerator *= 10n ** BigInt(power);
  else denominator *= 10n ** BigInt(-power);
  let result = numerator / denominator;
  if (result * denominator !== numerator) result += 1n;
  return sign === '-' ? -Number(result) : Number(result);
}
