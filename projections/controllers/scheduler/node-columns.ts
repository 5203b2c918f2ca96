import type { NodeInfo } from './node-info.ts';

/** How many of the last written positions the columns remember. */
export const CHANGE_LOG = 256;

/**
 * The numbers a scheduling cycle reads of every node, one typed array per field, indexed by the
 * node's position in the cache's name-sorted list (`NodeInfo.index`). A cycle walks a window of
 * 500 neighbouring nodes several times (filter, then each score plugin); read from NodeInfo
 * objects spread over the heap, each pass was a cache miss or more per node, read from here it is
 * a sequential scan. NodeInfo stays the record; the cache writes every change to both.
 */
export class NodeColumns {
  size = 0;
  allocatableCpu = new Float64Array(0);
  allocatableMemory = new Float64Array(0);
  allocatablePods = new Float64Array(0);
  requestedCpu = new Float64Array(0);
  requestedMemory = new Float64Array(0);
  nonZeroCpu = new Float64Array(0);
  nonZeroMemory = new Float64Array(0);
  podCount = new Float64Array(0);
  /**
   * What is left of allocatable pods, cpu and memory (allocatable − requested, as NodeResourcesFit
   * computes it); pods left is -1 on a node that is cordoned or has a NoSchedule or NoExecute taint,
   * so that one comparison rules out every node a plain pod cannot simply be placed on.
   */
  freePods = new Float64Array(0);
  freeCpu = new Float64Array(0);
  freeMemory = new Float64Array(0);
  /** 1 when the node is neither cordoned nor has a NoSchedule or NoExecute taint. */
  open = new Uint8Array(0);
  /** How many PreferNoSchedule taints it has. */
  softTaints = new Int32Array(0);
  /** How many nodes have PreferNoSchedule taints. */
  softTainted = 0;
  /** Its zone as an index into `zoneNames`, -1 without the zone label. */
  zone = new Int32Array(0);
  readonly zoneNames: string[] = [];
  private readonly zoneIndexes = new Map<string, number>();
  /**
   * Stamps what the node's numbers are: a new, never repeated stamp (across all columns) each time
   * any of them is written, moved with the node when nodes shift. A score computed from the same
   * stamp is computed from the same numbers (see ScoreMemo).
   */
  version = new Float64Array(0);
  /**
   * Positions written (`writeUsage`, which `write` ends with), the last `CHANGE_LOG` of them:
   * `changed[n % CHANGE_LOG]` is the n-th write, `changes` counts them all. `layoutChanges` counts
   * the times nodes moved (inserted, removed, resized), after which no position means what it did.
   */
  readonly changed = new Int32Array(CHANGE_LOG);
  changes = 0;
  layoutChanges = 0;
  /** Scratch for the cycle in progress: the cycle that last found the node feasible, and its index among the feasible nodes. */
  cycle = new Int32Array(0);
  feasibleIndex = new Int32Array(0);

  /** Makes room at `at` (moving later nodes up one) and writes `node` there. */
  insert(at: number, node: NodeInfo): void {
    this.reserve(this.size + 1);
    for (const column of this.all()) column.copyWithin(at + 1, at, this.size);
    this.size++;
    this.layoutChanges++;
    this.softTaints[at] = 0;
    this.write(at, node);
  }

  /** Drops the node at `at`, moving later nodes down one. */
  remove(at: number): void {
    if (this.softTaints[at]! > 0) this.softTainted--;
    for (const column of this.all()) column.copyWithin(at, at + 1, this.size);
    this.size--;
    this.layoutChanges++;
  }

  /** Sets the number of nodes (positions past the old size are written next). */
  resize(size: number): void {
    this.reserve(size);
    this.softTaints.fill(0, this.size, size);
    this.size = size;
    this.layoutChanges++;
  }

  /** Everything about the node at `at`. */
  write(at: number, node: NodeInfo): void {
    this.allocatableCpu[at] = node.allocatableCpu;
    this.allocatableMemory[at] = node.allocatableMemory;
    this.allocatablePods[at] = node.allocatablePods;
    this.open[at] = !node.unschedulable && node.hardTaints.length === 0 ? 1 : 0;
    this.softTainted += (node.softTaints.length > 0 ? 1 : 0) - (this.softTaints[at]! > 0 ? 1 : 0);
    this.softTaints[at] = node.softTaints.length;
    this.zone[at] = node.zone === undefined ? -1 : this.zoneIndex(node.zone);
    this.cycle[at] = 0;
    this.feasibleIndex[at] = -1;
    this.writeUsage(at, node);
  }

  /** What the node's pods request, after a pod came or went. */
  writeUsage(at: number, node: NodeInfo): void {
    this.version[at] = ++writes;
    this.changed[this.changes++ % CHANGE_LOG] = at;
    this.requestedCpu[at] = node.requestedCpu;
    this.requestedMemory[at] = node.requestedMemory;
    this.nonZeroCpu[at] = node.nonZeroCpu;
    this.nonZeroMemory[at] = node.nonZeroMemory;
    this.podCount[at] = node.podCount;
    this.freePods[at] = this.open[at] === 1 ? this.allocatablePods[at]! - node.podCount : -1;
    this.freeCpu[at] = this.allocatableCpu[at]! - node.requestedCpu;
    this.freeMemory[at] = this.allocatableMemory[at]! - node.requestedMemory;
  }

  private zoneIndex(zone: string): number {
    let index = this.zoneIndexes.get(zone);
    if (index === undefined) this.zoneIndexes.set(zone, (index = this.zoneNames.push(zone) - 1));
    return index;
  }

  private all(): Array<Float64Array | Int32Array | Uint8Array> {
    return [
      this.allocatableCpu,
      this.allocatableMemory,
      this.allocatablePods,
      this.requestedCpu,
      this.requestedMemory,
      this.nonZeroCpu,
      this.nonZeroMemory,
      this.podCount,
      this.freePods,
      this.freeCpu,
      this.freeMemory,
      this.open,
      this.softTaints,
      this.zone,
      this.version,
      this.cycle,
      this.feasibleIndex,
    ];
  }

  private reserve(size: number): void {
    if (size <= this.cycle.length) return;
    const capacity = Math.max(size, 2 * this.cycle.length, 64);
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(column: T, make: new (n: number) => T): T => {
      const next = new make(capacity);
      next.set(column.subarray(0, this.size));
      return next;
    };
    this.allocatableCpu = grow(this.allocatableCpu, Float64Array);
    this.allocatableMemory = grow(this.allocatableMemory, Float64Array);
    this.allocatablePods = grow(this.allocatablePods, Float64Array);
    this.requestedCpu = grow(this.requestedCpu, Float64Array);
    this.requestedMemory = grow(this.requestedMemory, Float64Array);
    this.nonZeroCpu = grow(this.nonZeroCpu, Float64Array);
    this.nonZeroMemory = grow(this.nonZeroMemory, Float64Array);
    this.podCount = grow(this.podCount, Float64Array);
    this.freePods = grow(this.freePods, Float64Array);
    this.freeCpu = grow(this.freeCpu, Float64Array);
    this.freeMemory = grow(this.freeMemory, Float64Array);
    this.open = grow(this.open, Uint8Array);
    this.softTaints = grow(this.softTaints, Int32Array);
    this.zone = grow(this.zone, Int32Array);
    this.version = grow(this.version, Float64Array);
    this.cycle = grow(this.cycle, Int32Array);
    this.feasibleIndex = grow(this.feasibleIndex, Int32Array);
  }
}

/** Writes to any columns so far: the last version stamp given out. */
let writes = 0;
