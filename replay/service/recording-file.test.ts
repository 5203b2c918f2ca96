import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { applyEvent, createClusterState } from '../../projections/state/reducer.ts';
import { RECORDING_FORMAT, RECORDING_FORMAT_V1, decodeRecording, encodeRecording, openRecording } from './recording-file.ts';

const events: StoredEvent[] = [
  { type: 'ClusterInitialized', data: { seed: 1, startTime: 0, mode: 'simulation' }, metadata: { actor: 'orrery', time: 0 }, stream: 'cluster', streamRevision: 0, position: 1 },
  { type: 'ClockAdvanced', data: { time: 1000 }, metadata: { actor: 'clock', time: 1000 }, stream: 'cluster', streamRevision: 1, position: 2 },
  { type: 'NodeHeartbeat', data: { nodes: ['nœud-ü'] }, metadata: { actor: 'kubelet/nœud-ü', time: 1000, causationId: 2 }, stream: 'Node/nœud-ü', streamRevision: 0, position: 3 },
];

/** `count` clock ticks: enough for several blocks. */
function ticks(count: number): StoredEvent[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'ClockAdvanced', data: { time: i * 1000 }, metadata: { actor: 'clock', time: i * 1000 }, stream: 'cluster', streamRevision: i, position: i + 1 }) as StoredEvent);
}

/** A format-1 file as earlier versions wrote it: gzip of length-prefixed JSON frames, the header first. */
function v1Bytes(values: unknown[]): Buffer {
  const parts = values.map((value) => {
    const json = Buffer.from(JSON.stringify(value), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length);
    return Buffer.concat([length, json]);
  });
  return gzipSync(Buffer.concat(parts));
}

describe('recording file', () => {
  it('round-trips events, multi-byte text included', () => {
    expect(decodeRecording(encodeRecording(events, 'test'))).toEqual({ header: { format: RECORDING_FORMAT, events: 3, source: 'test' }, events });
  });

  it('reads any range of a long recording without decoding the rest, and carries the state at the end', () => {
    const long = ticks(10_000);
    const state = createClusterState();
    for (const event of long) applyEvent(state, event);
    const opened = openRecording(encodeRecording(long, 'long', state));
    expect(opened.source.head).toBe(10_000);
    expect(opened.source.read(4090, 4100)).toEqual(long.slice(4090, 4100));
    expect(opened.source.read(9_995, 20_000)).toEqual(long.slice(9_995));
    expect(opened.source.read(0, 10_000)).toEqual(long);
    expect(opened.finalState?.position).toBe(10_000);
    expect(opened.finalState?.time).toBe(state.time);
    // Without a state, readers build up to the end themselves.
    expect(openRecording(encodeRecording(long)).finalState).toBeUndefined();
  });

  it('still reads format 1', () => {
    const bytes = v1Bytes([{ format: RECORDING_FORMAT_V1, events: 3, source: 'old' }, ...events]);
    expect(decodeRecording(bytes)).toEqual({ header: { format: RECORDING_FORMAT_V1, events: 3, source: 'old' }, events });
    expect(() => decodeRecording(v1Bytes([{ format: RECORDING_FORMAT_V1, events: 3 }, events[0]]))).toThrow(/truncated recording/);
    expect(() => decodeRecording(v1Bytes([{ format: RECORDING_FORMAT_V1, events: 2 }, events[0], events[2]]))).toThrow(/event 2 of the recording has position 3/);
  });

  it('refuses what is not a whole, intact recording, when it is opened', () => {
    expect(() => decodeRecording(Buffer.from('plain text'))).toThrow(/not gzip-compressed/);
    expect(() => decodeRecording(v1Bytes([{}]))).toThrow(/not an Orrery recording/);
    const bytes = encodeRecording(ticks(5000));
    expect(() => openRecording(bytes.subarray(0, bytes.length - 5))).toThrow(/truncated recording/);
    const damaged = Buffer.from(bytes);
    damaged[damaged.length - 100]! ^= 0xff;
    expect(() => openRecording(damaged)).toThrow(/block 3 is damaged/);
    expect(() => decodeRecording(encodeRecording([events[0]!, events[2]!]))).toThrow(/event 2 of the recording has position 3/);
  });
});
