import { describe, expect, it } from 'vitest';
import type { SchedulingDecision, StoredEvent } from '../../core/events.ts';
import { expandVerdictTable } from '../../projections/controllers/scheduler/verdict-table.ts';
import { createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { ReplayService } from './replay-service.ts';
import { deployment } from './test-recording.ts';

async function largeClusterRecording(): Promise<StoredEvent[]> {
  const cluster = await createSimulatedCluster({ nodes: 300, seed: 5 });
  await cluster.apply([deployment('big', 1, 'nginx:1')]);
  await cluster.run(5_000);
  const events: StoredEvent[] = [];
  for await (const event of cluster.store.readAll(0)) events.push(event);
  await cluster.close();
  return events;
}

const decisionOf = (event: StoredEvent) => (event.data as { decision: SchedulingDecision }).decision;
const refOf = (event: StoredEvent) => (event.data as { ref: { namespace: string; name: string } }).ref;

describe('explain pod on a large cluster', () => {
  it('shows every node the scheduler evaluated, expanded from the recorded verdict table', async () => {
    const events = await largeClusterRecording();
    const scheduled = events.find((e) => e.type === 'PodScheduled')!;
    const recorded = decisionOf(scheduled);
    // percentageOfNodesToScore: 50% − 300/125 = 48% of 300 nodes.
    expect(recorded.evaluated).toBe(144);
    expect(recorded.table).toBeDefined();

    const explanation = new ReplayService().openEvents(events, { type: 'events' }).explainPod(refOf(scheduled).namespace, refOf(scheduled).name);
    expect(explanation.recomputed).toBe(false);
    expect(explanation.position).toBe(scheduled.position);
    expect(explanation.nodes).toHaveLength(144);
    expect(new Set(explanation.nodes.map((n) => n.node)).size).toBe(144);
    expect(explanation.plugins.length).toBeGreaterThan(0);
    const best = Math.max(...explanation.nodes.map((n) => n.total ?? -1));
    expect(explanation.nodes.find((n) => n.node === explanation.chosen)!.total).toBe(best);
  }, 60_000);

  it('recomputes the full nodes × plugins table for an older record truncated to 100 verdicts', async () => {
    const events = await largeClusterRecording();
    const index = events.findIndex((e) => e.type === 'PodScheduled');
    const { table, ...rest } = decisionOf(events[index]!);
    const legacy: SchedulingDecision = { ...rest, verdicts: expandVerdictTable(table!).slice(0, 100), truncated: true };
    events[index] = { ...events[index]!, data: { ...(events[index]!.data as object), decision: legacy } } as StoredEvent;

    const explanation = new ReplayService().openEvents(events, { type: 'events' }).explainPod(refOf(events[index]!).namespace, refOf(events[index]!).name);
    expect(explanation.recomputed).toBe(true);
    expect(explanation.nodes).toHaveLength(300);
    expect(new Set(explanation.nodes.map((n) => n.node)).size).toBe(300);
    expect(explanation.nodes.every((n) => n.failure !== undefined || n.total !== undefined)).toBe(true);
  }, 60_000);
});
