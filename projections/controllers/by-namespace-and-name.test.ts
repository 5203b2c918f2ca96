import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByNamespaceAndName } from './by-namespace-and-name.ts';

describe('ByNamespaceAndName', () => {
  it('answers what a map keyed by `namespace/name` answers, through any sets and deletes (property)', () => {
    const op = fc.record({ kind: fc.constantFrom('set', 'delete', 'get'), namespace: fc.constantFrom('default', 'kube-system', ''), name: fc.constantFrom('web-1', 'web-2', 'a/b', ''), value: fc.integer() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const map = new ByNamespaceAndName<number>();
        const model = new Map<string, number>();
        for (const { kind, namespace, name, value } of ops) {
          // A key that cannot confuse a namespace with part of a name (names may hold '/').
          const key = JSON.stringify([namespace, name]);
          if (kind === 'set') {
            map.set(namespace, name, value);
            model.set(key, value);
          } else if (kind === 'delete') {
            map.delete(namespace, name);
            model.delete(key);
          }
          expect(map.get(namespace, name)).toBe(model.get(key));
          expect(map.has(namespace, name)).toBe(model.has(key));
        }
      }),
      { seed: 52, numRuns: 300 },
    );
  });

  it('finds an entry by an equal name string that is a different object', () => {
    const map = new ByNamespaceAndName<string>();
    map.set('default', ['web', '1'].join('-'), 'default/rs');
    expect(map.get('default', `web-${1}`)).toBe('default/rs');
    expect(map.get('other', 'web-1')).toBeUndefined();
  });
});
