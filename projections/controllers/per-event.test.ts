import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_OUTPUTS, emptyMap, emptySet, sortedMembers } from './per-event.ts';

describe('per-event collections', () => {
  it('hands the same empty Set back until something is added, then a new one, leaving the used one as it was', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ maxLength: 3 }), { maxLength: 4 }), { maxLength: 12 }), (events) => {
        let keys = new Set<string>();
        const handedOut: Array<{ set: Set<string>; members: string[] }> = [];
        for (const added of events) {
          const previous = keys;
          keys = emptySet(keys);
          expect(keys.size).toBe(0);
          if (previous.size === 0) expect(keys).toBe(previous);
          else expect(keys).not.toBe(previous);
          for (const key of added) keys.add(key);
          handedOut.push({ set: keys, members: [...keys] });
        }
        // Whoever was given a set that had members still reads them after later events.
        for (const { set, members } of handedOut) if (members.length > 0) expect([...set]).toEqual(members);
      }),
      { seed: 52, numRuns: 200 },
    );
  });

  it('does the same for a Map', () => {
    const first = new Map<string, boolean>();
    expect(emptyMap(first)).toBe(first);
    first.set('default/web', true);
    const second = emptyMap(first);
    expect(second).not.toBe(first);
    expect(second.size).toBe(0);
    expect([...first]).toEqual([['default/web', true]]);
  });

  it('sorts a set of keys, and answers the shared empty list for none', () => {
    expect(sortedMembers(new Set(['b/x', 'a/y', 'a/x']))).toEqual(['a/x', 'a/y', 'b/x']);
    expect(sortedMembers(new Set())).toBe(NO_OUTPUTS);
    expect(Object.isFrozen(NO_OUTPUTS)).toBe(true);
    expect(() => (NO_OUTPUTS as unknown as unknown[]).push(1)).toThrow(TypeError);
  });
});
