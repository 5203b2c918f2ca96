/**
 * Where each record of the log lives: its byte offset and its first position, in two growable
 * typed arrays (16 bytes per append, however many events it holds). A position is found by binary
 * search, so `readAll(from)` seeks without scanning.
 */
export class RecordIndex {
  private offsets: Float64Array = new Float64Array(1024);
  private firstPositions: Float64Array = new Float64Array(1024);
  length = 0;

  /** An index over the first `length` entries of these arrays (which it takes over). */
  static fromArrays(offsets: Float64Array, firstPositions: Float64Array, length: number): RecordIndex {
    const index = new RecordIndex();
    const capacity = Math.max(1024, offsets.length);
    index.offsets = offsets.length === capacity ? offsets : grow(offsets, capacity);
    index.firstPositions = firstPositions.length === capacity ? firstPositions : grow(firstPositions, capacity);
    index.length = length;
    return index;
  }

  /** The first `length` entries, as views (valid until the next `add`). */
  entries(): { offsets: Float64Array; firstPositions: Float64Array } {
    return { offsets: this.offsets.subarray(0, this.length), firstPositions: this.firstPositions.subarray(0, this.length) };
  }

  add(offset: number, firstPosition: number): number {
    if (this.length === this.offsets.length) {
      this.offsets = grow(this.offsets);
      this.firstPositions = grow(this.firstPositions);
    }
    this.offsets[this.length] = offset;
    this.firstPositions[this.length] = firstPosition;
    return this.length++;
  }

  offset(record: number): number {
    return this.offsets[record]!;
  }

  firstPosition(record: number): number {
    return this.firstPositions[record]!;
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

function grow(array: Float64Array, length = array.length * 2): Float64Array {
  const bigger = new Float64Array(length);
  bigger.set(array);
  return bigger;
}
