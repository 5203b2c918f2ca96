import type { NodeVerdict, SchedulingDecision, VerdictTable } from '../../../core/events.ts';
import type { ScorePlugin } from './scores/score.ts';

/**
 * The compact form of a decision's verdicts (`SchedulingDecision.table`, described in
 * core/events.ts): every evaluated node, nodes with the same verdict sharing one group. On a
 * uniform 5,000-node cluster a decision over 500 evaluated nodes has a handful of distinct
 * verdicts, so it takes a few hundred bytes where 100 written-out verdicts took 15 KB.
 */

/** A node name split for run encoding: `node-0042` is prefix `node-`, number 42, 4 digits. */
export interface NumberedName {
  prefix: string;
  /** -1 when the name does not end in digits. */
  number: number;
  digits: number;
  /** Names of one family (same prefix, same digit count) are ordered by number; 0 for names without a number. */
  family: number;
}

/** Family numbers, given out as names are first seen (a handful per cluster: one per node pool naming). */
const families = new Map<string, number>();

const TRAILING_DIGITS = /^(.*?)(\d{1,15})$/;

export function numberedName(name: string): NumberedName {
  const match = name.includes('..') ? null : TRAILING_DIGITS.exec(name);
  if (!match) return { prefix: name, number: -1, digits: 0, family: 0 };
  const key = `${match[1]!}\n${match[2]!.length}`;
  let family = families.get(key);
  if (family === undefined) families.set(key, (family = families.size + 1));
  return { prefix: match[1]!, number: Number(match[2]), digits: match[2]!.length, family };
}

/** What the table needs of an evaluated node. */
export interface TableNode {
  name: string;
  numbered: NumberedName;
}

/** A rejected node's verdict as the filters gave it. */
export interface TableFailure {
  plugin: string;
  reasons: readonly string[];
}

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DIGIT_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < DIGITS.length; i++) DIGIT_VALUES[DIGITS.charCodeAt(i)] = i;

/** Base64url digits per node for this many groups. */
function widthFor(groups: number): number {
  let width = 1;
  for (let capacity = 64; capacity < groups; capacity *= 64) width++;
  return width;
}

let scratchGroups = new Int32Array(1024);
/** Stands for the score keys of a table without them (string keys): it matches no key. */
const NO_KEYS = new Float64Array(0);
let scratchChars = new Uint8Array(1024);
let scratchKeys = new Float64Array(1024);
const ascii = new TextDecoder();

/**
 * Encodes a cycle's verdicts. `codes[i]` says what became of `nodes[i]`: a feasible node's index
 * into the score arrays (`perPlugin[p][code]`), or `-1 - f` for `failures[f]`. The table lists
 * the nodes in natural name order (`node-9` before `node-10`), where a round-robin window of
 * numbered nodes falls into a few runs, and numbers groups in order of first appearance: the same
 * cycle always gives the same table. Its groups are shared, frozen, with every other table that
 * has the same verdict (a log of 150,000 decisions holds a few hundred distinct ones).
 */
