/**
 * Virtual time. It moves only when told to: by ClockAdvanced events in the log, or by the engine
 * jumping to the next timer in simulation mode. Time is milliseconds since the Unix epoch.
 */
export interface VirtualClock {
  now(): number;
  advanceTo(time: number): void;
}

export function createVirtualClock(start: number): VirtualClock {
  let current = start;
  return {
    now: () => current,
    advanceTo(time: number) {
      if (time < current) throw new Error(`virtual time cannot go backwards: ${new Date(current).toISOString()} → ${new Date(time).toISOString()}`);
      current = time;
    },
  };
}

// Writes arriving within one second share the same text: formatting a Date costs more than a write's own work.
let lastSecond = Number.NaN;
let lastRfc3339 = '';
// Times of one day share its date: a kubelet writes a container's start and finish times in turn.
let lastDay = Number.NaN;
let lastDayPrefix = '';
const SECONDS_PER_DAY = 86_400;
const MAX_TIME = 8.64e15;

/** Second precision, as Kubernetes serialises metav1.Time: `2026-01-02T03:04:05Z`. */
export function toRfc3339(time: number): string {
  // Date truncates milliseconds towards zero; the second is then the floor of that.
  const second = Math.floor(Math.trunc(time) / 1000);
  if (second === lastSecond) return lastRfc3339;
  // Outside Date's range (or NaN) this throws the RangeError Date throws.
  if (!(time >= -MAX_TIME && time <= MAX_TIME)) return new Date(time).toISOString();
  const day = Math.floor(second / SECONDS_PER_DAY);
  if (day !== lastDay) {
    const prefix = new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 11);
    // Years outside 0000-9999 are written with a sign and six digits: formatted whole.
    if (prefix.length !== 11 || prefix[10] !== 'T') return remember(second, new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    lastDay = day;
    lastDayPrefix = prefix;
  }
  const inDay = second - day * SECONDS_PER_DAY;
  const hours = Math.floor(inDay / 3600);
  const minutes = Math.floor((inDay % 3600) / 60);
  const seconds = inDay % 60;
  return remember(second, `${lastDayPrefix}${hours < 10 ? '0' : ''}${hours}:${minutes < 10 ? '0' : ''}${minutes}:${seconds < 10 ? '0' : ''}${seconds}Z`);
}

function remember(second: number, text: string): string {
  lastSecond = second;
  lastRfc3339 = text;
  return text;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses Go-style durations (`90s`, `2m30s`, `1h`, `500ms`) into milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    if (match.index !== consumed) break;
    total += Number(match[1]) * DURATION_UNITS[match[2]!]!;
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== trimmed.length) throw new Error(`invalid duration "${text}": use forms like 30s, 2m30s, 1h, 500ms`);
  return total;
}

/** Formats milliseconds the way kubectl prints ages and durations: `5m41s`, `2h3m`, `45s`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
}
