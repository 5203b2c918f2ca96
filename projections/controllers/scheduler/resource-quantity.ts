import { toMilli, toValue } from '../../../core/model/quantity.ts';

/**
 * Quantities reduced to the integers the scheduler compares: `MilliValue()` for cpu and `Value()`
 * for memory and pods (core/model/quantity.ts), memoised because parsing is exact (BigInt) and a
 * cluster repeats the same few strings on every pod. Text that is not a quantity (which the API
 * rejects before it gets here) counts as nothing.
 */
const milliCache = new Map<string | number, number>();
const valueCache = new Map<string | number, number>();

export function quantityToMilli(quantity: string | number): number {
  return memoised(milliCache, quantity, toMilli);
}

export function quantityToValue(quantity: string | number): number {
  return memoised(valueCache, quantity, toValue);
}

function memoised(cache: Map<string | number, number>, quantity: string | number, convert: (q: string | number) => number): number {
  const cached = cache.get(quantity);
  if (cached !== undefined) return cached;
  let result: number;
  try {
    result = convert(quantity);
  } catch {
    result = 0;
  }
  if (cache.size < 10_000) cache.set(quantity, result);
  return result;
}
