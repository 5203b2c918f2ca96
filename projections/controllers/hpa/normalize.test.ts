import { describe, expect, it } from 'vitest';
import { emptyHistory, normalizeWithBehavior, normalizeWithoutBehavior, recordScaleEvent } from './normalize.ts';

const S = 1000;

describe('normalizeWithoutBehavior', () => {
  it('keeps the highest recommendation of the last 5 minutes, then lets it go', () => {
    const history = emptyHistory();
    expect(normalizeWithoutBehavior(history, 0, 6, 6, 1, 10).replicas).toBe(6);
    const held = normalizeWithoutBehavior(history, 200 * S, 6, 2, 1, 10);
    expect(held.replicas).toBe(6);
    expect(held.ableToScale.reason).toBe('ScaleDownStabilized');
    expect(normalizeWithoutBehavior(history, 301 * S, 6, 2, 1, 10).replicas).toBe(2);
  });

  it('bounds to minReplicas with TooFewReplicas', () => {
    const result = normalizeWithoutBehavior(emptyHistory(), 0, 3, 1, 2, 10);
    expect(result.replicas).toBe(2);
    expect(result.scalingLimited).toEqual({ status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' });
  });
});

describe('normalizeWithBehavior', () => {
  it('Percent scale-down policy: at most half per minute, counting the scale-downs already made', () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent' as const, value: 50, periodSeconds: 60 }] } };
    const history = emptyHistory();
    const first = normalizeWithBehavior(history, 0, 10, 1, 1, 10, behavior);
    expect(first.replicas).toBe(5);
    expect(first.scalingLimited).toMatchObject({ status: 'True', reason: 'ScaleDownLimit' });
    recordScaleEvent(history, 0, 10, 5, behavior);
    // 15 s later the period still starts at 10 replicas: 50% of 10 leaves 5, so no further step.
    expect(normalizeWithBehavior(history, 15 * S, 5, 1, 1, 10, behavior).replicas).toBe(5);
    // Once the period has passed, another halving.
    expect(normalizeWithBehavior(history, 61 * S, 5, 1, 1, 10, behavior).replicas).toBe(2);
  });

  it('selectPolicy Min takes the smaller change; Disabled forbids the direction', () => {
    const policies = [
      { type: 'Pods' as const, value: 4, periodSeconds: 15 },
      { type: 'Percent' as const, value: 100, periodSeconds: 15 },
    ];
    expect(normalizeWithBehavior(emptyHistory(), 0, 10, 40, 1, 100, { scaleUp: { selectPolicy: 'Max', policies } }).replicas).toBe(20);
    expect(normalizeWithBehavior(emptyHistory(), 0, 10, 40, 1, 100, { scaleUp: { selectPolicy: 'Min', policies } }).replicas).toBe(14);
    const disabled = normalizeWithBehavior(emptyHistory(), 0, 10, 40, 1, 100, { scaleUp: { selectPolicy: 'Disabled' } });
    expect(disabled.replicas).toBe(10);
    expect(disabled.scalingLimited).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
  });

  it('a scale-up stabilisation window takes the lowest recent recommendation', () => {
    const behavior = { scaleUp: { stabilizationWindowSeconds: 60 } };
    const history = emptyHistory();
    expect(normalizeWithBehavior(history, 0, 2, 2, 1, 10, behavior).replicas).toBe(2);
    const held = normalizeWithBehavior(history, 30 * S, 2, 6, 1, 10, behavior);
    expect(held.replicas).toBe(2);
    expect(held.ableToScale.reason).toBe('ScaleUpStabilized');
    expect(normalizeWithBehavior(history, 61 * S, 2, 6, 1, 10, behavior).replicas).toBe(6);
  });
});
