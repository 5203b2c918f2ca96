/**
 * Kubernetes' flowcontrol.Backoff (k8s.io/client-go/util/flowcontrol), as the kubelet uses it for
 * container restarts (CrashLoopBackOff) and image pulls (ImagePullBackOff): 10 s doubling to a
 * 5 min cap, forgotten once an entry has not been touched for twice the cap. Times are virtual ms.
 */
export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry {
  backoff: number;
  lastUpdate: number;
}

export interface Backoff {
  /** The current back-off for `id` (0 when none). */
  get(id: string): number;
  /** Records a failure at `eventTime`: starts at the initial back-off, or doubles it (up to the cap). */
  next(id: string, eventTime: number): void;
  /** The kubelet's restart check: `now - eventTime` is shorter than the current back-off. */
  isInBackOffSince(id: string, eventTime: number, now: number): boolean;
  /** The image puller's check: `now` is within the back-off of the last failure. */
  isInBackOffSinceUpdate(id: string, now: number): boolean;
  forget(id: string): void;
  /** Forgets every id starting with `prefix` (a pod's containers). */
  forgetPrefix(prefix: string): void;
}

export function createBackoff(initial = INITIAL_BACKOFF_MS, max = MAX_BACKOFF_MS): Backoff {
  const entries = new Map<string, Entry>();
  const hasExpired = (eventTime: number, lastUpdate: number) => eventTime - lastUpdate > max * 2;
  return {
    get: (id) => entries.get(id)?.backoff ?? 0,
    next(id, eventTime) {
      const entry = entries.get(id);
      if (!entry || hasExpired(eventTime, entry.lastUpdate)) {
        entries.set(id, { backoff: initial, lastUpdate: eventTime });
        return;
      }
      entry.backoff = Math.min(entry.backoff * 2, max);
      entry.lastUpdate = eventTime;
    },
    isInBackOffSince(id, eventTime, now) {
      const entry = entries.get(id);
      if (!entry || hasExpired(eventTime, entry.lastUpdate)) return false;
      return now - eventTime < entry.backoff;
    },
    isInBackOffSinceUpdate(id, now) {
      const entry = entries.get(id);
      if (!entry || hasExpired(now, entry.lastUpdate)) return false;
      return now - entry.lastUpdate < entry.backoff;
    },
    forget: (id) => void entries.delete(id),
    forgetPrefix(prefix) {
      // Deleting from a Map while iterating it is defined: entries not yet visited and deleted are skipped.
      for (const id of entries.keys()) if (id.startsWith(prefix)) entries.delete(id);
    },
  };
}
