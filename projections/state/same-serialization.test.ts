import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterState } from '../cluster-state.ts';
import { applyEvent, createClusterState } from './reducer.ts';
import { sameJsonText, sameSerializedState } from './same-serialization.ts';
import { deserializeState, serializeState } from './snapshot.ts';
import { history, node, pod } from './test-events.ts';

/** JSON-ish values with what JSON.stringify treats specially: undefined, NaN, ±Infinity, -0, null, toJSON. */
const leaf = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -Infinity, 0, -0, 1, '', 'a', true, false, new Date(0)),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom('x', 'y', '"', '\\u0000'),
);
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__'), tie('value'), { maxKeys: 3 }),
})).value;

/** A copy that may reorder keys, turn undefined into absent, and swap leaves for ones JSON writes the same. */
function twin(value: unknown, flip: boolean): unknown {
  if (Array.isArray(value)) return value.map((element) => (element === undefined && flip ? null : twin(element, flip)));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const keys = Object.keys(value);
    const out: Record<string, unknown> = {};
    for (const key of flip ? keys.reverse() : keys) {
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined && flip) continue;
      Object.defineProperty(out, key, { value: twin(field, flip), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (Number.isNaN(value) && flip) return Infinity;
  return value;
}

describe('sameJsonText', () => {
  it('agrees with comparing JSON.stringify texts', () => {
    fc.assert(
      fc.property(value, value, fc.boolean(), (a, b, flip) => {
        expect(sameJsonText(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
        const copy = twin(a, flip);
        expect(sameJsonText(a, copy)).toBe(JSON.stringify(a) === JSON.stringify(copy));
      }),
      { seed: 11, numRuns: 2000 },
    );
  });

  it('tells key order apart, as the serialised text does', () => {
    expect(sameJsonText({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameJsonText({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJsonText([undefined], [null])).toBe(true);
  });
});

describe('sameSerializedState', () => {
  const events = history(
    { type: 'ClusterInitialized', data: { seed: 7, startTime: Date.UTC(2026, 0, 1), mode: 'simulation' } },
    { type: 'NodeRegistered', data: { node: node('n1') } },
    { type: 'NodeRegistered', data: { node: node('n2') } },
    ...Array.from({ length: 6 }, (_, i) => ({ type: 'ObjectCreated' as const, data: { object: pod(`p${i}`) } })),
    [{ type: 'NodeHeartbeat', data: { nodes: ['n1', 'n2'] } }, { time: Date.UTC(2026, 0, 1, 0, 0, 10) }],
  );
  const build = (): ClusterState => {
    const state = createClusterState();
    for (const event of events) applyEvent(state, event);
    return state;
  };
  const agrees = (a: ClusterState, b: ClusterState) => expect(sameSerializedState(a, b)).toBe(serializeState(a).equals(serializeState(b)));

  it('agrees with comparing serialised states, equal or not', () => {
    const state = build();
    agrees(state, build());
    agrees(state, deserializeState(serializeState(state)));
    const moved = build();
    moved.time += 1;
    agrees(state, moved);
    const edited = build();
    const pods = edited.objects.get('Pod')!;
    pods.set('default/p0', { ...pods.get('default/p0')!, status: { phase: 'Running' } });
    agrees(state, edited);
    const reordered = build();
    const first = reordered.objects.get('Pod')!.get('default/p0')!;
    reordered.objects.get('Pod')!.delete('default/p0');
    reordered.objects.get('Pod')!.set('default/p0', first);
    agrees(state, reordered);
    const beats = build();
    beats.heartbeats.delete('n1');
    beats.heartbeats.set('n1', state.heartbeats.get('n1')!);
    agrees(state, beats);
    const stopped = build();
    stopped.stoppedKubelets.add('n2');
    agrees(state, stopped);
    const reorderedFields = build();
    const pod0 = reorderedFields.objects.get('Pod')!.get('default/p0')!;
    const { metadata, ...rest } = pod0;
    reorderedFields.objects.get('Pod')!.set('default/p0', { metadata, ...rest } as typeof pod0);
    agrees(state, reorderedFields);
    const fieldsFirst = build();
    const { kind, ...others } = pod0;
    fieldsFirst.objects.get('Pod')!.set('default/p0', { ...others, kind } as typeof pod0);
    agrees(state, fieldsFirst);
  });
});
