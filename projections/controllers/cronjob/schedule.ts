import { CronExpressionParser } from 'cron-parser';

/**
 * Cron schedules on the virtual clock: standard five-field expressions and the @hourly-style
 * descriptors, evaluated in the CronJob's spec.timeZone (UTC when unset, as a controller manager
 * running in UTC does). Never reads the wall clock: every evaluation starts from a given time.
 */

export interface Schedule {
  /** The first scheduled time strictly after `after` (ms). */
  next(after: number): number;
  /** The latest scheduled time at or before `at` (ms), if any after `notBefore`. */
  mostRecent(notBefore: number, at: number): { time?: number; missed: number };
}

export function parseSchedule(expression: string, timeZone?: string): Schedule {
  const text = expression.trim() === '@midnight' ? '@daily' : expression.trim();
  const tz = timeZone || 'UTC';
  // Fail early on an invalid expression or zone.
  CronExpressionParser.parse(text, { currentDate: new Date(0), tz });
  return {
    next(after) {
      return CronExpressionParser.parse(text, { currentDate: new Date(after), tz }).next().getTime();
    },
    mostRecent(notBefore, at) {
      // Walk forward from notBefore, as getMostRecentScheduleTime does, counting the times passed.
      const interval = CronExpressionParser.parse(text, { currentDate: new Date(notBefore), tz });
      let time: number | undefined;
      let missed = 0;
      for (;;) {
        const candidate = interval.next().getTime();
        if (candidate > at) break;
        time = candidate;
        missed++;
        if (missed > 100) {
          // Too many missed start times: jump to the latest one directly.
          const latest = CronExpressionParser.parse(text, { currentDate: new Date(at + 1), tz }).prev().getTime();
          return { time: latest, missed };
        }
      }
      return time === undefined ? { missed } : { time, missed };
    },
  };
}
