/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): `500m`, `1.5`, `1Gi`,
 * `129e6`, `129M`, `2E`. A Quantity is held exactly, as a bigint count of nano-units (the finest
 * precision Kubernetes keeps: smaller non-zero amounts round up to 1n) plus the format it was
 * written in, which decides how it prints (`1536Mi`, `1500m`, `129e6`).
 */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The amount in units of 10⁻⁹ (for cpu: nanocores; for memory: nanobytes). */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_MESSAGE = `quantities must match the regular expression '${QUANTITY_PATTERN}'`;
export const QUANTITY_SUFFIX_MESSAGE = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

export function isQuantityError(error: unknown): error is QuantityError {
  return error instanceof QuantityError;
}

const NANOS_PER_UNIT = 1_000_000_000n;
/** ParseQuantity caps BinarySI and DecimalExponent amounts at math.MaxInt64. */
const MAX_ALLOWED_NANOS = 9_223_372_036_854_775_807n * NANOS_PER_UNIT;

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_SUFFIX_BY_EXPONENT = new Map([[0, ''], ...Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s] as [number, string])]);

const DIGITS = /[0-9]/;
const SUFFIX_CHARS = 'eEinumkKMGTP';

interface QuantityParts {
  negative: boolean;
  whole: string;
  fraction: string;
  suffix: string;
}

/** Go's parseQuantityString, character for character (it accepts `1.G` and `.5`, rejects `1.5.5`). */
function splitQuantity(text: string): QuantityParts {
  let pos = 0;
  const end = text.length;
  let negative = false;
  if (text[0] === '-') {
    negative = true;
    pos++;
  } else if (text[0] === '+') pos++;
  while (pos < end && text[pos] === '0') pos++;
  if (pos >= end) return { negative, whole: '0', fraction: '', suffix: '' };
  let start = pos;
  while (pos < end && DIGITS.test(text[pos]!)) pos++;
  const whole = text.slice(start, pos) || '0';
  let fraction = '';
  if (pos < end && text[pos] === '.') {
    pos++;
    start = pos;
    while (pos < end && DIGITS.test(text[pos]!)) pos++;
    fraction = text.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(text[pos]!)) pos++;
  if (pos < end && (text[pos] === '-' || text[pos] === '+')) pos++;
  while (pos < end && DIGITS.test(text[pos]!)) pos++;
  if (pos < end) throw new QuantityError(QUANTITY_FORMAT_MESSAGE);
  return { negative, whole, fraction, suffix: text.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  if (suffix in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix]!, format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[-+]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) <= 1000) return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new QuantityError(QUANTITY_SUFFIX_MESSAGE);
}

const POW10: bigint[] = Array.from({ length: 40 }, (_, n) => 10n ** BigInt(n));
const pow10 = (n: number) => POW10[n] ?? 10n ** BigInt(n);

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/**
 * Quantities already parsed, by text: every pod create validates its containers' requests and
 * limits, and a simulation's pods ask for the same few ('10m', '16Mi'), each a BigInt parse.
 * Bounded (emptied when full); the quantities are frozen, being shared.
 */
const parsedQuantities = new Map<string, Quantity>();
const REMEMBERED_QUANTITIES = 4096;

/** `resource.ParseQuantity`. Throws QuantityError with Kubernetes' wording. */
export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === 'number' ? numberToQuantityText(input) : input;
  const known = parsedQuantities.get(text);
  if (known !== undefined) return known;
  const quantity = Object.freeze(parseQuantityText(text));
  if (parsedQuantities.size >= REMEMBERED_QUANTITIES) parsedQuantities.clear();
  parsedQuantities.set(text, quantity);
  return quantity;
}

function parseQuantityText(text: string): Quantity {
  if (text.length === 0) throw new QuantityError(QUANTITY_FORMAT_MESSAGE);
  if (text === '0') return { nanos: 0n, format: 'DecimalSI' };
  const { negative, whole, fraction, suffix } = splitQuantity(text);
  const { base, exponent, format } = interpretSuffix(suffix);
  const digits = BigInt(whole + fraction);
  // amount = digits × 10^-fraction.length × base^exponent, in nanos: × 10^9.
  let scale10 = 9 - fraction.length;
  let numerator = digits;
  if (base === 10) scale10 += exponent;
  else numerator *= 2n ** BigInt(exponent);
  let nanos = scale10 >= 0 ? numerator * pow10(scale10) : ceilDiv(numerator, pow10(-scale10));
  if ((format === 'BinarySI' || format === 'DecimalExponent') && nanos > MAX_ALLOWED_NANOS) nanos = MAX_ALLOWED_NANOS;
  return { nanos: negative ? -nanos : nanos, format };
}

function numberToQuantityText(value: number): string {
  if (!Number.isFinite(value)) throw new QuantityError(QUANTITY_FORMAT_MESSAGE);
  // JSON numbers in manifests (`cpu: 2`, `memory: 1.5e9`): Number's own text, which Go's regexp also accepts.
  return String(value).replace('e+', 'e');
}

