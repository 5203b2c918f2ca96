import type { EventQuery, EventSummary } from './api.ts';
import type { DebuggerState } from './debugger-state.ts';
import { clockTime, formatCount, h, reportError } from './dom.ts';

export const ROW_HEIGHT = 22;
const PAGE = 250;
const MAX_PAGES = 80;
/** Browsers cap an element's height (~17M px in Firefox): past this the scrollbar maps proportionally. */
const MAX_SCROLL_HEIGHT = 4_000_000;
const OVERSCAN = 6;

/** Rows of the event list, fetched a page at a time as they scroll into view. */
interface RowSource {
  total: number;
  row(index: number): EventSummary | undefined;
  /** Loads rows first..last; resolves true when anything new arrived. */
  ensure(first: number, last: number): Promise<boolean>;
  indexOf(position: number): number | undefined;
}

/** The whole log: row i is position i + 1, so any page can be fetched directly. */
class AllEvents implements RowSource {
  private readonly pages = new Map<number, EventSummary[]>();
  private readonly loading = new Map<number, Promise<void>>();

  constructor(
    private readonly state: DebuggerState,
    public total: number,
  ) {}

  row(index: number): EventSummary | undefined {
    return this.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  indexOf(position: number): number | undefined {
    return position >= 1 && position <= this.total ? position - 1 : undefined;
  }

  /** A live log grew: the last, partly filled page must be fetched again. */
  grow(total: number): void {
    this.pages.delete(Math.floor(this.total / PAGE));
    this.total = total;
  }

  async ensure(first: number, last: number): Promise<boolean> {
    const wanted: Promise<void>[] = [];
    for (let page = Math.floor(first / PAGE); page <= Math.floor(last / PAGE); page++) {
      if (this.pages.has(page)) continue;
      let load = this.loading.get(page);
      if (!load) {
        load = this.state.client.events(this.state.id, { from: page * PAGE + 1, limit: PAGE }).then((answer) => {
          this.pages.set(page, answer.items);
          this.total = answer.total;
          this.loading.delete(page);
          // Keep memory flat on huge logs: forget the oldest pages.
          while (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
        });
        this.loading.set(page, load);
      }
      wanted.push(load);
    }
    if (!wanted.length) return false;
    await Promise.all(wanted);
    return true;
  }
}

/** A filtered log: matches are paged in order through `next`, so rows load from the top down. */
class FilteredEvents implements RowSource {
  private readonly rows: EventSummary[] = [];
  private next: number | undefined = 1;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly state: DebuggerState,
    private readonly query: EventQuery,
    public total: number,
  ) {}

  static async open(state: DebuggerState, query: EventQuery): Promise<FilteredEvents> {
    const source = new FilteredEvents(state, query, 0);
    await source.more();
    return source;
  }

  row(index: number): EventSummary | undefined {
    return this.rows[index];
  }

  indexOf(position: number): number | undefined {
    let low = 0;
    let high = this.rows.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const at = this.rows[mid]!.position;
      if (at === position) return mid;
      if (at < position) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }

  private more(): Promise<void> {
    this.loading ??= this.state.client
      .events(this.state.id, { ...this.query, from: this.next, limit: 1000 })
      .then((answer) => {
        this.rows.push(...answer.items);
        this.total = answer.total;
        this.next = answer.next;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  async ensure(_first: number, last: number): Promise<boolean> {
    let grew = false;
    for (let round = 0; round < 10 && this.rows.length <= last && this.next !== undefined; round++) {
      await this.more();
      grew = true;
    }
    return grew;
  }
}

const KIND_LABEL: Record<EventSummary['kind'], string> = { user: 'user', fault: 'fault', controller: 'ctrl', kubelet: 'kubelet', clock: 'clock', system: 'system' };

/**
 * The event list: filters over type, actor, object kind and text, and a virtualised body that only
 * ever holds the rows in view (a few dozen DOM nodes for a million events).
 */
export class EventList {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly layer: HTMLElement;
  private readonly count: HTMLElement;
  private readonly filters: Record<'type' | 'actor' | 'kind' | 'q', HTMLInputElement>;
  private source: RowSource;
  private firstRow = 0;
  private frame = 0;
  private followCursor = true;
  private filterVersion = 0;

  constructor(private readonly state: DebuggerState) {
    const input = (name: string, placeholder: string, list?: string) => h('input', { type: 'search', name, placeholder, list, 'data-testid': `filter-${name}`, spellcheck: 'false' });
    this.filters = {
      q: input('q', 'search text'),
      type: input('type', 'event type', 'event-types'),
      actor: input('actor', 'actor'),
      kind: input('kind', 'object kind'),
    };
    const types = ['ObjectCreated', 'ObjectUpdated', 'ObjectDeleted', 'PodScheduled', 'PodUnschedulable', 'PodPhaseChanged', 'ContainerStateChanged', 'NodeConditionChanged', 'KubeletStopped', 'PodEvicted', 'ClockAdvanced'];
    this.count = h('span', { class: 'count', 'data-testid': 'event-count' });
    this.spacer = h('div', { class: 'spacer' });
    this.layer = h('div', { class: 'rows' });
    this.viewport = h('div', { class: 'viewport', tabindex: 0, 'data-testid': 'event-viewport' }, this.spacer, this.layer);
    this.element = h(
      'section',
      { class: 'panel events' },
      h('header', { class: 'panel-head' }, h('h2', {}, 'Events'), this.count),
      h('div', { class: 'filters' }, Object.values(this.filters), h('datalist', { id: 'event-types' }, types.map((t) => h('option', { value: t })))),
      h('div', { class: 'row head' }, h('span', { class: 'pos' }, '#'), h('span', { class: 'time' }, 'time'), h('span', { class: 'kind' }, 'by'), h('span', { class: 'type' }, 'type'), h('span', { class: 'summary' }, 'summary')),
      this.viewport,
    );
    this.source = new AllEvents(state, state.session.head);
    let debounce = 0;
    for (const field of Object.values(this.filters)) {
      field.addEventListener('input', () => {
        clearTimeout(debounce);
        debounce = window.setTimeout(() => void this.applyFilters(), 250);
      });
    }
    this.viewport.addEventListener('scroll', () => {
      this.followCursor = false;
      this.schedule();
    });
    this.layer.addEventListener('click', (event) => {
      const row = (event.target as Element).closest<HTMLElement>('.row[data-position]');
      if (!row) return;
      const position = Number(row.dataset.position);
      this.state.selectEvent(position);
      void this.state.seek({ position });
    });
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
    state.onCursor(() => {
      this.followCursor = true;
      this.schedule();
    });
    state.onSelection(() => this.schedule());
    state.onSession(() => {
      if (this.source instanceof AllEvents) this.source.grow(state.session.head);
      else void this.applyFilters();
      this.schedule();
    });
  }

  private query(): EventQuery {
    const query: EventQuery = {};
    for (const [key, field] of Object.entries(this.filters)) if (field.value.trim()) query[key as keyof typeof this.filters] = field.value.trim();
    return query;
  }

  private async applyFilters(): Promise<void> {
    const version = ++this.filterVersion;
    const query = this.query();
    this.element.classList.remove('bad-filter');
    try {
      const source = Object.keys(query).length ? await FilteredEvents.open(this.state, query) : new AllEvents(this.state, this.state.session.head);
      if (version !== this.filterVersion) return;
      this.source = source;
      this.viewport.scrollTop = 0;
      this.followCursor = true;
      this.schedule();
    } catch (error) {
      this.element.classList.add('bad-filter');
      reportError(error);
    }
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private get scaled(): boolean {
    return this.source.total * ROW_HEIGHT > MAX_SCROLL_HEIGHT;
  }

  private visibleRows(): number {
    return Math.ceil(this.viewport.clientHeight / ROW_HEIGHT) + 1;
  }

  private scrollToRow(index: number): void {
    const viewportHeight = this.viewport.clientHeight;
    if (this.scaled) {
      const span = Math.max(1, this.source.total - this.visibleRows());
      this.viewport.scrollTop = (Math.max(0, index - this.visibleRows() / 2) / span) * (this.spacer.offsetHeight - viewportHeight);
    } else {
      // Whole rows: the top row is never cut in half.
      this.viewport.scrollTop = Math.max(0, Math.round(index - viewportHeight / ROW_HEIGHT / 2)) * ROW_HEIGHT;
    }
  }

  /** Rows first..last overlap the viewport; keep the cursor in view unless the user scrolled away. */
  private render(): void {
    const total = this.source.total;
    this.count.textContent = `${formatCount(total)}${Object.keys(this.query()).length ? ' matching' : ''}`;
    // Unscaled, a little slack below the last row lets the end scroll to a row boundary too.
    const slack = this.scaled ? 0 : this.viewport.clientHeight % ROW_HEIGHT;
    this.spacer.style.height = `${Math.min(total * ROW_HEIGHT + slack, MAX_SCROLL_HEIGHT)}px`;
    if (this.followCursor) {
      const index = this.source.indexOf(this.state.cursor.position);
      if (index !== undefined && (index < this.firstRow + 1 || index > this.firstRow + this.visibleRows() - 3)) {
        this.scrollToRow(index);
      }
    }
    const scrollTop = this.viewport.scrollTop;
    const viewportHeight = this.viewport.clientHeight;
    const rows = this.visibleRows();
    const exact = this.scaled ? (scrollTop / Math.max(1, this.spacer.offsetHeight - viewportHeight)) * Math.max(0, total - rows) : scrollTop / ROW_HEIGHT;
    const first = Math.max(0, Math.floor(exact));
    this.firstRow = first;
    this.layer.style.transform = `translateY(${scrollTop - (exact - first) * ROW_HEIGHT}px)`;
    const last = Math.min(total - 1, first + rows + OVERSCAN);
    const cursor = this.state.cursor.position;
    const selected = this.state.selectedEvent;
    const elements: HTMLElement[] = [];
    let missing = false;
    for (let i = first; i <= last; i++) {
      const event = this.source.row(i);
      if (!event) {
        missing = true;
        elements.push(h('div', { class: 'row loading' }, h('span', { class: 'pos' }, '…')));
        continue;
      }
      const classes = ['row', `k-${event.kind}`];
      if (event.position === cursor) classes.push('at-cursor');
      else if (event.position > cursor) classes.push('future');
      if (event.position === selected) classes.push('selected');
      elements.push(
        h(
          'div',
          { class: classes.join(' '), 'data-position': event.position, title: `${event.actor} · ${event.stream}` },
          h('span', { class: 'pos' }, event.position),
          h('span', { class: 'time' }, clockTime(event.time)),
          h('span', { class: 'kind' }, h('i', {}, KIND_LABEL[event.kind])),
          h('span', { class: 'type' }, event.type),
          h('span', { class: 'summary' }, event.summary),
        ),
      );
    }
    this.layer.replaceChildren(...elements);
    if (missing) {
      void this.source.ensure(first, last).then((grew) => {
        if (grew) this.schedule();
      }, reportError);
    }
  }
}
