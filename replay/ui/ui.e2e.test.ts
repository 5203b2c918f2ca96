import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { copyLog } from '../../core/store/copy-log.ts';
import { createEmbeddedStore } from '../../core/store/embedded/embedded-store.ts';
import { createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { writeSnapshot } from '../../projections/state/snapshot-files.ts';
import { replayRoutes } from '../http/replay-routes.ts';
import { ReplayService } from '../service/replay-service.ts';
import { deployment } from '../service/test-recording.ts';
import { uiPlugin } from './ui-plugin.ts';

const CHROMIUM = '/usr/bin/chromium';
const BIG = 200_000;
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

/** A Deployment whose pod asks for more CPU than any node has. */
function tooBig(): KubeObject {
  const big = deployment('big', 1, 'nginx:1');
  big.spec!.template.spec.containers[0].resources.requests.cpu = '64';
  return big;
}

/**
 * Three nodes; a user creates Deployment web (4 replicas) and Deployment big (a pod no node can
 * take); a minute later node-2's kubelet crashes.
 */
async function recordNodeCrash(): Promise<StoredEvent[]> {
  const cluster = await createSimulatedCluster({ nodes: 3, seed: 11 });
  await cluster.apply([deployment('web', 4, 'nginx:1'), tooBig()]);
  await cluster.run(60_000);
  await cluster.act({ type: 'record', actor: 'fault-injector', event: { type: 'KubeletStopped', data: { node: 'node-2', reason: 'crash' } } });
  await cluster.run(10 * 60_000);
  const events: StoredEvent[] = [];
  for await (const event of cluster.store.readAll(0)) events.push(event);
  await cluster.close();
  return events;
}

/** A log directory as a server leaves it: the embedded log and a snapshot of the state at its end. */
async function serverDataDir(events: StoredEvent[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-ui-big-'));
  const store = await createEmbeddedStore(dir);
  await copyLog(events, store);
  await store.close();
  const state = createClusterState();
  for (const event of events) applyEvent(state, event);
  writeSnapshot(dir, state);
  return dir;
}

/** The recording stretched to `total` events with a clock tick per second: a long, busy log. */
function stretched(events: StoredEvent[], total: number): StoredEvent[] {
  const last = events.at(-1)!;
  const big = [...events];
  let time = last.metadata.time;
  let revision = -1;
  for (const event of events) if (event.stream === 'cluster') revision = event.streamRevision;
  for (let position = events.length + 1; position <= total; position++) {
    time += 1000;
    big.push({ type: 'ClockAdvanced', data: { time }, metadata: { actor: 'clock', time }, stream: 'cluster', streamRevision: ++revision, position } as StoredEvent);
  }
  return big;
}

describe.skipIf(!existsSync(CHROMIUM))('time-travel debugger UI in headless chromium', () => {
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let events: StoredEvent[];
  let url: string;
  let bigUrl: string;
  let head: number;
  let bigDir: string;

  beforeAll(async () => {
    events = await recordNodeCrash();
    // One invariant, so that the scrubber has invariant failures to draw: every pod finds a node.
    const podsFindNodes = { name: 'pods-find-nodes', start: () => ({ onEvent: (event: StoredEvent) => (event.type === 'PodUnschedulable' ? `pod ${event.data.ref.name} found no node` : undefined) }) };
    const service = new ReplayService({ snapshotInterval: 64, invariants: [podsFindNodes] });
    const session = service.openEvents(events, { type: 'events' });
    head = session.head;
    // Opened as a directory: the log loads in the background while the page already shows it.
    bigDir = await serverDataDir(stretched(events, BIG));
    const big = await service.open({ type: 'dir', path: bigDir });
    app = Fastify();
    await app.register(replayRoutes, { prefix: '/replay', service });
    await app.register(uiPlugin);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    url = `${address}/ui?session=${session.id}`;
    bigUrl = `${address}/ui?session=${big.id}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    page.on('pageerror', (error) => {
      throw error;
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (bigDir) rmSync(bigDir, { recursive: true, force: true });
  });

  const cursor = async () => Number(await page.getByTestId('cursor-position').textContent());
  const nodeStatus = (node: string) => page.locator(`[data-testid=cluster] .node[data-node="${node}"] [data-testid=node-status]`);
  const podsOnNodes = () => page.locator('[data-testid=cluster] .nodes .pod');

  it('scrubs the timeline, steps, and explains an event and a pod', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]');

    // Opened at the end: node-2 crashed (NotReady), the web pods run on the other nodes.
    await expect.poll(cursor).toBe(head);
    await expect.poll(() => nodeStatus('node-2').textContent()).toBe('NotReady');
    await expect.poll(() => nodeStatus('node-1').textContent()).toBe('Ready');

    // The timeline shows one fault marker (the crash) and a user action (the Deployment).
    const faultPosition = events.find((e) => e.type === 'KubeletStopped')!.position;
    expect(await page.locator('[data-testid=scrubber] .marker.fault').getAttribute('data-position')).toBe(String(faultPosition));
    expect(await page.locator('[data-testid=scrubber] .marker.user').count()).toBeGreaterThan(0);

    // Scrub: press near the start and drag to just before the crash; the cluster view follows.
    const box = (await page.getByTestId('scrubber').boundingBox())!;
    await page.mouse.move(box.x + 2, box.y + 30);
    await page.mouse.down();
    await expect.poll(cursor).toBeLessThan(faultPosition);
    await page.mouse.move(box.x + box.width * 0.06, box.y + 30, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await cursor()) < faultPosition && (await cursor()) > 1).toBe(true);
    await expect.poll(() => nodeStatus('node-2').textContent()).toBe('Ready');
    const clusterPosition = () => page.locator('[data-testid=cluster] .cluster').getAttribute('data-position');
    await expect.poll(async () => (await clusterPosition()) === String(await cursor())).toBe(true);

    // Click the fault marker: the cursor jumps to the crash itself.
    await page.locator('[data-testid=scrubber] .marker.fault path').click();
    await expect.poll(cursor).toBe(faultPosition);
    await expect(page.getByTestId('cursor-event').textContent()).resolves.toContain('KubeletStopped');

    // Step with the buttons and the keyboard.
    await page.getByTestId('step-forward').click();
    await expect.poll(cursor).toBe(faultPosition + 1);
    await page.getByTestId('step-back').click();
    await page.getByTestId('step-back').click();
    await expect.poll(cursor).toBe(faultPosition - 1);
    await page.locator('body').press('ArrowRight');
    await expect.poll(cursor).toBe(faultPosition);
    await page.locator('body').press('ArrowLeft');
    await expect.poll(cursor).toBe(faultPosition - 1);
    await page.locator('body').press('End');
    await expect.poll(cursor).toBe(head);
    await page.locator('body').press('Home');
    await expect.poll(cursor).toBe(0);
    await expect.poll(() => podsOnNodes().count()).toBe(0);

    // The event list is virtualised: a handful of rows in the DOM, and the cursor's row marked.
    await page.getByTestId('position-input').fill('200');
    await page.getByTestId('position-input').press('Enter');
    await expect.poll(cursor).toBe(200);
    const rows = page.locator('[data-testid=event-viewport] .row[data-position]');
    await expect.poll(() => page.locator('[data-testid=event-viewport] .row.at-cursor .pos').textContent()).toBe('200');
    expect(await rows.count()).toBeLessThan(80);
    expect(head).toBeGreaterThan(200);

    // Filter the list to scheduling decisions and explain the first one: its causation chain goes
    // back to the user's Deployment.
    await page.getByTestId('filter-type').fill('PodScheduled');
    const firstScheduled = events.find((e) => e.type === 'PodScheduled')!;
    await expect.poll(() => rows.first().getAttribute('data-position')).toBe(String(firstScheduled.position));
    expect(await page.getByTestId('event-count').textContent()).toBe(`${events.filter((e) => e.type === 'PodScheduled').length} matching`);
    await rows.first().click();
    await expect.poll(cursor).toBe(firstScheduled.position);
    const graph = page.getByTestId('causation-graph');
    await expect.poll(() => graph.locator('.chain-node').count()).toBeGreaterThan(2);
    expect(await graph.locator('.chain-node').first().getAttribute('data-position')).toBe(String(firstScheduled.position));
    expect(await graph.locator('.chain-node').last().getAttribute('data-kind')).toBe('user');
    expect(await graph.locator('.chain-node').last().locator('.line2').textContent()).toBe('deployment default/web created (image nginx:1)');
    expect(await page.getByTestId('chain-root').textContent()).toContain('started by a user action');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'ui-why.png') });
    // The event is about a pod: one click inspects it.
    await page.getByTestId('inspect-subject').click();
    await expect.poll(() => page.getByTestId('inspector-subject').textContent()).toBe(firstScheduled.stream);

    // Back at the end, pick a running pod: the scheduling table shows every node, the chosen one
    // highlighted — node-2 is gone from the choices after the crash or it is the pod's node.
    await page.getByTestId('filter-type').fill('');
    await page.getByTestId('to-end').click();
    await expect.poll(cursor).toBe(head);
    await expect.poll(clusterPosition).toBe(String(head));
    const podName = (await podsOnNodes().first().getAttribute('data-pod'))!;
    const pod = page.locator(`[data-testid=cluster] .pod[data-pod="${podName}"]`);
    const podNode = await pod.evaluate((el) => el.closest('.node')!.getAttribute('data-node'));
    await pod.click();
    // The inspector (and its scheduling table) has moved to this pod from the one inspected before.
    await expect.poll(() => page.getByTestId('inspector-subject').textContent()).toBe(`Pod/${podName}`);
    const table = page.getByTestId('scheduling');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(3);
    await expect.poll(() => table.locator('tr.chosen').getAttribute('data-node')).toBe(podNode);
    expect(await table.locator('.chosen-node').textContent()).toBe(podNode);
    const headers = await table.locator('thead th').allTextContents();
    expect(headers.slice(0, 2)).toEqual(['node', 'filter']);
    expect(headers.length).toBeGreaterThan(3);


    // The pod no node could take: every node rejected, with the filter plugin and Kubernetes' reason.
    await page.locator('[data-testid=cluster] .unscheduled .pod').first().click();
    await expect.poll(() => table.locator('.decision-line').textContent()).toMatch(/^default\/big-.* was not scheduled/);
    expect(await table.locator('tr.chosen').count()).toBe(0);
    expect(await table.locator('tbody tr.rejected').count()).toBe(3);
    expect((await table.locator('tbody td.verdict').allTextContents()).filter((text) => text === 'NodeResourcesFit: Insufficient cpu').length).toBeGreaterThanOrEqual(2);
    expect(await table.locator('.message').textContent()).toMatch(/^0\/3 nodes are available: .*Insufficient cpu/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'ui.png') });
    await pod.click();

    // The pod's history lists every event that touched it; its scheduling event moved it to its node.
    const inspector = page.getByTestId('inspector-body');
    await page.locator('.inspector .tab[data-tab=history]').click();
    const history = inspector.locator('table.history tbody tr');
    await expect.poll(() => history.count()).toBeGreaterThan(2);
    expect(await history.first().locator('td').nth(2).textContent()).toBe('ObjectCreated');
    const scheduledRow = inspector.locator('table.history tbody tr', { hasText: 'PodScheduled' });
    const scheduledAt = Number(await scheduledRow.getAttribute('data-position'));
    expect(await scheduledRow.locator('td.summary').textContent()).toContain(`on ${podNode}`);

    // Jump there and diff: the field change is the node assignment.
    await scheduledRow.click();
    await expect.poll(cursor).toBe(scheduledAt);
    await page.locator('.inspector .tab[data-tab=diff]').click();
    const nodeName = inspector.locator('table.fields tr', { hasText: 'spec.nodeName' });
    await expect.poll(() => nodeName.locator('td.after').textContent()).toBe(podNode);
    expect(await nodeName.locator('td.before').textContent()).toBe('—');
    expect(await inspector.locator('[data-testid=object-diff] .note').first().textContent()).toBe(`From #${scheduledAt - 1} (before its last change) to #${scheduledAt} (the cursor).`);

    // And the object itself at the cursor, as YAML.
    await page.locator('.inspector .tab[data-tab=object]').click();
    await expect.poll(() => inspector.getByTestId('object-yaml').textContent()).toContain(`nodeName: ${podNode}`);

    // Any kind can be browsed from the cluster summary: open the Deployments and inspect web.
    await page.locator('[data-testid=cluster] .kind-count[data-kind=Deployment]').click();
    await page.locator('[data-testid=cluster] .kind-objects .object-chip', { hasText: 'default/web' }).click();
    await expect.poll(() => page.getByTestId('inspector-subject').textContent()).toBe('Deployment/default/web');
    await expect.poll(() => inspector.getByTestId('object-yaml').textContent()).toContain('kind: Deployment');
    expect(await inspector.getByTestId('object-yaml').textContent()).toContain('replicas: 4');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-object.png') });
  }, 60_000);

  it('marks where an invariant fails on the timeline, once the server has checked the recording', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]');
    const scrubber = page.getByTestId('scrubber');
    await expect.poll(() => scrubber.getAttribute('data-invariants')).toBe('checked');
    const unschedulable = events.filter((e) => e.type === 'PodUnschedulable');
    expect(unschedulable.length).toBeGreaterThan(0);
    const markers = scrubber.locator('.marker.invariant');
    // One marker per pixel column: at least one, at most one per failure, the first failure drawn.
    const count = await markers.count();
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(unschedulable.length);
    const first = markers.first();
    expect(await first.getAttribute('data-position')).toBe(String(unschedulable[0]!.position));
    expect(await first.locator('title').textContent()).toContain('invariant pods-find-nodes failed: pod big-');
    // Clicking it takes the cursor to the event that broke the invariant.
    await first.locator('circle').click();
    await expect.poll(cursor).toBe(unschedulable[0]!.position);
    await expect(page.getByTestId('cursor-event').textContent()).resolves.toContain('PodUnschedulable');
    await scrubber.screenshot({ path: join(ARTIFACTS, 'ui-invariant-markers.png') });
  }, 60_000);

  it('forks the timeline without the crash and shows both side by side', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]');
    const faultPosition = events.find((e) => e.type === 'KubeletStopped')!.position;
    // Picking the fault on the timeline explains it: a fault is its own root cause.
    await page.locator('[data-testid=scrubber] .marker.fault path').click();
    await expect.poll(cursor).toBe(faultPosition);
    await expect.poll(() => page.getByTestId('chain-root').textContent()).toContain('started by a fault');
    expect(await page.getByTestId('causation-graph').locator('.chain-node').count()).toBe(1);

    await page.locator('.center .tab[data-tab=forks]').click();
    expect(await page.getByTestId('fork-at').inputValue()).toBe(String(faultPosition - 1));
    expect(await page.getByTestId('fork-remove').inputValue()).toBe(String(faultPosition));
    await page.getByTestId('fork-create').click();
    const compare = page.getByTestId('compare');
    const sideStatus = (side: string, node: string) => compare.locator(`[data-side=${side}] .node[data-node="${node}"] [data-testid=node-status]`).textContent();
    await expect.poll(() => sideStatus('original', 'node-2'), { timeout: 20_000 }).toBe('NotReady');
    expect(await sideStatus('fork', 'node-2')).toBe('Ready');
    expect(await compare.locator('[data-side=fork] .nodes-count, [data-side=fork] [data-testid=nodes-ready]').first().textContent()).toBe('3/3 nodes ready');
    expect(await compare.locator('[data-side=original] [data-testid=nodes-ready]').textContent()).toBe('2/3 nodes ready');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-forks.png') });

    // Slide the matching time back to the start, before the branch point: the timelines agree.
    await page.locator('input[name=compare-slider]').fill('0');
    await expect.poll(() => page.getByTestId('compare-time').inputValue()).toBe('2026-01-01T00:00:00Z');
    await expect.poll(() => compare.textContent()).toContain('The two timelines agree at this time.');
    expect(await sideStatus('fork', 'node-2')).toBe('Ready');
  }, 60_000);

  it('plays, runs to a breakpoint and steps a whole reconcile step', async () => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]');
    await page.getByTestId('to-start').click();
    await expect.poll(cursor).toBe(0);

    // Run forward to the next fault: the crash.
    const faultPosition = events.find((e) => e.type === 'KubeletStopped')!.position;
    await page.locator('select[name=breakpoint]').selectOption({ label: 'fault' });
    await page.getByTestId('run-forward').click();
    await expect.poll(cursor).toBe(faultPosition);
    await expect.poll(() => page.locator('#status').textContent()).toContain('stopped');

    // Shift+→ from just before the user's Deployment takes its whole reconcile step: the create and
    // everything it caused (ReplicaSet, pods, scheduling...), not just one event.
    const create = events.find((e) => e.type === 'ObjectCreated' && e.metadata.actor.startsWith('user:'))!.position;
    const caused = events.filter((e) => e.metadata.causationId === create).length;
    expect(caused).toBeGreaterThan(0);
    await page.getByTestId('position-input').fill(String(create - 1));
    await page.getByTestId('position-input').press('Enter');
    await expect.poll(cursor).toBe(create - 1);
    await page.locator('body').press('Shift+ArrowRight');
    await expect.poll(cursor).toBeGreaterThan(create + caused);

    // Play advances the cursor by itself until paused.
    const before = await cursor();
    await page.getByTestId('play').click();
    await expect.poll(cursor).toBeGreaterThan(before + 3);
    await page.getByTestId('play').click();
    // Paused: once the step in flight lands, the cursor stays put, well before the end.
    await expect
      .poll(async () => {
        const a = await cursor();
        await page.waitForTimeout(300);
        return a === (await cursor());
      })
      .toBe(true);
    expect(await cursor()).toBeLessThan(head);
  }, 60_000);

  it(`stays light on a ${BIG.toLocaleString('en-US')}-event recording: virtualised rows, scaled scrolling, server-side density`, async () => {
    await page.goto(bigUrl);
    await page.waitForSelector('body[data-ready=true]');
    await expect.poll(() => page.getByTestId('event-count').textContent()).toBe(BIG.toLocaleString('en-US'));
    const viewport = page.getByTestId('event-viewport');
    const rows = viewport.locator('.row[data-position]');
    // Opened at the end: the list shows the last rows, the last one at the cursor.
    await expect.poll(() => viewport.locator('.row.at-cursor .pos').textContent()).toBe(String(BIG));
    expect(await viewport.locator('.row').count()).toBeLessThan(80);
    // The scrubber fills in as the log loads, then says it is done; density comes in a few hundred buckets, not 200,000 bars.
    await expect.poll(() => page.getByTestId('scrubber').getAttribute('data-loading')).toBe('done');
    expect(await page.locator('[data-testid=scrubber] .bar').count()).toBeLessThanOrEqual(600);

    // Scroll the list to its middle: the rows there are fetched and shown, still only a screenful.
    await viewport.evaluate((el) => {
      el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
    });
    await expect
      .poll(async () => {
        const first = Number(await rows.first().getAttribute('data-position'));
        return first > BIG * 0.45 && first < BIG * 0.55;
      })
      .toBe(true);
    expect(await viewport.locator('.row').count()).toBeLessThan(80);
    expect(await rows.first().locator('.type').textContent()).toBe('ClockAdvanced');

    // Click three quarters along the timeline: the cursor lands there and the list follows it.
    const box = (await page.getByTestId('scrubber').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.75, box.y + 30);
    await expect.poll(async () => Math.abs((await cursor()) - BIG * 0.75) < BIG * 0.02).toBe(true);
    const at = await cursor();
    await expect.poll(() => viewport.locator('.row.at-cursor .pos').textContent()).toBe(String(at));
    await page.locator('body').press('ArrowLeft');
    await expect.poll(cursor).toBe(at - 1);
    await expect.poll(() => viewport.locator('.row.at-cursor .pos').textContent()).toBe(String(at - 1));
  }, 60_000);
});
