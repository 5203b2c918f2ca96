import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { refsTouchedBy, streamsTouchedBy } from './touched-refs.ts';

const meta = { actor: 'kubelet', time: 0 };

describe('refsTouchedBy / streamsTouchedBy', () => {
  it('a heartbeat touches the Lease of every node it names, besides its own (cluster) stream', () => {
    const beat = { type: 'NodeHeartbeat', data: { nodes: ['a', 'b'] }, metadata: meta, stream: 'cluster', streamRevision: 3, position: 9 } as StoredEvent;
    expect(refsTouchedBy(beat)).toEqual([
      { kind: 'Lease', namespace: 'kube-node-lease', name: 'a' },
      { kind: 'Lease', namespace: 'kube-node-lease', name: 'b' },
    ]);
    expect(streamsTouchedBy(beat)).toEqual(['cluster', 'Lease/kube-node-lease/a', 'Lease/kube-node-lease/b']);
  });

  it('a registering node touches the Node and its Lease; other events only their stream object', () => {
    const registered = { type: 'NodeRegistered', data: { node: { metadata: { name: 'a' } } }, metadata: meta, stream: 'Node/a', streamRevision: 0, position: 1 } as StoredEvent;
    expect(streamsTouchedBy(registered)).toEqual(['Node/a', 'Lease/kube-node-lease/a']);
    const scheduled = { type: 'PodEvicted', data: {}, metadata: meta, stream: 'Pod/default/web-1', streamRevision: 2, position: 5 } as StoredEvent;
    expect(refsTouchedBy(scheduled)).toEqual([{ kind: 'Pod', namespace: 'default', name: 'web-1' }]);
    const clock = { type: 'ClockAdvanced', data: { time: 1 }, metadata: meta, stream: 'cluster', streamRevision: 0, position: 2 } as StoredEvent;
    expect(refsTouchedBy(clock)).toEqual([]);
  });
});
