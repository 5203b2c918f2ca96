/**
 * Where each record of the log lives: its byte offset and its first position, in two growable
 * typed arrays (16 bytes per append, however many events it holds). A position is found by binary
 * search, so `readAll(from)` seeks without scanning.
 */
export class RecordIndex {
  private offsets: Float64Array = new Float64Array(1024);
  private firstPositions: Float64Array = new Float64Array(1024);
  length = 0;

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

function grow(array: Float64Array): Float64Array {
  const bigger = new Float64Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