export function buildVerdictTable(
  /** The evaluated nodes, or what lists them when asked (a keyed window seen before does not need them). */
  nodes: readonly TableNode[] | (() => readonly TableNode[]),
  codes: Int32Array,
  count: number,
  failures: readonly TableFailure[],
  plugins: readonly ScorePlugin[],
  perPlugin: readonly Int32Array[],
  /** Each feasible node's scores as one number (`key * 128 + score`, plugin by plugin), when the caller has them. */
  scoreKeys?: Float64Array,
  /** Names the list of nodes: the same key always stands for the same names in the same order (saves comparing them). */
  windowKey?: string,
): VerdictTable {
  const groups: VerdictTable['groups'] = [];
  if (scratchGroups.length < count) scratchGroups = new Int32Array(Math.max(count, 2 * scratchGroups.length));
  const groupOf = scratchGroups;
  const pluginCount = plugins.length;
  const { order, runs } = windowKey === undefined ? namedWindow(typeof nodes === 'function' ? nodes() : nodes, count) : keyedWindow(windowKey, nodes, count);
  const keys = scoreKeys ?? feasibleKeys(codes, count, perPlugin, pluginCount);
  const grouper = keys ? numericGrouper.start(keys) : stringGrouper.start(perPlugin, pluginCount);
  // A key stands for one group throughout the table: a feasible node with the previous feasible
  // node's key (the common case in name order) takes its group without asking the grouper.
  const keyOf = keys ?? NO_KEYS;
  let lastKey = Number.NaN;
  let lastGroup = -1;
  for (let k = 0; k < count; k++) {
    const code = codes[order[k]!]!;
    if (code >= 0 && keyOf[code] === lastKey) {
      groupOf[k] = lastGroup;
      continue;
    }
    let group = code < 0 ? grouper.failure(failures[-1 - code]!) : grouper.feasible(code);
    if (group < 0) {
      group = groups.length;
      groups.push(code < 0 ? failureGroup(failures[-1 - code]!) : scoreGroup(perPlugin, pluginCount, code, grouper.keyOf(code)));
      grouper.add(group);
    }
    if (code >= 0 && keys) {
      lastKey = keys[code]!;
      lastGroup = group;
    }
    groupOf[k] = group;
  }
  return { nodes: runs, plugins: pluginColumns(plugins), groups: sharedGroupList(groups), rows: encodeRows(groupOf, count, widthFor(groups.length)) };
}

/**
 * Finds a node's group among those of the table being built: `failure` and `feasible` give the
 * group number, or -1 for a verdict not seen yet, which the caller then adds with `add`.
 */
interface Grouper {
  failure(failure: TableFailure): number;
  feasible(code: number): number;
  keyOf(code: number): number | string;
  add(group: number): void;
}

/** Failure groups, by `plugin\nreasons` (failed nodes are the exception in most cycles). */
class FailureGroups {
  private readonly index = new Map<string, number>();
  pending = '';

  reset(): void {
    if (this.index.size > 0) this.index.clear();
  }

  find(failure: TableFailure): number {
    this.pending = failureKey(failure);
    return this.index.get(this.pending) ?? -1;
  }

  add(group: number): void {
    this.index.set(this.pending, group);
  }
}

/**
 * Score groups by numeric key: the last two keys seen are checked first (neighbours in name order
 * usually share scores, or alternate between two), then the table's few keys are scanned.
 */
class NumericGrouper implements Grouper {
  private keys: Float64Array = new Float64Array(0);
  private groupKeys = new Float64Array(64);
  private groupNumbers = new Int32Array(64);
  private size = 0;
  private readonly many = new Map<number, number>();
  private readonly failures = new FailureGroups();
  private lastKey = Number.NaN;
  private lastGroup = -1;
  private previousKey = Number.NaN;
  private previousGroup = -1;
  private pendingKey = Number.NaN;
  private pendingFailure = false;

  start(keys: Float64Array): this {
    this.keys = keys;
    this.size = 0;
    if (this.many.size > 0) this.many.clear();
    this.failures.reset();
    this.lastKey = this.previousKey = Number.NaN;
    return this;
  }

  failure(failure: TableFailure): number {
    this.pendingFailure = true;
    return this.failures.find(failure);
  }

  feasible(code: number): number {
    const key = this.keys[code]!;
    this.pendingFailure = false;
    if (key === this.lastKey) return this.lastGroup;
    let group: number;
    if (key === this.previousKey) group = this.previousGroup;
    else {
      group = -1;
      if (this.size <= LINEAR_GROUPS) {
        for (let g = this.size - 1; g >= 0; g--) {
          if (this.groupKeys[g] === key) {
            group = this.groupNumbers[g]!;
            break;
          }
        }
      } else group = this.many.get(key) ?? -1;
      if (group < 0) {
        this.pendingKey = key;
        return -1;
      }
    }
    this.remember(key, group);
    return group;
  }

  keyOf(code: number): number {
    return this.keys[code]!;
  }

  add(group: number): void {
    if (this.pendingFailure) return this.failures.add(group);
    const key = this.pendingKey;
    if (this.size === this.groupKeys.length) {
      const keys = new Float64Array(2 * this.size);
      keys.set(this.groupKeys);
      const numbers = new Int32Array(2 * this.size);
      numbers.set(this.groupNumbers);
      this.groupKeys = keys;
      this.groupNumbers = numbers;
    }
    this.groupKeys[this.size] = key;
    this.groupNumbers[this.size++] = group;
    if (this.size > LINEAR_GROUPS) {
      if (this.many.size === 0) for (let g = 0; g < this.size; g++) this.many.set(this.groupKeys[g]!, this.groupNumbers[g]!);
      else this.many.set(key, group);
    }
    this.remember(key, group);
  }

