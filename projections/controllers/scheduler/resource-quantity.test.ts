import { describe, expect, it } from 'vitest';
import { quantityToMilli, quantityToValue } from './resource-quantity.ts';

describe('resource quantities', () => {
  it('reads cpu as milli-cpu, rounding up as MilliValue does', () => {
    expect(quantityToMilli('500m')).toBe(500);
    expect(quantityToMilli('2')).toBe(2000);
    expect(quantityToMilli('0.1')).toBe(100);
    expect(quantityToMilli('1.5')).toBe(1500);
    expect(quantityToMilli('100u')).toBe(1);
    expect(quantityToMilli(3)).toBe(3000);
  });
  it('reads memory in bytes with binary and decimal suffixes and exponents', () => {
    expect(quantityToValue('128Mi')).toBe(128 * 2 ** 20);
    expect(quantityToValue('1Gi')).toBe(2 ** 30);
    expect(quantityToValue('1G')).toBe(1e9);
    expect(quantityToValue('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(quantityToValue('1e3')).toBe(1000);
    expect(quantityToValue('110')).toBe(110);
  });
  it('counts text that is not a quantity as nothing', () => {
    expect(quantityToValue('lots')).toBe(0);
  });
});
