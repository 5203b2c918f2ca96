import { toRfc3339 } from '../../core/virtual-clock.ts';

/**
 * Kubernetes' timestamp formats, memoised per second: the reducer formats a timestamp for most
 * events, and consecutive events almost always fall in the same second (in simulation mode they
 * share the exact virtual time), so this turns a Date allocation and toISOString per event into a
 * comparison. Pure: the cache only remembers the last answer.
 */

let cachedSecond = Number.NaN;
let cachedPrefix = '';
let cachedRfc3339 = '';

function prefixOf(time: number): string {
  const second = Math.floor(time / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedRfc3339 = toRfc3339(second * 1000);
    cachedPrefix = cachedRfc3339.slice(0, -1);
  }
  return cachedPrefix;
}

/** metav1.Time: RFC 3339 to the second, `2026-01-01T00:00:00Z` (same output as core's toRfc3339). */
export function rfc3339(time: number): string {
  prefixOf(time);
  return cachedRfc3339;
}

/** metav1.MicroTime, as Lease renewTime is written: `2026-01-01T00:00:00.123000Z`. */
export function microTime(time: number): string {
  const prefix = prefixOf(time);
  const ms = time - cachedSecond * 1000;
  return `${prefix}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}000Z`;
}
