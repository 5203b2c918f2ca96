import { describe, expect, it } from 'vitest';
import type { Taint } from '../../../core/events.ts';
import { minTolerationSeconds } from './node-lifecycle-controller.ts';
import { desiredManagedTaints, reconcileTaints } from './node-taints.ts';

const node = (conditions: Array<{ type: string; status: string }>, unschedulable = false) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n' },
  spec: unschedulable ? { unschedulable: true } : {},
  status: { conditions },
});

describe('node taints', () => {
  it('derives NoSchedule and NoExecute taints from conditions and cordon', () => {
    expect(desiredManagedTaints(node([{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'True' }], true))).toEqual([
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
    ]);
    expect(desiredManagedTaints(node([{ type: 'Ready', status: 'True' }]))).toEqual([]);
  });

  it('keeps other taints and the timeAdded of taints that stay, and reports no change as undefined', () => {
    const current: Taint[] = [
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:40Z' },
    ];
    const desired = [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' as const },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' as const },
    ];
    expect(reconcileTaints(current, desired, '2026-01-01T00:01:00Z')).toEqual([
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:40Z' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ]);
    expect(reconcileTaints(current, [desired[0]!], 'x')).toBeUndefined();
    expect(reconcileTaints(current, [], 'x')).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
  });

  it('takes the smallest tolerationSeconds, 0 for non-positive, -1 when none limits', () => {
    expect(minTolerationSeconds([{ tolerationSeconds: 300 }, { tolerationSeconds: 60 }, {}])).toBe(60);
    expect(minTolerationSeconds([{ tolerationSeconds: -5 }, { tolerationSeconds: 60 }])).toBe(0);
    expect(minTolerationSeconds([{}, { operator: 'Exists' }])).toBe(-1);
  });
});
