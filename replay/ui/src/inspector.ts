import type { EventSummary, StateDiff } from './api.ts';
import { ApiError } from './api.ts';
import { causationGraph } from './causation-graph.ts';
import type { DebuggerState, ObjectSelection } from './debugger-state.ts';
import { Latest, clockTime, errorText, fill, h } from './dom.ts';
import { schedulingTable } from './scheduling-table.ts';
import { shortValue, toYaml } from './yaml.ts';

type Tab = 'object' | 'history' | 'diff' | 'why' | 'scheduling';
const TABS: Array<[Tab, string]> = [
  ['object', 'Object'],
  ['history', 'History'],
  ['diff', 'Diff'],
  ['why', 'Why'],
  ['scheduling', 'Scheduling'],
];

function refText(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function sameRef(a: { kind: string; namespace?: string; name: string }, b: ObjectSelection): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

/** The object an event's stream names (`Pod/default/web-1`, `Node/node-1`), if it names one. */
export function objectOfStream(stream: string): ObjectSelection | undefined {
  const parts = stream.split('/');
  if (!/^[A-Z]/.test(parts[0] ?? '') || parts.length < 2 || parts.length > 3) return undefined;
  return parts.length === 3 ? { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! } : { kind: parts[0]!, name: parts[1]! };
}

function note(text: string, cls = 'note'): HTMLElement {
  return h('p', { class: cls }, text);
}

/**
 * The inspector: the selected object at the cursor, its history, a field diff between two
 * positions, the causation chain of the selected event, and a pod's scheduling decision.
 */
export class Inspector {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly title: HTMLElement;
  private readonly tabButtons = new Map<Tab, HTMLButtonElement>();
  private tab: Tab = 'why';
  private readonly latest = new Latest();
  private history: { key: string; items: EventSummary[] } | undefined;

  constructor(private readonly state: DebuggerState) {
    this.title = h('span', { class: 'subject', 'data-testid': 'inspector-subject' });
    this.body = h('div', { class: 'panel-body', 'data-testid': 'inspector-body' });
    const tabs = h(
      'nav',
      { class: 'tabs' },
      TABS.map(([tab, label]) => {
        const button = h('button', { class: 'tab', 'data-tab': tab, onclick: () => this.show(tab) }, label);
        this.tabButtons.set(tab, button);
        return button;
      }),
    );
    this.element = h('section', { class: 'panel inspector' }, h('header', { class: 'panel-head' }, h('h2', {}, 'Inspector'), this.title), tabs, this.body);
    let lastObject: ObjectSelection | undefined;
    let lastEvent: number | undefined;
    state.onSelection(() => {
      if (state.selectedObject !== lastObject) {
        lastObject = state.selectedObject;
        if (this.tab === 'why') this.tab = state.selectedObject?.kind === 'Pod' ? 'scheduling' : 'object';
        if (this.tab === 'scheduling' && state.selectedObject?.kind !== 'Pod') this.tab = 'object';
      } else if (state.selectedEvent !== lastEvent) {
        lastEvent = state.selectedEvent;
        this.tab = 'why';
      }
      this.render();
    });
    state.onCursor(() => this.render());
    this.render();
  }

  show(tab: Tab): void {
    this.tab = tab;
    this.render();
  }

  private render(): void {
    for (const [tab, button] of this.tabButtons) button.classList.toggle('active', tab === this.tab);
    const selected = this.state.selectedObject;
    this.title.textContent = this.tab === 'why' ? `event #${this.state.selectedEvent ?? this.state.cursor.position}` : selected ? refText(selected) : '';
    this.body.dataset.tab = this.tab;
    switch (this.tab) {
      case 'why':
        return this.renderWhy();
      case 'object':
        return this.withObject((object) => this.renderObject(object));
      case 'history':
        return this.withObject((object) => this.renderHistory(object));
      case 'diff':
        return this.withObject((object) => this.renderDiff(object));
      case 'scheduling':
        return this.withObject((object) => this.renderScheduling(object));
    }
  }

  private withObject(render: (object: ObjectSelection) => void): void {
    const selected = this.state.selectedObject;
    if (!selected) fill(this.body, note('Select a pod or node in the cluster view.'));
    else render(selected);
  }

  private loading(): void {
    this.body.classList.add('loading');
  }

  private show_(...children: Parameters<typeof fill>[1][]): void {
    this.body.classList.remove('loading');
    fill(this.body, ...children);
  }

  private fail(error: unknown): void {
    this.show_(note(error instanceof ApiError && error.code === 404 ? error.message : errorText(error), 'note error'));
  }

  private renderWhy(): void {
    const position = this.state.selectedEvent ?? this.state.cursor.position;
    if (position < 1) return this.show_(note('Before the first event: nothing to explain. Step forward or pick an event.'));
    this.loading();
    this.latest.run(
      () => this.state.client.explainEvent(this.state.id, position),
      ({ chain }) => {
        const root = chain[chain.length - 1]!;
        const rootLabel = root.kind === 'user' ? 'a user action' : root.kind === 'fault' ? 'a fault' : `${root.actor} (${root.kind})`;
        const subject = objectOfStream(chain[0]!.stream);
        this.show_(
          h('p', { class: 'chain-line', 'data-testid': 'chain-root' }, `${chain.length} event${chain.length > 1 ? 's' : ''}, started by ${rootLabel} at ${clockTime(root.time)}`),
          subject ? h('p', { class: 'note' }, 'about ', h('button', { class: 'object-chip', 'data-testid': 'inspect-subject', onclick: () => this.state.selectObject(subject) }, refText(subject))) : null,
          h('div', { class: 'graph-wrap' }, causationGraph(chain, (p) => {
            this.state.selectEvent(p);
            void this.state.seek({ position: p });
          })),
        );
      },
      (error) => this.fail(error),
    );
  }

  private renderObject(object: ObjectSelection): void {
    const at = this.state.cursor.position;
    this.loading();
    this.latest.run(
      () => this.state.client.object(this.state.id, object.kind, object.namespace, object.name, at),
      (value) => this.show_(h('p', { class: 'note' }, `as of #${at}`), h('pre', { class: 'yaml', 'data-testid': 'object-yaml' }, toYaml(value))),
      (error) => this.show_(note(error instanceof ApiError && error.code === 404 ? `${refText(object)} does not exist at #${at}.` : errorText(error), 'note')),
    );
  }

  private async historyOf(object: ObjectSelection): Promise<EventSummary[]> {
    const key = refText(object);
    if (this.history?.key !== key) this.history = { key, items: (await this.state.client.history(this.state.id, object.kind, object.namespace, object.name)).items };
    return this.history.items;
  }

  private renderHistory(object: ObjectSelection): void {
    this.loading();
    const cursor = this.state.cursor.position;
    this.latest.run(
      () => this.historyOf(object),
      (items) => {
        const rows = items.map((event) =>
          h(
            'tr',
            {
              class: `k-${event.kind}${event.position === cursor ? ' at-cursor' : event.position > cursor ? ' future' : ''}`,
              'data-position': event.position,
              onclick: () => {
                this.state.selectEvent(event.position);
                void this.state.seek({ position: event.position });
              },
            },
            h('td', { class: 'pos' }, event.position),
            h('td', { class: 'time' }, clockTime(event.time)),
            h('td', {}, event.type),
            h('td', { class: 'summary' }, event.summary),
          ),
        );
        this.show_(
          note(`${items.length} events touched ${refText(object)}; ${items.filter((e) => e.position <= cursor).length} at or before the cursor.`),
          h('table', { class: 'grid history' }, h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'time'), h('th', {}, 'type'), h('th', {}, 'summary'))), h('tbody', {}, rows)),
        );
      },
      (error) => this.fail(error),
    );
  }

  private renderDiff(object: ObjectSelection): void {
    this.loading();
    const cursor = this.state.cursor.position;
    this.latest.run(
      async () => {
        const items = await this.historyOf(object);
        const lastChange = [...items].reverse().find((e) => e.position <= cursor);
        const from = lastChange ? lastChange.position - 1 : 0;
        const diff = await this.state.client.diff(this.state.id, from, cursor);
        return { from, diff };
      },
      ({ from, diff }) => this.show_(this.diffView(object, from, cursor, diff)),
      (error) => this.fail(error),
    );
  }

  private diffView(object: ObjectSelection, from: number, to: number, diff: StateDiff): HTMLElement {
    const added = diff.added.some((ref) => sameRef(ref, object));
    const removed = diff.removed.some((ref) => sameRef(ref, object));
    const changed = diff.changed.find((c) => sameRef(c.ref, object));
    const others = diff.added.length + diff.removed.length + diff.changed.length - (added || removed || changed ? 1 : 0);
    return h(
      'div',
      { class: 'diff', 'data-testid': 'object-diff' },
      note(`From #${from} (before its last change) to #${to} (the cursor).`),
      added ? note(`${refText(object)} was created.`, 'note added') : null,
      removed ? note(`${refText(object)} was deleted.`, 'note removed') : null,
      changed
        ? h(
            'table',
            { class: 'grid fields' },
            h('thead', {}, h('tr', {}, h('th', {}, 'field'), h('th', {}, 'before'), h('th', {}, 'after'))),
            h('tbody', {}, changed.fields.map((field) => h('tr', {}, h('td', { class: 'path' }, field.path), h('td', { class: 'before' }, shortValue(field.before)), h('td', { class: 'after' }, shortValue(field.after))))),
          )
        : !added && !removed
          ? note('No change to this object between these positions.')
          : null,
      others > 0
        ? h(
            'details',
            { class: 'others' },
            h('summary', {}, `${others} other object${others > 1 ? 's' : ''} changed in the same span`),
            h('ul', {}, [
              ...diff.added.filter((r) => !sameRef(r, object)).map((r) => h('li', { class: 'added' }, `+ ${refText(r)}`)),
              ...diff.removed.filter((r) => !sameRef(r, object)).map((r) => h('li', { class: 'removed' }, `− ${refText(r)}`)),
              ...diff.changed.filter((c) => !sameRef(c.ref, object)).map((c) => h('li', {}, `~ ${refText(c.ref)} (${c.fields.length} field${c.fields.length > 1 ? 's' : ''})`)),
            ]),
          )
        : null,
    );
  }

  private renderScheduling(object: ObjectSelection): void {
    if (object.kind !== 'Pod' || !object.namespace) return this.show_(note('Scheduling decisions are for pods: select a pod.'));
    const at = this.state.cursor.position;
    this.loading();
    this.latest.run(
      () => this.state.client.explainPod(this.state.id, object.namespace!, object.name, at),
      (explanation) => this.show_(schedulingTable(explanation)),
      (error) => this.fail(error),
    );
  }
}