function stripFactor(value: bigint, factor: bigint): [bigint, number] {
  if (value === 0n) return [0n, 0];
  let count = 0;
  while (value % factor === 0n) {
    value /= factor;
    count++;
  }
  return [value, count];
}

function formatDecimal(magnitude: bigint, format: 'DecimalSI' | 'DecimalExponent'): string {
  if (magnitude === 0n) return '0';
  let [mantissa, count] = stripFactor(magnitude, 10n);
  let exponent = count - 9;
  const remainder = ((exponent % 3) + 3) % 3;
  mantissa *= pow10(remainder);
  exponent -= remainder;
  if (format === 'DecimalSI') {
    // Beyond exa there is no SI suffix; keep the amount exact and re-parseable as DecimalSI.
    if (exponent > 18) {
      mantissa *= pow10(exponent - 18);
      exponent = 18;
    }
    const suffix = DECIMAL_SUFFIX_BY_EXPONENT.get(exponent);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
  }
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}

/** `Quantity.String()`: the canonical form (`1500m`, `1536Mi`, `1k`, `129e6`). */
export function formatQuantity(quantity: Quantity): string {
  const negative = quantity.nanos < 0n;
  const magnitude = negative ? -quantity.nanos : quantity.nanos;
  const sign = negative ? '-' : '';
  if (quantity.format === 'BinarySI' && magnitude >= 1024n * NANOS_PER_UNIT && magnitude % NANOS_PER_UNIT === 0n) {
    let [amount, count] = stripFactor(magnitude / NANOS_PER_UNIT, 1024n);
    while (count > 6) {
      amount *= 1024n;
      count--;
    }
    return `${sign}${amount}${BINARY_SUFFIX_BY_EXPONENT.get(count * 10)}`;
  }
  const text = formatDecimal(magnitude, quantity.format === 'DecimalExponent' ? 'DecimalExponent' : 'DecimalSI');
  return text === '0' ? '0' : `${sign}${text}`;
}

/** Parses and prints back canonically: `canonicalQuantity('1.5Gi') === '1536Mi'`. */
export function canonicalQuantity(text: string | number): string {
  return formatQuantity(parseQuantity(text));
}

function asQuantity(value: Quantity | string | number): Quantity {
  return typeof value === 'object' ? value : parseQuantity(value);
}

function ceilScaled(nanos: bigint, unitNanos: bigint): number {
  const result = nanos >= 0n ? ceilDiv(nanos, unitNanos) : -(-nanos / unitNanos);
  return Number(result);
}

/** `Quantity.MilliValue()`: milli-units, rounded up (cpu `250m` → 250, `1` → 1000). */
export function toMilli(value: Quantity | string | number): number {
  return ceilScaled(asQuantity(value).nanos, 1_000_000n);
}

/** `Quantity.Value()`: whole base units, rounded up (memory `1Gi` → 1073741824 bytes, cpu `500m` → 1). */
export function toValue(value: Quantity | string | number): number {
  return ceilScaled(asQuantity(value).nanos, NANOS_PER_UNIT);
}

/** `Quantity.AsApproximateFloat64()`: base units as a float (`500m` → 0.5). */
export function toNumber(value: Quantity | string | number): number {
  const nanos = asQuantity(value).nanos;
  return Number(nanos / NANOS_PER_UNIT) + Number(nanos % NANOS_PER_UNIT) / 1e9;
}

/** A DecimalSI quantity of `milli` milli-units (`resource.NewMilliQuantity`). */
export function milliQuantity(milli: number): Quantity {
  return { nanos: BigInt(Math.round(milli)) * 1_000_000n, format: 'DecimalSI' };
}

/** A quantity of whole base units, BinarySI by default as for bytes (`resource.NewQuantity`). */
export function valueQuantity(value: number, format: QuantityFormat = 'BinarySI'): Quantity {
  return { nanos: BigInt(Math.round(value)) * NANOS_PER_UNIT, format };
}

/** Prints milli-units the way Kubernetes prints a cpu amount: `250m`, `1`, `1500m`. */
export function formatMilli(milli: number): string {
  return formatQuantity(milliQuantity(milli));
}

/** Prints a byte count the way Kubernetes prints memory: `1Gi`, `1536Mi`, `1000`. */
export function formatBytes(bytes: number): string {
  return formatQuantity(valueQuantity(bytes, 'BinarySI'));
}

export function compareQuantities(a: Quantity | string | number, b: Quantity | string | number): -1 | 0 | 1 {
  const x = asQuantity(a).nanos;
  const y = asQuantity(b).nanos;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sum, keeping the first operand's format (as `Quantity.Add` does). */
export function addQuantities(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const x = asQuantity(a);
  return { nanos: x.nanos + asQuantity(b).nanos, format: x.format };
}

export function subtractQuantities(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const x = asQuantity(a);
  return { nanos: x.nanos - asQuantity(b).nanos, format: x.format };
}

/** The parse error message for a value, or undefined when it is a valid quantity. */
export function quantityProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return QUANTITY_FORMAT_MESSAGE;
  try {
    parseQuantity(value);
    return undefined;
  } catch (error) {
    if (isQuantityError(error)) return error.message;
    throw error;
  }
}