  private remember(key: number, group: number): void {
    this.previousKey = this.lastKey;
    this.previousGroup = this.lastGroup;
    this.lastKey = key;
    this.lastGroup = group;
  }
}

/** Score groups by string key, when scores do not fit the numeric key (more than seven plugins, or outside 0..127). */
class StringGrouper implements Grouper {
  private perPlugin: readonly Int32Array[] = [];
  private pluginCount = 0;
  private readonly index = new Map<string, number>();
  private readonly failures = new FailureGroups();
  private pending = '';
  private pendingFailure = false;

  start(perPlugin: readonly Int32Array[], pluginCount: number): this {
    this.perPlugin = perPlugin;
    this.pluginCount = pluginCount;
    this.index.clear();
    this.failures.reset();
    return this;
  }

  failure(failure: TableFailure): number {
    this.pendingFailure = true;
    return this.failures.find(failure);
  }

  feasible(code: number): number {
    this.pendingFailure = false;
    this.pending = this.keyOf(code);
    return this.index.get(this.pending) ?? -1;
  }

  keyOf(code: number): string {
    let key = '';
    for (let p = 0; p < this.pluginCount; p++) key += `${this.perPlugin[p]![code]!},`;
    return key;
  }

  add(group: number): void {
    if (this.pendingFailure) this.failures.add(group);
    else this.index.set(this.pending, group);
  }
}

const numericGrouper = new NumericGrouper();
const stringGrouper = new StringGrouper();
/** Past this many groups in one table, they are found through a map rather than by scanning. */
const LINEAR_GROUPS = 32;

function failureKey(failure: TableFailure): string {
  return `${failure.plugin}\n${failureText(failure)}`;
}

function failureText(failure: TableFailure): string {
  return failure.reasons.length === 1 ? failure.reasons[0]! : failure.reasons.join(', ');
}

/**
 * One number per feasible node standing for its scores (7 bits per plugin, exact in a double up
 * to seven plugins), built plugin by plugin in sequential passes; undefined when a score falls
 * outside 0..127 or there are more plugins, and string keys are used instead.
 */
function feasibleKeys(codes: Int32Array, count: number, perPlugin: readonly Int32Array[], pluginCount: number): Float64Array | undefined {
  if (pluginCount > 7) return undefined;
  let feasible = 0;
  for (let i = 0; i < count; i++) if (codes[i]! >= feasible) feasible = codes[i]! + 1;
  if (scratchKeys.length < feasible) scratchKeys = new Float64Array(Math.max(feasible, 2 * scratchKeys.length));
  const keys = scratchKeys;
  keys.fill(0, 0, feasible);
  let outOfRange = 0;
  for (let p = 0; p < pluginCount; p++) {
    const scores = perPlugin[p]!;
    for (let i = 0; i < feasible; i++) {
      const score = scores[i]!;
      outOfRange |= score & ~127;
      keys[i] = keys[i]! * 128 + score;
    }
  }
  return outOfRange === 0 ? keys : undefined;
}

type Group = VerdictTable['groups'][number];

/** Past this many, the shared groups and group lists start afresh (sharing is only a saving). */
const MAX_SHARED = 1 << 16;
const sharedFailureGroups = new Map<string, Group>();
const sharedScoreGroups = new Map<number | string, Group>();
const sharedGroupLists = new Map<string, VerdictTable['groups']>();
/** Shared groups by identity, to key a table's list of them. */
const groupIds = new WeakMap<Group, number>();
let nextGroupId = 0;

function share<K>(map: Map<K, Group>, key: K, make: () => Group): Group {
  let group = map.get(key);
  if (!group) {
    if (map.size >= MAX_SHARED) map.clear();
    group = Object.freeze(make());
    if (Array.isArray((group as { scores?: number[] }).scores)) Object.freeze((group as { scores: number[] }).scores);
    groupIds.set(group, nextGroupId++);
    map.set(key, group);
  }
  return group;
}

