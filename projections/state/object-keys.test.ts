import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectKey, streamOf } from '../../core/model/object.ts';
import { objectKeyOf, streamNameOf } from './object-keys.ts';

// Few distinct parts, so that lookups repeat, names recur across kinds and namespaces, and
// namespaces and names run into each other (`a/b` + `c` against `a` + `b/c`).
const part = fc.constantFrom('', 'a', 'b', 'a/b', 'b/c', 'c', 'default', 'kube-node-lease', 'node-1', 'web-6d4b7c9f8-x2kq');
const ref = fc.record({ kind: fc.constantFrom('Pod', 'Node', 'Lease', 'Pod/a'), namespace: fc.option(part, { nil: undefined }), name: part });

describe('object keys and stream names', () => {
  it('are always the strings objectKey and streamOf build, whatever was asked before', () => {
    fc.assert(
      fc.property(fc.array(ref, { maxLength: 60 }), (refs) => {
        for (const r of refs) {
          expect(objectKeyOf(r.kind, r.namespace, r.name)).toBe(objectKey(r.namespace, r.name));
          expect(streamNameOf(r)).toBe(streamOf(r));
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('hand out the same string for the same object', () => {
    const first = objectKeyOf('Pod', 'default', 'web-6d4b7c9f8-x2kq');
    expect(objectKeyOf('Pod', 'default', 'web-6d4b7c9f8-x2kq')).toBe(first);
    expect(objectKeyOf('Pod', 'other', 'web-6d4b7c9f8-x2kq')).toBe('other/web-6d4b7c9f8-x2kq');
    expect(objectKeyOf('Node', undefined, 'node-1')).toBe('node-1');
    expect(streamNameOf({ kind: 'Lease', namespace: 'kube-node-lease', name: 'node-1' })).toBe('Lease/kube-node-lease/node-1');
    expect(streamNameOf({ kind: 'Lease', name: 'node-1' })).toBe('Lease/node-1');
  });
});
