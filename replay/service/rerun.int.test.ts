import { describe, expect, it } from 'vitest';
import { getObject, listObjects } from '../../projections/state/queries.ts';
import { isInputEvent } from './event-summary.ts';
import { firstDivergence, rerun } from './rerun.ts';
import { deployment, recordWebRollout } from './test-recording.ts';

describe('rerun', () => {
  it('re-running the controllers over the recorded inputs reproduces the recording exactly', async () => {
    const recorded = await recordWebRollout();
    const { events } = await rerun({ events: recorded });
    expect(events.length).toBe(recorded.length);
    expect(firstDivergence(recorded, events)).toBeUndefined();
  });

  it('a fork with no edits reproduces the recording', async () => {
    const recorded = await recordWebRollout();
    const middle = Math.floor(recorded.length / 2);
    const { events } = await rerun({ events: recorded, at: middle });
    expect(firstDivergence(recorded, events)).toBeUndefined();
  });

  it('replacing the user scale-down input changes the outcome', async () => {
    const recorded = await recordWebRollout();
    const scaleDown = recorded.filter((e) => isInputEvent(e) && e.type === 'ObjectReplaced' && e.metadata.actor === 'user:admin').at(-1)!;
    const object = (scaleDown.data as { object: any }).object;
    const { events, state } = await rerun({
      events: recorded,
      at: scaleDown.position - 1,
      edits: [{ op: 'replace', position: scaleDown.position, event: { type: 'ObjectReplaced', data: { object: { ...object, spec: { ...object.spec, replicas: 5 } } } } }],
    });
    expect(firstDivergence(recorded, events)).toBe(scaleDown.position);
    expect(getObject(state, 'Deployment', 'default', 'web')!.spec.replicas).toBe(5);
    const running = listObjects(state, 'Pod', 'default').filter((pod) => pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp);
    expect(running).toHaveLength(5);
    expect(deployment('web', 5, 'nginx:2').spec.replicas).toBe(5);
  });
});
