import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.ts';

describe('kubelet back-off (flowcontrol.Backoff)', () => {
  it("forgets a dropped pod's containers, and only that pod's (another pod's uid may extend this one's)", () => {
    const backoff = createBackoff();
    for (const id of ['pod-1/app', 'pod-1/sidecar', 'pod-10/app', 'pod-2/app', 'pod-1/init']) backoff.next(id, 0);
    backoff.forgetPrefix('pod-1/');
    expect(['pod-1/app', 'pod-1/sidecar', 'pod-1/init'].map((id) => backoff.get(id))).toEqual([0, 0, 0]);
    expect(['pod-10/app', 'pod-2/app'].map((id) => backoff.get(id))).toEqual([10_000, 10_000]);
  });

  it('starts at 10 s, doubles to a 5 min cap, and is forgotten after 10 quiet minutes', () => {
    const backoff = createBackoff();
    const seen: number[] = [];
    let t = 0;
    for (let i = 0; i < 8; i++) {
      backoff.next('c', t);
      seen.push(backoff.get('c') / 1000);
      t += 1000;
    }
    expect(seen).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
    backoff.next('c', t + 600_001);
    expect(backoff.get('c')).toBe(10_000);
  });

  it('says a restart is in back-off while less than the current back-off has passed since the exit', () => {
    const backoff = createBackoff();
    expect(backoff.isInBackOffSince('c', 0, 0)).toBe(false);
    backoff.next('c', 0);
    expect(backoff.isInBackOffSince('c', 5_000, 5_000)).toBe(true);
    expect(backoff.isInBackOffSince('c', 5_000, 14_999)).toBe(true);
    expect(backoff.isInBackOffSince('c', 5_000, 15_000)).toBe(false);
    // An exit more than twice the cap after the last update is not in back-off.
    expect(backoff.isInBackOffSince('c', 600_001, 600_001)).toBe(false);
  });
});
