import type { Comparison, SessionInfo, StateSummary } from './api.ts';
import { renderCluster } from './cluster-view.ts';
import type { DebuggerState } from './debugger-state.ts';
import { Latest, clockTime, errorText, fill, h } from './dom.ts';
import { shortValue } from './yaml.ts';

function refText(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/**
 * Forks ("what if"): branch the timeline at the cursor with an event removed, let the controllers
 * re-run, and show the original and the branch side by side at matching virtual times.
 */
export class ForksView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly compareArea: HTMLElement;
  private readonly at: HTMLInputElement;
  private readonly remove: HTMLInputElement;
  private readonly runFor: HTMLInputElement;
  private readonly time: HTMLInputElement;
  private readonly slider: HTMLInputElement;
  private readonly latest = new Latest();
  private forks: SessionInfo[] = [];
  private current: SessionInfo | undefined;

  constructor(private readonly state: DebuggerState) {
    this.at = h('input', { type: 'number', min: 0, name: 'fork-at', class: 'num', 'data-testid': 'fork-at' });
    this.remove = h('input', { type: 'number', min: 1, name: 'fork-remove', class: 'num', placeholder: 'position', 'data-testid': 'fork-remove' });
    this.runFor = h('input', { type: 'text', name: 'fork-run-for', value: '10m', class: 'num' });
    this.time = h('input', { type: 'text', name: 'compare-time', placeholder: 'virtual time (default: both ends)', 'data-testid': 'compare-time' });
    this.list = h('div', { class: 'fork-list' });
    this.compareArea = h('div', { class: 'compare', 'data-testid': 'compare' });
    const form = h(
      'form',
      { class: 'fork-form', onsubmit: (event: SubmitEvent) => void this.create(event) },
      h('label', {}, 'branch at #', this.at),
      h('label', {}, 'remove event #', this.remove),
      h('label', {}, 'then run for ', this.runFor),
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'fork-create' }, 'Fork'),
    );
    this.slider = h('input', { type: 'range', min: 0, max: 1000, value: 1000, name: 'compare-slider', class: 'compare-slider', title: 'matching virtual time' });
    this.time.addEventListener('change', () => void this.compare());
    this.slider.addEventListener('input', () => {
      const fork = this.current;
      if (!fork) return;
      const start = Date.parse(this.state.session.startTime);
      const end = Math.min(Date.parse(this.state.session.endTime), Date.parse(fork.endTime));
      this.time.value = new Date(Math.round(start + ((end - start) * Number(this.slider.value)) / 1000)).toISOString().replace('.000Z', 'Z');
      void this.compare();
    });
    this.element = h('div', { class: 'forks' }, form, this.list, h('div', { class: 'compare-bar' }, h('label', {}, 'compare at ', this.time), this.slider), this.compareArea);
    this.prefill();
    state.onCursor(() => this.prefill());
    state.onSelection(() => this.prefill());
  }

  /** The form starts from the cursor, removing the selected event (by default the fault to undo). */
  private prefill(): void {
    if (document.activeElement !== this.at) this.at.value = String(Math.max(0, (this.state.selectedEvent ?? this.state.cursor.position + 1) - 1));
    if (document.activeElement !== this.remove) this.remove.value = this.state.selectedEvent ? String(this.state.selectedEvent) : '';
  }

  async load(): Promise<void> {
    const { items } = await this.state.client.sessions();
    this.forks = items.filter((session) => session.source.parent === this.state.id);
    this.renderList();
  }

  private renderList(): void {
    fill(
      this.list,
      this.forks.length
        ? this.forks.map((fork) =>
            h(
              'button',
              { class: `fork-item${fork.id === this.current?.id ? ' active' : ''}`, 'data-fork': fork.id, onclick: () => void this.select(fork) },
              `${fork.id}: branched at #${fork.source.forkedAt ?? '?'}, ${fork.head} events`,
            ),
          )
        : h('p', { class: 'note' }, 'No forks yet. Select the event to undo (a fault, a user action) in the list or on the timeline, then Fork.'),
    );
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const at = Number(this.at.value);
    const edits = this.remove.value ? [{ op: 'remove' as const, position: Number(this.remove.value) }] : [];
    fill(this.compareArea, h('p', { class: 'note' }, 'Re-running the controllers on the branch…'));
    try {
      const fork = await this.state.client.fork(this.state.id, { at, edits, runFor: this.runFor.value || '10m' });
      this.forks.push(fork);
      await this.select(fork);
    } catch (error) {
      fill(this.compareArea, h('p', { class: 'note error' }, errorText(error)));
    }
  }

  private async select(fork: SessionInfo): Promise<void> {
    this.current = fork;
    this.renderList();
    await this.compare();
  }

  private async compare(): Promise<void> {
    const fork = this.current;
    if (!fork) return;
    const time = this.time.value.trim() || undefined;
    this.latest.run(
      async () => {
        const comparison = await this.state.client.compare(this.state.id, fork.id, time);
        const [left, right] = await Promise.all([this.state.client.state(this.state.id, comparison.left), this.state.client.state(fork.id, comparison.right)]);
        return { comparison, left, right };
      },
      ({ comparison, left, right }) => this.renderComparison(fork, comparison, left, right),
      (error) => fill(this.compareArea, h('p', { class: 'note error' }, errorText(error))),
    );
  }

  private renderComparison(fork: SessionInfo, comparison: Comparison, left: StateSummary, right: StateSummary): void {
    const { diff } = comparison;
    const select = (selection: Parameters<DebuggerState['selectObject']>[0]) => this.state.selectObject(selection);
    const changes = [
      ...diff.added.map((ref) => h('li', { class: 'added' }, `only in the fork: ${refText(ref)}`)),
      ...diff.removed.map((ref) => h('li', { class: 'removed' }, `only in the original: ${refText(ref)}`)),
      ...diff.changed.map((change) =>
        h('li', {}, `${refText(change.ref)}: `, change.fields.slice(0, 4).map((f) => h('code', {}, `${f.path} ${shortValue(f.before)} → ${shortValue(f.after)}`)), change.fields.length > 4 ? ` … ${change.fields.length - 4} more` : ''),
      ),
    ];
    fill(
      this.compareArea,
      h('p', { class: 'note' }, `At ${clockTime(comparison.time)}: original #${comparison.left}, fork #${comparison.right}. ${diff.added.length} only in the fork, ${diff.removed.length} only in the original, ${diff.changed.length} changed.`),
      h(
        'div',
        { class: 'side-by-side' },
        h('div', { class: 'side', 'data-side': 'original' }, h('h3', {}, `Original (${this.state.id})`), renderCluster(left, select, { selected: this.state.selectedObject })),
        h('div', { class: 'side', 'data-side': 'fork' }, h('h3', {}, `Fork (${fork.id}, branched at #${fork.source.forkedAt ?? '?'})`), renderCluster(right, select, { selected: this.state.selectedObject })),
      ),
      changes.length ? h('details', { class: 'others', open: true }, h('summary', {}, 'Differences'), h('ul', {}, changes.slice(0, 200))) : h('p', { class: 'note' }, 'The two timelines agree at this time.'),
    );
  }
}
