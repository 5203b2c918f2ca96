import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { createSimulatedCluster } from '../../projections/engine/simulated-cluster.ts';
import { ReplayService } from './replay-service.ts';
import { deployment } from './test-recording.ts';

describe('explain pod on a large cluster', () => {
  it('recomputes the full nodes × plugins table when the recorded decision was truncated', async () => {
    const cluster = await createSimulatedCluster({ nodes: 300, seed: 5 });
    await cluster.apply([deployment('big', 1, 'nginx:1')]);
    await cluster.run(5_000);
    const events: StoredEvent[] = [];
    for await (const event of cluster.store.readAll(0)) events.push(event);
    await cluster.close();
    const scheduled = events.find((e) => e.type === 'PodScheduled')!;
    const recorded = (scheduled.data as { decision: { truncated?: boolean; verdicts: unknown[] } }).decision;
    expect(recorded.truncated).toBe(true);
    expect(recorded.verdicts.length).toBeLessThan(300);

    const session = new ReplayService().openEvents(events, { type: 'events' });
    const ref = (scheduled.data as { ref: { namespace: string; name: string } }).ref;
    const explanation = session.explainPod(ref.namespace, ref.name);
    expect(explanation.recomputed).toBe(true);
    expect(explanation.position).toBe(scheduled.position);
    expect(explanation.nodes).toHaveLength(300);
    expect(new Set(explanation.nodes.map((n) => n.node)).size).toBe(300);
    expect(explanation.nodes.every((n) => n.failure !== undefined || n.total !== undefined)).toBe(true);
  }, 60_000);
});
