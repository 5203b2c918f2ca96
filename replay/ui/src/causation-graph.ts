import type { EventSummary } from './api.ts';
import { clockTime, s } from './dom.ts';

const BOX_WIDTH = 380;
/** Characters that fit a box line at 11px (monospace first line, proportional second). */
const LINE1_CHARS = 52;
const LINE2_CHARS = 62;
const BOX_HEIGHT = 46;
const GAP = 26;
const PAD = 8;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The causation chain as a graph: the event at the top, each cause below it joined by a
 * "caused by" arrow, down to the user action or fault that started it (the root).
 */
export function causationGraph(chain: readonly EventSummary[], onPick: (position: number) => void): SVGSVGElement {
  const height = PAD * 2 + chain.length * BOX_HEIGHT + (chain.length - 1) * GAP;
  const width = BOX_WIDTH + PAD * 2;
  const svg = s('svg', { class: 'causation', width, height, viewBox: `0 0 ${width} ${height}`, 'data-testid': 'causation-graph' });
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }))));
  chain.forEach((event, i) => {
    const y = PAD + i * (BOX_HEIGHT + GAP);
    const isRoot = i === chain.length - 1;
    if (i > 0) {
      const fromY = y - GAP;
      svg.append(
        s('line', { class: 'edge', x1: PAD + BOX_WIDTH / 2, x2: PAD + BOX_WIDTH / 2, y1: fromY, y2: y - 1, 'marker-end': 'url(#arrow)' }),
        s('text', { class: 'edge-label', x: PAD + BOX_WIDTH / 2 + 8, y: fromY + GAP / 2 + 4 }, 'caused by'),
      );
    }
    const node = s(
      'g',
      { class: `chain-node k-${event.kind}${i === 0 ? ' effect' : ''}${isRoot ? ' root' : ''}`, 'data-position': event.position, 'data-kind': event.kind, transform: `translate(${PAD},${y})` },
      s('title', {}, `#${event.position} ${event.time}\n${event.type} by ${event.actor}\n${event.summary}`),
      s('rect', { width: BOX_WIDTH, height: BOX_HEIGHT, rx: 5 }),
      s('rect', { class: 'stripe', width: 5, height: BOX_HEIGHT, rx: 2 }),
      s('text', { class: 'line1', x: 12, y: 17 }, `#${event.position}  ${event.type}`, s('tspan', { class: 'who' }, truncate(`  ${event.actor} · ${clockTime(event.time)}`, Math.max(8, LINE1_CHARS - `#${event.position}  ${event.type}`.length)))),
      s('text', { class: 'line2', x: 12, y: 35 }, truncate(event.summary, LINE2_CHARS)),
    );
    node.addEventListener('click', () => onPick(event.position));
    svg.append(node);
  });
  return svg;
}
