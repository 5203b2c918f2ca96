/** A log damaged before its tail: intact records follow a bad one, so opening would silently drop acknowledged events. */
export class LogCorruptedError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
    readonly nextValidOffset?: number,
  ) {
    super(
      `event log ${file} is corrupt at byte offset ${offset} (${reason})` +
        (nextValidOffset === undefined ? '' : `; intact records follow at byte offset ${nextValidOffset}, so this is not a torn tail`) +
        '. Refusing to open it. `orrery store repair <dir>` truncates the log at the first bad record, dropping everything after it.',
    );
    this.name = 'LogCorruptedError';
  }
}

export function isLogCorruptedError(error: unknown): error is LogCorruptedError {
  return error instanceof LogCorruptedError;
}