function failureGroup(failure: TableFailure): Group {
  return share(sharedFailureGroups, failureKey(failure), () => ({ plugin: failure.plugin, failure: failureText(failure) }));
}

function scoreGroup(perPlugin: readonly Int32Array[], pluginCount: number, index: number, key: number | string): Group {
  // Numeric keys do not say how many plugins there were: the count goes into the map's key.
  return share(sharedScoreGroups, typeof key === 'number' ? key * 8 + pluginCount : key, () => {
    const scores = new Array<number>(pluginCount);
    for (let p = 0; p < pluginCount; p++) scores[p] = perPlugin[p]![index]!;
    return { scores };
  });
}

/** The same list of shared groups as an earlier table's, when there was one (most decisions repeat a few lists). */
function sharedGroupList(groups: VerdictTable['groups']): VerdictTable['groups'] {
  let key = '';
  for (const group of groups) key += `${groupIds.get(group)!},`;
  let shared = sharedGroupLists.get(key);
  if (!shared) {
    if (sharedGroupLists.size >= MAX_SHARED) sharedGroupLists.clear();
    shared = Object.freeze(groups) as VerdictTable['groups'];
    sharedGroupLists.set(key, shared);
  }
  return shared;
}

/** A list of evaluated nodes in natural order, and its names as the table writes them. */
interface NamedWindow {
  nodes: readonly TableNode[];
  order: Int32Array;
  runs: string[];
}

const windows = new Map<string, NamedWindow>();
const MAX_WINDOWS = 64;

/**
 * The natural order and name runs of these nodes. The scheduler's round-robin start comes back to
 * the same windows of its node list over and over (ten windows of 500 at 5,000 nodes), so the
 * last few are kept, reused while they hold the very same nodes, and their runs array is shared
 * by the tables (frozen: events are never changed).
 */
function namedWindow(nodes: readonly TableNode[], count: number): NamedWindow {
  if (count === 0) return { nodes: [], order: new Int32Array(0), runs: [] };
  const key = `${nodes[0]!.name}\n${count}`;
  const cached = windows.get(key);
  if (cached && sameNodes(cached.nodes, nodes, count)) return cached;
  const order = naturalOrder(nodes, count).slice(0, count);
  const window: NamedWindow = { nodes: nodes.slice(0, count), order, runs: Object.freeze(nameRuns(nodes, order, count)) as string[] };
  if (!cached && windows.size >= MAX_WINDOWS) windows.delete(windows.keys().next().value!);
  windows.set(key, window);
  return window;
}

const keyedWindows = new Map<string, NamedWindow>();

/** The window a caller's key names, made from `nodes` the first time. */
function keyedWindow(key: string, listed: readonly TableNode[] | (() => readonly TableNode[]), count: number): NamedWindow {
  let window = keyedWindows.get(key);
  if (!window) {
    const nodes = typeof listed === 'function' ? listed() : listed;
    const order = naturalOrder(nodes, count).slice(0, count);
    window = { nodes: [], order, runs: Object.freeze(nameRuns(nodes, order, count)) as string[] };
    if (keyedWindows.size >= MAX_WINDOWS) keyedWindows.delete(keyedWindows.keys().next().value!);
    keyedWindows.set(key, window);
  }
  return window;
}

function sameNodes(a: readonly TableNode[], b: readonly TableNode[], count: number): boolean {
  for (let i = 0; i < count; i++) if (a[i] !== b[i]) return false;
  return true;
}

const columnsBySet = new Map<string, VerdictTable['plugins']>();

/**
 * The table's plugin columns, one frozen array per set of plugins shared by every decision that
 * scores with it (events are never changed once made, and a log of 150,000 decisions need not
 * hold 150,000 copies).
 */
function pluginColumns(plugins: readonly ScorePlugin[]): VerdictTable['plugins'] {
  // Consecutive decisions nearly always score with the same plugins.
  if (plugins.length === lastPlugins.length && plugins.every((plugin, p) => plugin === lastPlugins[p])) return lastColumns;
  lastPlugins = plugins.slice();
  lastColumns = columnsFor(plugins);
  return lastColumns;
}

