import type { Density, InvariantFailure, Marker } from './api.ts';
import type { DebuggerState } from './debugger-state.ts';
import { clockTime, fill, formatCount, h, offset, s } from './dom.ts';

const HEIGHT = 78;
const BARS_TOP = 4;
const BARS_HEIGHT = 44;
const LANE_TOP = 52;
const AXIS_TOP = 72;
/** Room at both ends so the first and last labels and the cursor handle are never clipped. */
const PAD_X = 12;
/** Invariant failures sit at the top of the density bars, clear of the cursor handle. */
const INVARIANT_Y = BARS_TOP + 6;
/** How often to ask again while the server is still checking the invariants. */
const INVARIANT_POLL_MS = 400;
const LOADING_POLL_MS = 500;

const MARKER_LABEL: Record<Marker['kind'], string> = { user: 'user action', fault: 'fault', failure: 'failure' };

/**
 * The timeline: event density over virtual time (buckets counted server-side), markers for user
 * actions, faults, failures and invariant failures (checked server-side in the background), and
 * the cursor. Click or drag to move the cursor in time; click a marker to jump to its exact event.
 */
export class Scrubber {
  readonly element: HTMLElement;
  private readonly svg: SVGSVGElement;
  private density: Density | undefined;
  private markers: Marker[] = [];
  private invariantFailures: InvariantFailure[] = [];
  private start = 0;
  private end = 1;
  private width = 800;
  private dragging = false;

  constructor(private readonly state: DebuggerState) {
    this.svg = s('svg', { class: 'scrubber-svg', height: HEIGHT, 'data-testid': 'scrubber' });
    this.element = h('section', { class: 'scrubber' }, this.svg);
    this.svg.addEventListener('pointerdown', (event) => this.pointerDown(event));
    this.svg.addEventListener('pointermove', (event) => {
      if (this.dragging) this.seekAt(event);
      this.renderHover(event);
    });
    this.svg.addEventListener('pointerleave', () => this.svg.querySelector('.hover-layer')?.replaceChildren());
    const stop = (event: PointerEvent) => {
      if (!this.dragging) return;
      this.dragging = false;
      this.svg.releasePointerCapture(event.pointerId);
      this.svg.classList.remove('dragging');
    };
    this.svg.addEventListener('pointerup', stop);
    this.svg.addEventListener('pointercancel', stop);
    new ResizeObserver(() => this.render()).observe(this.element);
    state.onCursor(() => this.renderCursor());
    state.onSession(() => void this.load());
  }

  async load(): Promise<void> {
    const session = this.state.id;
    this.invariantFailures = [];
    await this.loadDensity(session);
    void this.loadInvariantFailures(session);
  }

  /** A large recording loads in the background: draw what has loaded, and ask again until all of it has. */
  private async loadDensity(session: string): Promise<void> {
    for (;;) {
      const buckets = Math.max(50, Math.min(600, Math.floor(this.element.clientWidth / 4) || 200));
      const [density, markers] = await Promise.all([this.state.client.density(session, buckets), this.state.client.markers(session)]);
      if (session !== this.state.id) return;
      this.density = density;
      this.markers = markers.items;
      this.start = Date.parse(density.start);
      this.end = Math.max(this.start + 1, Date.parse(density.end));
      this.svg.setAttribute('data-loading', density.complete && markers.complete ? 'done' : 'loading');
      this.render();
      if (density.complete && markers.complete) return;
      await new Promise((resolve) => setTimeout(resolve, LOADING_POLL_MS));
      if (session !== this.state.id) return;
    }
  }

  /** The server checks invariants in the background: draw what it has found, and ask again until it is done. */
  private async loadInvariantFailures(session: string): Promise<void> {
    for (;;) {
      const answer = await this.state.client.invariantFailures(session);
      if (session !== this.state.id) return;
      this.invariantFailures = answer.items;
      this.svg.setAttribute('data-invariants', answer.complete ? (answer.error ? 'error' : 'checked') : 'checking');
      this.svg.querySelector('.markers')?.replaceWith(this.renderMarkers());
      if (answer.complete || answer.error) return;
      await new Promise((resolve) => setTimeout(resolve, INVARIANT_POLL_MS));
      if (session !== this.state.id) return;
    }
  }

