import { describe, expect, it } from 'vitest';
import { explainScheduling } from './explain-scheduling.ts';
import { stateWith, testNode, testPod } from './test-objects.ts';
import { verdictsOf } from './verdict-table.ts';

describe('explainScheduling', () => {
  it('gives every node a verdict, even on a cluster large enough for a recorded decision to be truncated', () => {
    const nodes = Array.from({ length: 300 }, (_, i) => testNode(`node-${String(i).padStart(3, '0')}`, i % 3 === 0 ? { unschedulable: true } : {}));
    const decision = explainScheduling(stateWith(nodes), testPod('web'));
    expect(decision.evaluated).toBe(300);
    expect(decision.feasible).toBe(200);
    expect(verdictsOf(decision)).toHaveLength(300);
    expect(decision.truncated).toBeUndefined();
    expect(new Set(verdictsOf(decision).map((v) => v.node)).size).toBe(300);
    expect(verdictsOf(decision).filter((v) => v.failure === 'node(s) were unschedulable')).toHaveLength(100);
  });
});
