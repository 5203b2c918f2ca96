import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { createSimulatedCluster, type SimulatedCluster } from '../../engine/simulated-cluster.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { rebuildState } from '../../state/reducer.ts';
import { parseSchedule } from './schedule.ts';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

function cronJob(name: string, schedule: string, spec: Record<string, unknown> = {}, runFor = '10s'): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule,
      jobTemplate: {
        metadata: { labels: { team: 'data' } },
        spec: { template: { metadata: { annotations: { 'sim.orrery.dev/exit-after': runFor } }, spec: { restartPolicy: 'Never', containers: [{ name: 'run', image: 'busybox' }] } } },
      },
      ...spec,
    },
  };
}

const cronJobOf = (c: SimulatedCluster, name: string): any => getObject(c.state, 'CronJob', 'default', name);
const jobsOf = (c: SimulatedCluster, name: string) =>
  listObjects(c.state, 'Job', 'default').filter((j) => j.metadata.ownerReferences?.[0]?.name === name && !j.metadata.deletionTimestamp).map((j) => j.metadata.name!).sort();
const minutes = (m: number) => String((T0 + m * MIN) / MIN);

async function allEvents(c: SimulatedCluster) {
  const all = [];
  for await (const event of c.store.readAll(0)) all.push(event);
  return all;
}

describe('cron schedules', () => {
  it('evaluates in the given time zone, across a DST change', () => {
    const nine = parseSchedule('0 9 * * *', 'America/New_York');
    expect(new Date(nine.next(T0)).toISOString()).toBe('2026-01-01T14:00:00.000Z');
    expect(new Date(nine.next(Date.UTC(2026, 2, 8, 15))).toISOString()).toBe('2026-03-09T13:00:00.000Z');
    expect(new Date(parseSchedule('@hourly').next(T0)).toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(parseSchedule('*/5 * * * *').mostRecent(T0, T0 + 17 * MIN)).toEqual({ time: T0 + 15 * MIN, missed: 3 });
  });
});

describe('CronJob controller (simulated cluster)', () => {
  it('starts a Job at each scheduled time, named by its minute, and records it in status', async () => {
    cluster = await createSimulatedCluster({ seed: 1, nodes: 1 });
    await cluster.apply([cronJob('report', '*/5 * * * *')]);
    await cluster.run(16 * MIN);
    expect(jobsOf(cluster, 'report')).toEqual([`report-${minutes(5)}`, `report-${minutes(10)}`, `report-${minutes(15)}`]);
    const job: any = getObject(cluster.state, 'Job', 'default', `report-${minutes(15)}`);
    expect(job.metadata.labels).toMatchObject({ team: 'data' });
    expect(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2026-01-01T00:15:00Z');
    expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'report', controller: true });
    const cj = cronJobOf(cluster, 'report');
    expect(cj.status.lastScheduleTime).toBe('2026-01-01T00:15:00Z');
    // The 00:15 Job runs 10 s (plus start-up) and its completion is the last success.
    expect(Date.parse(cj.status.lastSuccessfulTime) - (T0 + 15 * MIN)).toBeGreaterThanOrEqual(10_000);
    expect(Date.parse(cj.status.lastSuccessfulTime) - (T0 + 15 * MIN)).toBeLessThan(60_000);
    expect(cj.status.active).toBeUndefined();
    const creates = (await allEvents(cluster)).filter((e) => e.type === 'ObjectCreated' && e.data.object.kind === 'Job');
    expect(creates.map((e) => e.metadata.time)).toEqual([T0 + 5 * MIN, T0 + 10 * MIN, T0 + 15 * MIN]);
    expect(creates.every((e) => e.metadata.actor === 'cronjob-controller')).toBe(true);
    expect(rebuildState(await allEvents(cluster))).toEqual(cluster.state);
  });

  it('keeps successfulJobsHistoryLimit finished Jobs, the newest', async () => {
    cluster = await createSimulatedCluster({ seed: 2, nodes: 1 });
    await cluster.apply([cronJob('tick', '* * * * *', { successfulJobsHistoryLimit: 2 })]);
    await cluster.run(6 * MIN + 30_000);
    expect(jobsOf(cluster, 'tick')).toEqual([`tick-${minutes(5)}`, `tick-${minutes(6)}`]);
  });

  it('concurrencyPolicy: Allow overlaps, Forbid skips while one runs, Replace deletes the running Job', async () => {
    cluster = await createSimulatedCluster({ seed: 3, nodes: 2 });
    await cluster.apply([
      cronJob('allow', '*/2 * * * *', {}, '3m'),
      cronJob('forbid', '*/2 * * * *', { concurrencyPolicy: 'Forbid' }, '3m'),
      cronJob('replace', '*/2 * * * *', { concurrencyPolicy: 'Replace' }, '3m'),
    ]);
    await cluster.run(4 * MIN + 30_000);
    expect(cronJobOf(cluster, 'allow').status.active.map((a: { name: string }) => a.name)).toEqual([`allow-${minutes(2)}`, `allow-${minutes(4)}`]);
    expect(cronJobOf(cluster, 'forbid').status.active.map((a: { name: string }) => a.name)).toEqual([`forbid-${minutes(2)}`]);
    expect(jobsOf(cluster, 'forbid')).toEqual([`forbid-${minutes(2)}`]);
    expect(cronJobOf(cluster, 'replace').status.active.map((a: { name: string }) => a.name)).toEqual([`replace-${minutes(4)}`]);
    expect(getObject(cluster.state, 'Job', 'default', `replace-${minutes(2)}`)).toBeUndefined();
    // Forbid: the skipped 4-minute run starts once the first Job finishes (no startingDeadlineSeconds).
    await cluster.run(2 * MIN);
    expect(jobsOf(cluster, 'forbid')).toContain(`forbid-${minutes(4)}`);
  });

  it('runs at the time zone\'s wall-clock time; suspend stops new Jobs; startingDeadlineSeconds drops late starts', async () => {
    cluster = await createSimulatedCluster({ seed: 4, nodes: 1 });
    await cluster.apply([
      cronJob('morning', '0 9 * * *', { timeZone: 'America/New_York' }),
      cronJob('paused', '*/10 * * * *', { suspend: true, startingDeadlineSeconds: 60 }),
    ]);
    await cluster.run(15 * 60 * MIN);
    const morning = listObjects(cluster.state, 'Job', 'default').filter((j) => j.metadata.name!.startsWith('morning-'));
    expect(morning.map((j) => j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'])).toEqual(['2026-01-01T14:00:00Z']);
    expect(jobsOf(cluster, 'paused')).toEqual([]);
    // Resumed 5 minutes after a scheduled time: too late for it (deadline 60s); the next one runs.
    const resumeAt = cluster.state.time;
    const paused = structuredClone(cronJobOf(cluster, 'paused'));
    paused.spec.suspend = false;
    delete paused.status;
    await cluster.run(5 * MIN - (resumeAt % (10 * MIN)) + 10 * MIN);
    await cluster.act({ type: 'update', object: { ...paused, metadata: { ...paused.metadata, resourceVersion: undefined } } });
    const resumedAt = cluster.state.time;
    await cluster.run(12 * MIN);
    const started = jobsOf(cluster, 'paused').map((n) => Number(n.slice('paused-'.length)) * MIN);
    expect(started.length).toBeGreaterThan(0);
    expect(Math.min(...started)).toBeGreaterThan(resumedAt);
  });
});
