/** Tiny DOM helpers: the UI is plain DOM, no framework. */

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (event: never) => void;
export type Attrs = Record<string, string | number | boolean | Handler | null | undefined>;

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) for (const c of child) append(parent, c);
  else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
}

function setAttributes(el: Element, attrs: Attrs | undefined): void {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

/** An HTML element: `h('div', { class: 'x', onclick: fn }, 'text', child)`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element, same shape as `h`. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** `12:03:10.250` from an RFC 3339 time (UTC, the clock's own zone). */
export function clockTime(time: string): string {
  const match = /T(\d\d:\d\d:\d\d)(\.\d+)?/.exec(time);
  if (!match) return time;
  return match[1]! + (match[2] ? match[2].slice(0, 4) : '');
}

/** `+1m30s` — an offset from the recording's start. */
export function offset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let rest = Math.abs(Math.round(ms / 1000));
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  if (hours) return `${sign}${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes) return `${sign}${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${sign}${seconds}s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Runs async loads one at a time, skipping the ones overtaken while waiting: during a drag or
 * playback a view asks for the state at each new cursor, but fetches only the newest when the
 * previous answer arrives, and answers are applied in order, so an old one never wins.
 */
export class Latest {
  private running = false;
  private queued: (() => Promise<void>) | undefined;

  run<T>(load: () => Promise<T>, apply: (value: T) => void, fail?: (error: unknown) => void): void {
    this.queued = async () => {
      try {
        apply(await load());
      } catch (error) {
        (fail ?? reportError)(error);
      }
    };
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let task = this.queued; task; task = this.queued) {
        this.queued = undefined;
        await task();
      }
    } finally {
      this.running = false;
    }
  }
}

export function reportError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const bar = document.getElementById('status');
  if (bar) {
    bar.textContent = message;
    bar.className = 'status error';
  }
  console.error(error);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
