import { describe, expect, it } from 'vitest';
import { defaultWorkers } from './check-command.ts';

describe('orrery check: default worker threads', () => {
  it('uses one thread for short checks and a worker per core once each gets ~100 histories', () => {
    expect(defaultWorkers(20, 2)).toBe(1);
    expect(defaultWorkers(100, 2)).toBe(1);
    expect(defaultWorkers(199, 2)).toBe(1);
    expect(defaultWorkers(200, 2)).toBe(2);
    expect(defaultWorkers(10_000, 2)).toBe(2);
    expect(defaultWorkers(10_000, 8)).toBe(8);
    expect(defaultWorkers(350, 8)).toBe(3);
    expect(defaultWorkers(1000, 1)).toBe(1);
  });
});