let lastPlugins: readonly ScorePlugin[] = [];
let lastColumns: VerdictTable['plugins'] = Object.freeze([]) as unknown as VerdictTable['plugins'];

function columnsFor(plugins: readonly ScorePlugin[]): VerdictTable['plugins'] {
  let key = '';
  for (const plugin of plugins) key += `${plugin.name}\n${plugin.weight}\n`;
  let columns = columnsBySet.get(key);
  if (!columns) {
    columns = Object.freeze(plugins.map((p) => Object.freeze({ name: p.name, weight: p.weight }))) as VerdictTable['plugins'];
    columnsBySet.set(key, columns);
  }
  return columns;
}

/** A run of at least this many nodes in one group is written `<digits>*<count>`. */
const MIN_RUN = 4;
const STAR = 42;

/**
 * Each node's group as `width` base64url digits; a run of `MIN_RUN` or more nodes in the same
 * group as the digits once followed by `*` and the run's length (`A*437BA*62`). Neighbours in
 * natural order usually share a verdict, so the 500 digits of a decision mostly shrink to a few.
 */
function encodeRows(groupOf: Int32Array, count: number, width: number): string {
  const length = count * width;
  if (scratchChars.length < length) scratchChars = new Uint8Array(Math.max(length, 2 * scratchChars.length));
  const chars = scratchChars;
  let at = 0;
  for (let i = 0; i < count; ) {
    const group = groupOf[i]!;
    let run = 1;
    while (i + run < count && groupOf[i + run] === group) run++;
    const repeats = run >= MIN_RUN ? 1 : run;
    for (let r = 0; r < repeats; r++) {
      for (let d = width - 1, g = group; d >= 0; d--) {
        chars[at + d] = DIGITS.charCodeAt(g & 63);
        g >>>= 6;
      }
      at += width;
    }
    if (run >= MIN_RUN) {
      chars[at++] = STAR;
      let digits = 1;
      for (let rest = run; rest >= 10; rest = Math.floor(rest / 10)) digits++;
      for (let d = digits - 1, rest = run; d >= 0; d--, rest = Math.floor(rest / 10)) chars[at + d] = 48 + (rest % 10);
      at += digits;
    }
    i += run;
  }
  return ascii.decode(chars.subarray(0, at));
}

/** The group of each node, from `rows`. */
function decodeRows(rows: string, width: number): number[] {
  const groups: number[] = [];
  for (let at = 0; at < rows.length; ) {
    let group = 0;
    for (let d = 0; d < width; d++) {
      const value = DIGIT_VALUES[rows.charCodeAt(at++)];
      if (value === undefined || value < 0) throw new Error(`verdict table: bad row digit at ${at - 1}`);
      group = group * 64 + value;
    }
    let run = 1;
    if (rows.charCodeAt(at) === STAR) {
      let end = ++at;
      while (end < rows.length && rows.charCodeAt(end) >= 48 && rows.charCodeAt(end) <= 57) end++;
      run = Number(rows.slice(at, end));
      at = end;
    }
    for (let r = 0; r < run; r++) groups.push(group);
  }
  return groups;
}

let scratchOrder = new Int32Array(1024);

/**
 * Indexes of `nodes` in natural name order: names without a number first, by name; then each
 * family (prefix and digit count, in that order) by number. The scheduler evaluates a round-robin
 * window of its name-sorted node list, in which each family already runs in order but for one
 * wrap-around, so a bucket is rotated when that is all it needs and sorted only otherwise.
 */
