import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asDecoded, asDecodedSharing, asLogged, asLoggedOwned } from './write-context.ts';

/** The definitions: a JSON round trip; for asDecoded one in which every null object field is dropped. */
const logged = (value: unknown) => JSON.parse(JSON.stringify(value));
const decoded = (value: unknown) => JSON.parse(JSON.stringify(value, (key, field) => (field === null && key !== '' ? undefined : field)));

const values = fc.oneof(
  fc.jsonValue(),
  fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withObjectString: true }),
  fc.dictionary(fc.constantFrom('a', 'b', '__proto__', '1', 'toJSON'), fc.constantFrom(undefined, null, NaN, -0, Infinity, 'x', [undefined, null], { c: null }, () => 1)),
);

describe('asLogged and asDecoded', () => {
  it('are exactly JSON round trips, asDecoded without null object fields (property)', () => {
    fc.assert(
      fc.property(values, (value) => {
        if (value === undefined) return;
        let expected: unknown;
        try {
          expected = logged(value);
        } catch {
          return; // not JSON at all (a bigint): nothing the write path sees
        }
        expect(asLogged(value)).toStrictEqual(expected);
        expect(JSON.stringify(asLogged(value))).toBe(JSON.stringify(expected));
        expect(asDecoded(value)).toStrictEqual(decoded(value));
        expect(JSON.stringify(asDecoded(value))).toBe(JSON.stringify(decoded(value)));
      }),
      { seed: 20261123, numRuns: 1000 },
    );
  });

  it('drops a nested null field, keeps null array elements, and copies', () => {
    const input = { metadata: { name: 'a', creationTimestamp: null }, spec: { list: [null, { x: null, y: 1 }] } };
    expect(asDecoded(input)).toEqual({ metadata: { name: 'a' }, spec: { list: [null, { y: 1 }] } });
    const plain = { a: { b: [1, 2] } };
    const copy = asLogged(plain);
    expect(copy).toEqual(plain);
    expect(copy.a).not.toBe(plain.a);
  });

  it('asLoggedOwned keeps a value already in the logged form and copies any other (property)', () => {
    fc.assert(
      fc.property(values, (value) => {
        if (value === undefined) return;
        const owned = asLoggedOwned(value);
        // Whether kept or copied, it is exactly what the log gives back.
        expect(owned).toStrictEqual(logged(value));
        if (owned === value) expect(asLogged(value)).toStrictEqual(value);
      }),
      { seed: 20261123, numRuns: 2000 },
    );
  });

  it('asLoggedOwned keeps a decoded, defaulted object and copies one holding undefined, -0, NaN or a hole', () => {
    const pod = asDecoded({ kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, protocol: 'TCP' }] }], tolerations: [] as unknown[] } });
    expect(asLoggedOwned(pod)).toBe(pod);
    for (const odd of [undefined, -0, NaN, new Date(0)]) {
      const changed = asDecoded(pod);
      (changed.spec.containers[0] as Record<string, unknown>).odd = odd;
      const logged = asLoggedOwned(changed);
      expect(logged).not.toBe(changed);
      expect(logged).toStrictEqual(JSON.parse(JSON.stringify(changed)));
    }
    const holed = asDecoded(pod);
    holed.spec.tolerations = new Array(2);
    expect(asLoggedOwned(holed).spec.tolerations).toEqual([null, null]);
  });

  it('asLoggedOwned never takes over a frozen part (a shared constant): it copies instead of changing or logging it', () => {
    const sharedDefaults = Object.freeze({ tolerations: Object.freeze([{ key: 'a', operator: 'Exists' }]) });
    const pod = { kind: 'Pod', spec: sharedDefaults };
    const owned = asLoggedOwned(pod);
    expect(owned).toEqual(pod);
    expect(owned.spec).not.toBe(sharedDefaults);
    expect(sharedDefaults.tolerations).toHaveLength(1);
  });

  it('asDecodedSharing gives what asDecoded gives, taking a field as it is only when it is the stored one and already decoded (property)', () => {
    const keys = fc.constantFrom('a', 'b', 'conditions', '', '__proto__', '1', 'toJSON');
    fc.assert(
      fc.property(fc.dictionary(keys, values, { maxKeys: 5 }), fc.dictionary(keys, values, { maxKeys: 5 }), fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), (own, storedFields, share) => {
        // The stored status, and a status sharing some of its fields (the same objects) and having others of its own.
        const stored: Record<string, unknown> = { ...storedFields };
        const value: Record<string, unknown> = { ...own };
        ['a', 'b', 'conditions', '', '1', 'toJSON', 'c'].forEach((key, i) => {
          if (share[i] && key in stored) value[key] = stored[key];
        });
        const expected = decoded(value);
        const got = asDecodedSharing(value, stored);
        expect(got).toStrictEqual(expected);
        expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
        // Twice: the second time a shared part may be taken on what was found the first time.
        expect(JSON.stringify(asDecodedSharing(value, stored))).toBe(JSON.stringify(expected));
      }),
      { seed: 20261124, numRuns: 2000 },
    );
  });

  it('asDecodedSharing keeps a stored part already decoded and copies one that is not', () => {
    const conditions = [{ type: 'Available', status: 'True' }];
    const stored = { replicas: 1, conditions };
    const shared = asDecodedSharing({ replicas: 2, conditions }, stored) as typeof stored;
    expect(shared).toEqual({ replicas: 2, conditions });
    expect(shared.conditions).toBe(conditions);
    const withNull = [{ type: 'Available', status: 'True', reason: null }];
    const copied = asDecodedSharing({ conditions: withNull }, { conditions: withNull }) as { conditions: unknown[] };
    expect(copied.conditions).not.toBe(withNull);
    expect(copied).toEqual({ conditions: [{ type: 'Available', status: 'True' }] });
    // A part of the caller's own (not the stored one's) is copied even when it is equal.
    const own = [{ type: 'Available', status: 'True' }];
    expect((asDecodedSharing({ conditions: own }, stored) as { conditions: unknown }).conditions).not.toBe(own);
  });
});
