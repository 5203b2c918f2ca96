import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  QUANTITY_FORMAT_MESSAGE,
  addQuantities,
  canonicalQuantity,
  compareQuantities,
  formatBytes,
  formatMilli,
  formatQuantity,
  parseQuantity,
  quantityProblem,
  toMilli,
  toNumber,
  toValue,
  type Quantity,
} from './quantity.ts';

describe('parseQuantity', () => {
  it.each([
    ['500m', 500, 1],
    ['1', 1000, 1],
    ['1.5', 1500, 2],
    ['0.25', 250, 1],
    ['2', 2000, 2],
  ])('cpu %s is %i millicores', (text, milli, value) => {
    expect(toMilli(text)).toBe(milli);
    expect(toValue(text)).toBe(value);
  });

  it.each([
    ['1Gi', 1073741824],
    ['128974848', 128974848],
    ['129e6', 129000000],
    ['129M', 129000000],
    ['123Mi', 128974848],
    ['1k', 1000],
    ['1Ki', 1024],
    ['2E', 2e18],
    ['1Ti', 1099511627776],
    ['1.5Gi', 1610612736],
  ])('memory %s is %i bytes', (text, bytes) => {
    expect(toValue(text)).toBe(bytes);
  });

  it('accepts JSON numbers as manifests carry them', () => {
    expect(toMilli(2)).toBe(2000);
    expect(toMilli(0.5)).toBe(500);
    expect(toValue(1.5e9)).toBe(1500000000);
  });

  it('rounds amounts below a nano-unit up, and milli values up', () => {
    expect(canonicalQuantity('0.0000000001')).toBe('1n');
    expect(toMilli('1n')).toBe(1);
    expect(toNumber('500m')).toBe(0.5);
  });

  it('rejects malformed quantities with the Kubernetes message', () => {
    for (const bad of ['', 'abc', '1.5.5', '1 ', ' 1', '1Q', '1Gib', 'one']) {
      expect(() => parseQuantity(bad), bad).toThrow(QUANTITY_FORMAT_MESSAGE);
    }
    expect(QUANTITY_FORMAT_MESSAGE).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(() => parseQuantity('1e')).toThrow("unable to parse quantity's suffix");
    expect(quantityProblem('1Gi')).toBeUndefined();
    expect(quantityProblem({})).toBe(QUANTITY_FORMAT_MESSAGE);
  });
});

describe('formatQuantity (canonical form, as Quantity.String())', () => {
  it.each([
    ['500m', '500m'],
    ['1.5', '1500m'],
    ['1000m', '1'],
    ['1000', '1k'],
    ['1.5Gi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['0.5Gi', '512Mi'],
    ['0.1Ki', '102400m'],
    ['512Ki', '512Ki'],
    ['129e6', '129e6'],
    ['1.5e3', '1500'],
    ['12e-3', '12e-3'],
    ['129M', '129M'],
    ['0Gi', '0'],
    ['-1Gi', '-1Gi'],
    ['.5', '500m'],
    ['1.G', '1G'],
    ['2E', '2E'],
  ])('%s prints as %s', (text, canonical) => {
    expect(canonicalQuantity(text)).toBe(canonical);
  });

  it('prints milli-units and bytes the way kubectl describe shows them', () => {
    expect(formatMilli(250)).toBe('250m');
    expect(formatMilli(2000)).toBe('2');
    expect(formatBytes(1073741824)).toBe('1Gi');
    // Below 1024 a binary quantity prints in decimal SI, as Kubernetes does.
    expect(formatBytes(1000)).toBe('1k');
    expect(formatBytes(1536)).toBe('1536');
  });

  it('compares and adds exactly', () => {
    expect(compareQuantities('1', '1000m')).toBe(0);
    expect(compareQuantities('1Gi', '1G')).toBe(1);
    expect(formatQuantity(addQuantities('100m', '0.9'))).toBe('1');
    expect(formatQuantity(addQuantities('1Gi', '512Mi'))).toBe('1536Mi');
  });
});

const quantityText = fc
  .tuple(
    fc.boolean(),
    fc.bigInt({ min: 0n, max: 10n ** 12n }),
    fc.integer({ min: 0, max: 6 }),
    fc.constantFrom('', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'Ki', 'Mi', 'Gi', 'Ti', 'e3', 'e-2', 'E', 'e6'),
  )
  .map(([negative, digits, decimals, suffix]) => {
    const raw = digits.toString().padStart(decimals + 1, '0');
    const number = decimals ? `${raw.slice(0, -decimals)}.${raw.slice(-decimals)}` : raw;
    return `${negative ? '-' : ''}${number}${suffix}`;
  });

describe('quantity round trip (property)', () => {
  it('formatting then parsing keeps the exact amount, and canonical text is a fixed point', () => {
    fc.assert(
      fc.property(quantityText, (text) => {
        const quantity = parseQuantity(text);
        const printed = formatQuantity(quantity);
        const reparsed: Quantity = parseQuantity(printed);
        expect(reparsed.nanos).toBe(quantity.nanos);
        expect(formatQuantity(reparsed)).toBe(printed);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('milli values are monotonic in the amount', () => {
    fc.assert(
      fc.property(quantityText, quantityText, (a, b) => {
        if (compareQuantities(a, b) <= 0) expect(toMilli(a)).toBeLessThanOrEqual(toMilli(b));
      }),
      { seed: 43, numRuns: 500 },
    );
  });
});
