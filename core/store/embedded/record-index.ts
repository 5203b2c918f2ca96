/**
 * Where each record of the log lives: its byte offset and its first position, in growable typed
 * arrays (16 bytes per append, however many events it holds). A position is found by binary
 * search, so `readAll(from)` seeks without scanning.
 *
 * Beside them, each record's summary, which lets a reader plan without reading the log: the event
 * types it holds, in order (interned as a "signature": a number naming the list, 0 when unknown), and
 * the latest `metadata.time` among its events (NaN when unknown). A summary is unknown when the
 * record's envelopes are not binary (record format 1, or an event format 2 could not hold in binary),
 * so that a reader never trusts types or times it would have had to parse JSON to learn.
 */
export interface RecordArrays {
  offsets: Float64Array;
  firstPositions: Float64Array;
  signatures: Uint32Array;
  maxTimes: Float64Array;
}

export const UNKNOWN_SIGNATURE = 0;

export class RecordIndex {
  private offsets: Float64Array = new Float64Array(1024);
  private firstPositions: Float64Array = new Float64Array(1024);
  private signatures: Uint32Array = new Uint32Array(1024);
  private maxTimes: Float64Array = new Float64Array(1024);
  /** Signature → the event types it names (entry 0, unknown, is undefined). */
  private readonly signatureTypes: Array<readonly string[] | undefined> = [undefined];
  /** Signatures of one-event records, by type; of longer ones, by `runKey`. */
  private readonly singleIds = new Map<string, number>();
  private readonly runIds = new Map<string, number>();
  length = 0;

  /** An index over the first `length` entries of these arrays (which it takes over), with the signature table `types` (entry 0 is ignored). */
  static fromArrays(arrays: RecordArrays, length: number, types: ReadonlyArray<readonly string[] | undefined> = [undefined]): RecordIndex {
    const index = new RecordIndex();
    const capacity = Math.max(1024, arrays.offsets.length);
    index.offsets = sized(arrays.offsets, capacity);
    index.firstPositions = sized(arrays.firstPositions, capacity);
    index.signatures = sized(arrays.signatures, capacity);
    index.maxTimes = sized(arrays.maxTimes, capacity);
    for (let id = 1; id < types.length; id++) {
      const list = types[id]!;
      index.signatureTypes.push(list);
      if (list.length === 1) index.singleIds.set(list[0]!, id);
      else index.runIds.set(runKey(list), id);
    }
    index.length = length;
    return index;
  }

  /** The first `length` entries, as views (valid until the next `add`). */
  entries(): RecordArrays {
    const n = this.length;
    return {
      offsets: this.offsets.subarray(0, n),
      firstPositions: this.firstPositions.subarray(0, n),
      signatures: this.signatures.subarray(0, n),
      maxTimes: this.maxTimes.subarray(0, n),
    };
  }

  /** The signature table: entry `id` lists the event types signature `id` names. */
  signatureTable(): ReadonlyArray<readonly string[] | undefined> {
    return this.signatureTypes;
  }

  /** The signature naming this list of event types (interned on first use); unknown for undefined. */
  signatureOf(types: ReadonlyArray<string> | undefined): number {
    if (types === undefined) return UNKNOWN_SIGNATURE;
    return this.signatureOfEvents(types.map((type) => ({ type })));
  }

  /** The signature naming the types of these events, in order (interned on first use). */
  signatureOfEvents(events: ReadonlyArray<{ type: string }>): number {
    const single = events.length === 1;
    const key = single ? events[0]!.type : runKey(events.map((event) => event.type));
    const ids = single ? this.singleIds : this.runIds;
    let id = ids.get(key);
    if (id === undefined) {
      id = this.signatureTypes.length;
      this.signatureTypes.push(events.map((event) => event.type));
      ids.set(key, id);
    }
    return id;
  }

  add(offset: number, firstPosition: number, signature: number = UNKNOWN_SIGNATURE, maxTime: number = Number.NaN): number {
    if (this.length === this.offsets.length) {
      this.offsets = sized(this.offsets, this.length * 2);
      this.firstPositions = sized(this.firstPositions, this.length * 2);
      this.signatures = sized(this.signatures, this.length * 2);
      this.maxTimes = sized(this.maxTimes, this.length * 2);
    }
    this.offsets[this.length] = offset;
    this.firstPositions[this.length] = firstPosition;
    this.signatures[this.length] = signature;
    this.maxTimes[this.length] = maxTime;
    return this.length++;
  }

  offset(record: number): number {
    return this.offsets[record]!;
  }

  firstPosition(record: number): number {
    return this.firstPositions[record]!;
  }

  signature(record: number): number {
    return this.signatures[record]!;
  }

  /** The event types of a record, in order; undefined when unknown. */
  types(record: number): readonly string[] | undefined {
    return this.signatureTypes[this.signatures[record]!];
  }

  typesOfSignature(signature: number): readonly string[] | undefined {
    return this.signatureTypes[signature];
  }

  /** The latest event time in a record; NaN when unknown. */
  maxTime(record: number): number {
    return this.maxTimes[record]!;
  }

  /** The record holding `position` (which must be between 1 and the last indexed position). */
  recordOf(position: number): number {
    let low = 0;
    let high = this.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.firstPositions[mid]! <= position) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/** An unambiguous key for a list of types, short for long runs of one type: `count:length:type` per run. */
function runKey(types: readonly string[]): string {
  let key = '';
  for (let i = 0; i < types.length; ) {
    let run = i + 1;
    while (run < types.length && types[run] === types[i]) run++;
    key += `${run - i}:${types[i]!.length}:${types[i]}`;
    i = run;
  }
  return key;
}

function sized<T extends Float64Array | Uint32Array>(array: T, length: number): T {
  if (array.length === length) return array;
  const resized = new (array.constructor as new (n: number) => T)(length);
  resized.set(array.length > length ? array.subarray(0, length) : array);
  return resized;
}
