import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePlainHeartbeat } from './record-format.ts';

describe('parsePlainHeartbeat', () => {
  it('builds exactly what JSON.parse builds for a lone heartbeat with plain metadata', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat({ max: 2 ** 52 }), (node, actor, time) => {
        const json = JSON.stringify([{ type: 'NodeHeartbeat', data: { node }, metadata: { actor, time } }]);
        const parsed = parsePlainHeartbeat(json);
        // Names with characters JSON escapes are left to JSON.parse.
        if (parsed) expect(JSON.stringify([parsed])).toBe(json);
        if (!/["\\\u0000-\u001f]/.test(node + actor)) expect(parsed).toEqual(JSON.parse(json)[0]);
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });

  it('leaves everything else to JSON.parse', () => {
    const others = [
      [{ type: 'NodeHeartbeat', data: { node: 'n1' }, metadata: { actor: 'kubelet/n1', time: 1, causationId: 4 } }],
      [{ type: 'NodeHeartbeat', data: { node: 'n1' }, metadata: { actor: 'kubelet/n1', time: 1.5 } }],
      [{ type: 'NodeHeartbeat', data: { node: 'n"1' }, metadata: { actor: 'kubelet/n1', time: 1 } }],
      [{ type: 'NodeHeartbeat', data: { node: 'n1' }, metadata: { actor: 'kubelet/n1', time: 1 } }, { type: 'ClockAdvanced', data: { time: 2 }, metadata: { actor: 'clock', time: 2 } }],
      [{ type: 'NodeHeartbeats', data: { node: 'n1' }, metadata: { actor: 'kubelet/n1', time: 1 } }],
    ];
    for (const events of others) expect(parsePlainHeartbeat(JSON.stringify(events))).toBeUndefined();
  });
});
