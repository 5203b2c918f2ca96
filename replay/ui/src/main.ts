import { type Breakpoint, ReplayClient, type SessionInfo, type StateSummary } from './api.ts';
import { type KindListing, renderCluster } from './cluster-view.ts';
import { DebuggerState } from './debugger-state.ts';
import { Latest, clockTime, errorText, fill, formatCount, h, reportError, s } from './dom.ts';
import { EventList } from './event-list.ts';
import { ForksView } from './forks-view.ts';
import { Inspector } from './inspector.ts';
import { Scrubber } from './scrubber.ts';

const client = new ReplayClient('/replay');

/** Transport icons drawn in SVG: the machine's fonts may lack the media-control glyphs. */
const ICONS = {
  start: 'M3,2 h2 v12 h-2 z M14,2 v12 l-8,-6 z',
  back: 'M12,2 v12 l-9,-6 z',
  play: 'M4,2 v12 l10,-6 z',
  pause: 'M4,2 h3 v12 h-3 z M9,2 h3 v12 h-3 z',
  forward: 'M2,2 v12 l8,-6 z M11,2 h2 v12 h-2 z',
  end: 'M2,2 v12 l8,-6 z M11,2 h2 v12 h-2 z M13,2 h1 v12 h-1 z',
  runBack: 'M8,2 v12 l-7,-6 z M15,2 v12 l-7,-6 z',
  runForward: 'M1,2 v12 l7,-6 z M8,2 v12 l7,-6 z',
} as const;

function icon(name: keyof typeof ICONS): SVGSVGElement {
  return s('svg', { class: 'icon', width: 12, height: 12, viewBox: '0 0 16 16', 'aria-hidden': 'true' }, s('path', { d: ICONS[name] }));
}

const BREAKPOINTS: Array<[string, Breakpoint]> = [
  ['fault', { type: 'actor', actor: 'fault-injector' }],
  ['user:admin action', { type: 'actor', actor: 'user:admin' }],
  ['pod Failed', { type: 'pod-phase', phase: 'Failed' }],
  ['pod unschedulable', { type: 'event-type', eventType: 'PodUnschedulable' }],
  ['node NotReady', { type: 'node-condition', condition: 'Ready', status: 'Unknown' }],
  ['pod scheduled', { type: 'event-type', eventType: 'PodScheduled' }],
];

/** Which session to show: ?session=ID, else the first open one, else the server's live log. */
async function chooseSession(): Promise<SessionInfo | undefined> {
  const wanted = new URLSearchParams(location.search).get('session');
  if (wanted) return client.session(wanted);
  const { items } = await client.sessions();
  const original = items.find((session) => session.source.type !== 'fork');
  if (original) return original;
  try {
    return await client.open({ type: 'live' });
  } catch {
    return undefined;
  }
}

function openForm(root: HTMLElement, message?: string): void {
  const path = h('input', { type: 'text', name: 'path', placeholder: '/path/to/recording.orrec or an event log directory', size: 60 });
  const kind = h('select', { name: 'type' }, h('option', { value: 'file' }, 'recording file'), h('option', { value: 'dir' }, 'log directory'), h('option', { value: 'esdb' }, 'EventStoreDB url'));
  const error = h('p', { class: 'note error' }, message ?? '');
  fill(
    root,
    h(
      'form',
      {
        class: 'open-form',
        onsubmit: async (event: SubmitEvent) => {
          event.preventDefault();
          try {
            const source = kind.value === 'esdb' ? { type: 'esdb' as const, url: path.value } : { type: kind.value as 'file' | 'dir', path: path.value };
            const session = await client.open(source);
            location.search = `?session=${encodeURIComponent(session.id)}`;
          } catch (e) {
            error.textContent = errorText(e);
          }
        },
      },
      h('h1', {}, 'Orrery time-travel debugger'),
      h('p', {}, 'Open a recording:'),
      kind,
      path,
      h('button', { type: 'submit', class: 'primary' }, 'Open'),
      error,
    ),
  );
}