function naturalOrder(nodes: readonly TableNode[], count: number): Int32Array {
  if (scratchOrder.length < count) scratchOrder = new Int32Array(Math.max(count, 2 * scratchOrder.length));
  const order = scratchOrder;
  const bucketFamilies: number[] = [];
  const buckets: number[][] = [];
  let current = -1;
  for (let i = 0; i < count; i++) {
    const family = nodes[i]!.numbered.family;
    if (current < 0 || bucketFamilies[current] !== family) {
      current = bucketFamilies.indexOf(family);
      if (current < 0) {
        current = bucketFamilies.push(family) - 1;
        buckets.push([]);
      }
    }
    buckets[current]!.push(i);
  }
  const sequence = buckets.length === 1 ? buckets : [...buckets].sort((a, b) => compareNames(nodes[a[0]!]!, nodes[b[0]!]!));
  let at = 0;
  for (const members of sequence) {
    let descents = 0;
    let wrap = 0;
    for (let m = 1; m < members.length; m++) {
      if (compareNames(nodes[members[m - 1]!]!, nodes[members[m]!]!) > 0) {
        descents++;
        wrap = m;
      }
    }
    if (descents > 1 || (descents === 1 && compareNames(nodes[members[members.length - 1]!]!, nodes[members[0]!]!) > 0)) {
      members.sort((a, b) => compareNames(nodes[a]!, nodes[b]!));
      wrap = 0;
    }
    for (let m = wrap; m < members.length; m++) order[at++] = members[m]!;
    for (let m = 0; m < wrap; m++) order[at++] = members[m]!;
  }
  return order;
}

/** Plain names (no number) first, by name; then by prefix, digit count and number. */
function compareNames(a: TableNode, b: TableNode): number {
  const x = a.numbered;
  const y = b.numbered;
  if ((x.number < 0) !== (y.number < 0)) return x.number < 0 ? -1 : 1;
  if (x.number < 0) return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  if (x.prefix !== y.prefix) return x.prefix < y.prefix ? -1 : 1;
  return x.digits - y.digits || x.number - y.number;
}

/** Names in `order`, consecutively numbered ones (same prefix and digit count) as `first..lastDigits`. */
function nameRuns(nodes: readonly TableNode[], order: Int32Array, count: number): string[] {
  const runs: string[] = [];
  for (let k = 0; k < count; ) {
    const first = nodes[order[k]!]!;
    const { prefix, number, digits } = first.numbered;
    let last = k;
    if (number >= 0) {
      while (last + 1 < count) {
        const next = nodes[order[last + 1]!]!.numbered;
        if (next.number !== number + (last + 1 - k) || next.digits !== digits || next.prefix !== prefix) break;
        last++;
      }
    }
    runs.push(last > k ? `${first.name}..${nodes[order[last]!]!.name.slice(prefix.length)}` : first.name);
    k = last + 1;
  }
  return runs;
}

/** The node names a table's `nodes` stands for, in evaluation order. */
export function expandNodeNames(runs: readonly string[]): string[] {
  const names: string[] = [];
  for (const run of runs) {
    const dots = run.indexOf('..');
    if (dots < 0) {
      names.push(run);
      continue;
    }
    const lastDigits = run.slice(dots + 2);
    const width = lastDigits.length;
    const first = run.slice(0, dots);
    const prefix = first.slice(0, first.length - width);
    const end = Number(lastDigits);
    for (let n = Number(first.slice(first.length - width)); n <= end; n++) names.push(prefix + String(n).padStart(width, '0'));
  }
  return names;
}

/** One NodeVerdict per evaluated node (in the table's natural name order): exactly what the scheduler saw. */
export function expandVerdictTable(table: VerdictTable): NodeVerdict[] {
  const names = expandNodeNames(table.nodes);
  const rows = decodeRows(table.rows, widthFor(table.groups.length));
  if (rows.length !== names.length) throw new Error(`verdict table: rows for ${rows.length} nodes, ${names.length} names`);
  const verdicts: NodeVerdict[] = [];
  for (let i = 0; i < names.length; i++) {
    const index = rows[i]!;
    const group = table.groups[index];
    if (!group) throw new Error(`verdict table: node ${names[i]} has no group ${index}`);
    if ('failure' in group) {
      verdicts.push({ node: names[i]!, failure: group.failure, plugin: group.plugin });
      continue;
    }
    const scores: Record<string, number> = {};
    let total = 0;
    table.plugins.forEach((plugin, p) => {
      scores[plugin.name] = group.scores[p]!;
      total += group.scores[p]! * plugin.weight;
    });
    verdicts.push({ node: names[i]!, scores, total });
  }
  return verdicts;
}

/** A decision's verdicts, whichever way they were recorded. */
export function verdictsOf(decision: SchedulingDecision): NodeVerdict[] {
  return decision.table ? expandVerdictTable(decision.table) : decision.verdicts;
}