  private x(time: number): number {
    return PAD_X + ((time - this.start) / (this.end - this.start)) * (this.width - 2 * PAD_X);
  }

  private timeAt(clientX: number): number {
    const box = this.svg.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (clientX - box.left - PAD_X) / Math.max(1, box.width - 2 * PAD_X)));
    return this.start + fraction * (this.end - this.start);
  }

  private pointerDown(event: PointerEvent): void {
    const marker = (event.target as Element).closest('[data-position]');
    if (marker) {
      const position = Number(marker.getAttribute('data-position'));
      this.state.selectEvent(position);
      void this.state.seek({ position });
      return;
    }
    this.dragging = true;
    this.svg.setPointerCapture(event.pointerId);
    this.svg.classList.add('dragging');
    this.seekAt(event);
  }

  private seekAt(event: PointerEvent): void {
    void this.state.seek({ time: new Date(Math.round(this.timeAt(event.clientX))).toISOString() });
  }

  private render(): void {
    this.width = Math.max(100, this.element.clientWidth);
    this.svg.setAttribute('width', String(this.width));
    this.svg.setAttribute('viewBox', `0 0 ${this.width} ${HEIGHT}`);
    const density = this.density;
    if (!density) return;
    const buckets = density.buckets;
    const max = Math.max(1, ...buckets.map((b) => b.events));
    const barWidth = (this.width - 2 * PAD_X) / buckets.length;
    // Square-root scale: a burst of thousands must not flatten every quiet minute to nothing.
    const barHeight = (n: number) => (n === 0 ? 0 : Math.max(1.5, Math.sqrt(n / max) * BARS_HEIGHT));
    const bars = buckets.map((bucket, i) => {
      const height = barHeight(bucket.events);
      const failures = bucket.failure ? Math.max(2, (bucket.failure / bucket.events) * height) : 0;
      const title = `${clockTime(bucket.start)}–${clockTime(bucket.end)}: ${formatCount(bucket.events)} events` + (bucket.user ? `, ${bucket.user} user` : '') + (bucket.fault ? `, ${bucket.fault} fault` : '') + (bucket.failure ? `, ${bucket.failure} failure` : '');
      return s(
        'g',
        { class: 'bucket' },
        s('title', {}, title),
        s('rect', { class: 'bar', x: PAD_X + i * barWidth + 0.5, y: BARS_TOP + BARS_HEIGHT - height, width: Math.max(1, barWidth - 1), height }),
        failures ? s('rect', { class: 'bar failure', x: PAD_X + i * barWidth + 0.5, y: BARS_TOP + BARS_HEIGHT - failures, width: Math.max(1, barWidth - 1), height: failures }) : null,
      );
    });
    fill(
      this.svg,
      s('rect', { class: 'lane', x: PAD_X, y: LANE_TOP, width: this.width - 2 * PAD_X, height: 16 }),
      bars,
      this.renderMarkers(),
      this.renderAxis(),
      density.complete
        ? null
        : s('text', { class: 'loading', x: this.width - PAD_X - 4, y: LANE_TOP + 12, 'text-anchor': 'end', 'data-testid': 'loading' }, `loading the recording… ${formatCount(density.loaded)} of ${formatCount(this.state.session.head)} events`),
      s('g', { class: 'cursor-layer' }),
      s('g', { class: 'hover-layer' }),
    );
    this.renderCursor();
  }

  /** One marker per pixel column and kind, so a million failures still draw a few hundred shapes. */
  private renderMarkers(): SVGElement {
    const seen = new Set<string>();
    const group = s('g', { class: 'markers' });
    const rows: Record<Marker['kind'], number> = { user: LANE_TOP + 4, fault: LANE_TOP + 8, failure: LANE_TOP + 12 };
    for (const marker of this.markers) {
      const x = Math.round(this.x(Date.parse(marker.time)));
      const key = `${marker.kind}:${x}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const y = rows[marker.kind];
      const shape =
        marker.kind === 'user'
          ? s('path', { d: `M${x - 4},${y - 4} L${x + 4},${y - 4} L${x},${y + 3} Z` })
          : marker.kind === 'fault'
            ? s('path', { d: `M${x},${y - 5} L${x + 4},${y} L${x},${y + 5} L${x - 4},${y} Z` })
            : s('rect', { x: x - 1.5, y: y - 5, width: 3, height: 8 });
      group.append(
        s(
          'g',
          { class: `marker ${marker.kind}`, 'data-position': marker.position, 'data-kind': marker.kind },
          s('title', {}, `#${marker.position} ${clockTime(marker.time)} ${MARKER_LABEL[marker.kind]}: ${marker.summary}`),
          s('line', { x1: x, x2: x, y1: BARS_TOP, y2: LANE_TOP, class: 'marker-line' }),
          shape,
        ),
      );
    }
    for (const failure of this.invariantFailures) {
      const x = Math.round(this.x(Date.parse(failure.time)));
      const key = `invariant:${x}`;
      if (seen.has(key)) continue;
      seen.add(key);
      group.append(
        s(
          'g',
          { class: 'marker invariant', 'data-position': failure.position, 'data-kind': 'invariant', 'data-invariant': failure.invariant },
          s('title', {}, `#${failure.position} ${clockTime(failure.time)} invariant ${failure.invariant} failed: ${failure.message}`),
          s('line', { x1: x, x2: x, y1: INVARIANT_Y, y2: LANE_TOP, class: 'marker-line' }),
          s('circle', { cx: x, cy: INVARIANT_Y, r: 3.5 }),
        ),
      );
    }
    return group;
  }

  private renderAxis(): SVGElement {
    const span = this.end - this.start;
    const ticks = Math.max(2, Math.floor(this.width / 120));
    const group = s('g', { class: 'axis' });
    for (let i = 0; i <= ticks; i++) {
      const time = this.start + (span * i) / ticks;
      const x = this.x(time);
      const anchor = i === 0 ? 'start' : i === ticks ? 'end' : 'middle';
      const label = i === 0 ? clockTime(new Date(this.start).toISOString()) : offset(time - this.start);
      group.append(s('line', { x1: x, x2: x, y1: AXIS_TOP - 3, y2: AXIS_TOP, class: 'tick' }), s('text', { x, y: HEIGHT - 1, 'text-anchor': anchor }, label));
    }
    return group;
  }

  /** A thin line and the virtual time under the pointer, to aim a click. */
  private renderHover(event: PointerEvent): void {
    const layer = this.svg.querySelector('.hover-layer');
    if (!layer || !this.density) return;
    const time = this.timeAt(event.clientX);
    const x = this.x(time);
    const label = `${clockTime(new Date(Math.round(time)).toISOString())} (${offset(time - this.start)})`;
    const anchor = x > this.width - 140 ? 'end' : 'start';
    fill(
      layer,
      s('line', { class: 'hover-line', x1: x, x2: x, y1: 0, y2: AXIS_TOP }),
      s('text', { class: 'hover-label', x: anchor === 'end' ? x - 4 : x + 4, y: 11, 'text-anchor': anchor }, label),
    );
  }

  private renderCursor(): void {
    const layer = this.svg.querySelector('.cursor-layer');
    if (!layer || !this.density) return;
    const x = this.x(Math.min(this.end, Math.max(this.start, Date.parse(this.state.cursor.time))));
    fill(
      layer,
      s('rect', { class: 'future', x, y: 0, width: Math.max(0, this.width - PAD_X - x), height: LANE_TOP + 16 }),
      s('line', { class: 'cursor-line', x1: x, x2: x, y1: 0, y2: AXIS_TOP }),
      s('path', { class: 'cursor-handle', d: `M${x - 5},0 L${x + 5},0 L${x},6 Z` }),
    );
    this.svg.setAttribute('data-cursor-x', x.toFixed(1));
  }
}