function transport(state: DebuggerState): HTMLElement {
  const unit = h('select', { name: 'unit', title: 'step by one event, or by one reconcile step (an event and everything it caused)' }, h('option', { value: 'event' }, 'event'), h('option', { value: 'reconcile' }, 'reconcile step'));
  const speed = h('select', { name: 'speed', title: 'events per tick while playing' }, [1, 10, 100, 1000].map((n) => h('option', { value: n }, `${n}×`)));
  const stepUnit = () => unit.value as 'event' | 'reconcile';
  let playing = 0;
  const play = h('button', { class: 'play', title: 'play / pause (space)', 'data-testid': 'play' }, icon('play'));
  const stop = () => {
    clearInterval(playing);
    playing = 0;
    fill(play, icon('play'));
    play.classList.remove('active');
  };
  const toggle = () => {
    if (playing) return stop();
    fill(play, icon('pause'));
    play.classList.add('active');
    let busy = false;
    playing = window.setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const cursor = await state.step(Number(speed.value), stepUnit());
        if (cursor.position >= state.session.head) stop();
      } catch (error) {
        stop();
        reportError(error);
      } finally {
        busy = false;
      }
    }, 120);
  };
  play.addEventListener('click', toggle);
  const button = (label: Node | string, title: string, testid: string, action: () => void) => h('button', { title, 'data-testid': testid, onclick: action }, label);
  const position = h('input', { type: 'number', min: 0, max: state.session.head, name: 'position', class: 'num position', title: 'go to position (Enter)', 'data-testid': 'position-input' });
  position.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    void state.seek({ position: Number(position.value) });
    // Hand the keys back to the debugger: ← → step from the new position at once.
    position.blur();
  });
  const breakpoint = h('select', { name: 'breakpoint', title: 'breakpoint' }, BREAKPOINTS.map(([label], i) => h('option', { value: i }, label)));
  const runTo = (direction: 'forward' | 'back') => async () => {
    const result = await state.run(direction, BREAKPOINTS[Number(breakpoint.value)]![1]);
    const bar = document.getElementById('status')!;
    bar.className = 'status';
    bar.textContent = result.hit ? `stopped: ${result.reason ?? 'breakpoint hit'}` : `no ${BREAKPOINTS[Number(breakpoint.value)]![0]} ${direction === 'forward' ? 'after' : 'before'} the cursor`;
  };

  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    if (target.matches('input, select, textarea') || event.ctrlKey || event.metaKey || event.altKey) return;
    const unitNow = event.shiftKey ? 'reconcile' : stepUnit();
    if (event.key === 'ArrowRight') void state.step(1, unitNow);
    else if (event.key === 'ArrowLeft') void state.step(-1, unitNow);
    else if (event.key === 'Home') void state.seek({ position: 0 });
    else if (event.key === 'End') void state.seek({ position: state.session.head });
    else if (event.key === ' ') toggle();
    else return;
    event.preventDefault();
  });
  const of = h('span', { class: 'of', 'data-testid': 'head' }, `/ ${formatCount(state.session.head)}`);
  state.onSession(() => {
    of.textContent = `/ ${formatCount(state.session.head)}`;
    position.max = String(state.session.head);
  });
  const sync = () => {
    if (document.activeElement !== position) position.value = String(state.cursor.position);
  };
  state.onCursor(sync);
  sync();
  return h(
    'div',
    { class: 'transport' },
    button(icon('start'), 'to the start (Home)', 'to-start', () => void state.seek({ position: 0 })),
    button(icon('back'), 'step back (←; shift: reconcile step)', 'step-back', () => void state.step(-1, stepUnit())),
    play,
    button(icon('forward'), 'step forward (→; shift: reconcile step)', 'step-forward', () => void state.step(1, stepUnit())),
    button(icon('end'), 'to the end (End)', 'to-end', () => void state.seek({ position: state.session.head })),
    unit,
    speed,
    h('span', { class: 'sep' }),
    h('label', { class: 'goto' }, '#', position, of),
    h('span', { class: 'sep' }),
    button(icon('runBack'), 'run back to the breakpoint', 'run-back', () => void runTo('back')().catch(reportError)),
    breakpoint,
    button(icon('runForward'), 'run forward to the breakpoint', 'run-forward', () => void runTo('forward')().catch(reportError)),
  );
}

function cursorReadout(state: DebuggerState): HTMLElement {
  const position = h('b', { 'data-testid': 'cursor-position' });
  const time = h('span', { class: 'time', 'data-testid': 'cursor-time' });
  const event = h('span', { class: 'event', 'data-testid': 'cursor-event' });
  const render = () => {
    const cursor = state.cursor;
    position.textContent = String(cursor.position);
    time.textContent = clockTime(cursor.time);
    event.textContent = cursor.event ? `${cursor.event.type} · ${cursor.event.summary}` : 'before the first event';
    event.className = `event k-${cursor.event?.kind ?? 'none'}`;
  };
  state.onCursor(render);
  render();
  return h('div', { class: 'readout' }, h('span', {}, '#', position), time, event);
}

