import { describe, expect, it } from 'vitest';
import { withMeta } from './with-meta.ts';

describe('withMeta', () => {
  it('builds what a spread builds: the same keys and values in the same order', () => {
    const cases = [
      [{ actor: 'replicaset-controller', causationId: 7 }, { type: 'update', subresource: 'status', object: { kind: 'ReplicaSet' } }],
      [{ actor: 'deployment-controller', causationId: 3, correlationId: 'c-1' }, { type: 'delete', ref: { kind: 'Pod', name: 'p' }, preconditions: undefined }],
      [{ actor: 'x' }, { actor: 'overridden', type: 'create' }],
    ] as const;
    for (const [meta, fields] of cases) {
      const built = withMeta(meta, fields);
      const spread = { ...meta, ...fields };
      expect(Object.entries(built)).toEqual(Object.entries(spread));
      expect(built).not.toBe(meta);
      expect((built as { object?: unknown }).object).toBe((spread as { object?: unknown }).object);
    }
  });
});
