/**
 * When a simulated probe's result changes. Probes run at `startedAt + initialDelaySeconds +
 * k·periodSeconds` (k = 0, 1, …), but only count once the container has `started` (startup probe
 * passed); a probe's check fails from `failFrom` on. Kubernetes' defaults apply to unset fields.
 */
export interface ProbeSpec {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

function params(probe: ProbeSpec) {
  return {
    initialDelay: (probe.initialDelaySeconds ?? 0) * 1000,
    period: Math.max(1, probe.periodSeconds ?? 10) * 1000,
    failureThreshold: Math.max(1, probe.failureThreshold ?? 3),
    successThreshold: Math.max(1, probe.successThreshold ?? 1),
  };
}

/** The first probe time at or after `from`. */
function firstProbeAtOrAfter(probe: ProbeSpec, startedAt: number, from: number): number {
  const { initialDelay, period } = params(probe);
  const base = startedAt + initialDelay;
  if (from <= base) return base;
  return base + Math.ceil((from - base) / period) * period;
}

/** When `successThreshold` consecutive successes have been seen (the probe result turns to Success). */
export function probeSucceedsAt(probe: ProbeSpec, startedAt: number, activeFrom: number): number {
  const { period, successThreshold } = params(probe);
  return firstProbeAtOrAfter(probe, startedAt, activeFrom) + (successThreshold - 1) * period;
}

/** When `failureThreshold` consecutive failures have been seen, the check failing from `failFrom` on. */
export function probeFailsAt(probe: ProbeSpec, startedAt: number, activeFrom: number, failFrom: number): number {
  const { period, failureThreshold } = params(probe);
  return firstProbeAtOrAfter(probe, startedAt, Math.max(activeFrom, failFrom)) + (failureThreshold - 1) * period;
}