function clusterPanel(state: DebuggerState): { element: HTMLElement; refresh: () => void } {
  const body = h('div', { class: 'panel-body', 'data-testid': 'cluster' });
  const latest = new Latest();
  let last: StateSummary | undefined;
  let openKind: string | undefined;
  let listing: KindListing | undefined;
  const draw = () => {
    if (!last) return;
    const onKind = (kind: string) => {
      openKind = openKind === kind ? undefined : kind;
      refresh();
    };
    fill(body, renderCluster(last, (selection) => state.selectObject(selection), { selected: state.selectedObject, onKind, listing }));
  };
  const refresh = () =>
    latest.run(
      async () => {
        const at = state.cursor.position;
        const kind = openKind;
        const [summary, objects] = await Promise.all([client.state(state.id, at), kind ? client.objects(state.id, kind, at) : undefined]);
        return { summary, listing: kind && objects ? { kind, items: objects.items } : undefined };
      },
      (answer) => {
        last = answer.summary;
        listing = answer.listing;
        draw();
      },
    );
  state.onCursor(refresh);
  state.onSelection(draw);
  return { element: body, refresh };
}

function sessionLabel(session: SessionInfo): string {
  return `${session.id} · ${session.source.type}${session.source.path ? ` ${session.source.path}` : ''} · ${formatCount(session.head)} events`;
}

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  let session: SessionInfo | undefined;
  try {
    session = await chooseSession();
  } catch (error) {
    return openForm(root, errorText(error));
  }
  if (!session) return openForm(root);
  const state = new DebuggerState(client, session);
  const idleText = () => {
    const { id, head, startTime, endTime } = state.session;
    return `${id}: ${formatCount(head)} events from ${startTime} to ${endTime} · ← → step · shift+← → reconcile step · Home/End · space play`;
  };
  const scrubber = new Scrubber(state);
  const events = new EventList(state);
  const inspector = new Inspector(state);
  const forks = new ForksView(state);
  const cluster = clusterPanel(state);

  const { items: sessions } = await client.sessions();
  const picker = h(
    'select',
    { name: 'session', title: 'session', onchange: (event: Event) => (location.search = `?session=${encodeURIComponent((event.target as HTMLSelectElement).value)}`) },
    sessions.map((s) => h('option', { value: s.id, selected: s.id === session.id }, sessionLabel(s))),
  );
  const centerBody = h('div', { class: 'center-body' }, cluster.element);
  const centerTabs = h(
    'nav',
    { class: 'tabs' },
    h('button', { class: 'tab active', 'data-tab': 'cluster', onclick: () => showCenter('cluster') }, 'Cluster'),
    h('button', { class: 'tab', 'data-tab': 'forks', onclick: () => showCenter('forks') }, 'Forks'),
  );
  const showCenter = (tab: 'cluster' | 'forks') => {
    for (const button of centerTabs.querySelectorAll('button')) button.classList.toggle('active', button.dataset.tab === tab);
    fill(centerBody, tab === 'cluster' ? cluster.element : forks.element);
    if (tab === 'forks') void forks.load().catch(reportError);
  };
  fill(
    root,
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, 'orrery', h('small', {}, ' time-travel debugger')),
      picker,
      transport(state),
      cursorReadout(state),
    ),
    scrubber.element,
    h('main', { class: 'layout' }, events.element, h('section', { class: 'panel center' }, h('header', { class: 'panel-head' }, centerTabs), centerBody), inspector.element),
    h('footer', { id: 'status', class: 'status' }, idleText()),
  );
  const status = document.getElementById('status')!;
  state.onCursor(() => {
    if (status.classList.contains('error')) {
      status.className = 'status';
      status.textContent = idleText();
    }
  });
  state.onSession(() => {
    if (!status.classList.contains('error')) status.textContent = idleText();
    const option = picker.querySelector<HTMLOptionElement>(`option[value="${CSS.escape(state.id)}"]`);
    if (option) option.textContent = sessionLabel(state.session);
  });
  // A live log keeps growing: follow its head.
  if (session.source.type === 'live') setInterval(() => void state.refreshSession().catch(reportError), 3000);
  cluster.refresh();
  await scrubber.load();
  document.body.dataset.ready = 'true';
}

start().catch(reportError);
