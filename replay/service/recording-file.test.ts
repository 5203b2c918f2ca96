import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { RECORDING_FORMAT, decodeRecording, encodeRecording } from './recording-file.ts';

const events: StoredEvent[] = [
  { type: 'ClusterInitialized', data: { seed: 1, startTime: 0, mode: 'simulation' }, metadata: { actor: 'orrery', time: 0 }, stream: 'cluster', streamRevision: 0, position: 1 },
  { type: 'ClockAdvanced', data: { time: 1000 }, metadata: { actor: 'clock', time: 1000 }, stream: 'cluster', streamRevision: 1, position: 2 },
  { type: 'NodeHeartbeat', data: { nodes: ['nœud-ü'] }, metadata: { actor: 'kubelet/nœud-ü', time: 1000, causationId: 2 }, stream: 'Node/nœud-ü', streamRevision: 0, position: 3 },
];

describe('recording file', () => {
  it('round-trips events, multi-byte text included, behind a header of length-prefixed frames', () => {
    const bytes = encodeRecording(events, 'test');
    expect(decodeRecording(bytes)).toEqual({ header: { format: RECORDING_FORMAT, events: 3, source: 'test' }, events });
    const raw = gunzipSync(bytes);
    const headerLength = raw.readUInt32BE(0);
    expect(JSON.parse(raw.toString('utf8', 4, 4 + headerLength))).toEqual({ format: RECORDING_FORMAT, events: 3, source: 'test' });
  });

  it('refuses what is not a whole recording', () => {
    expect(() => decodeRecording(Buffer.from('plain text'))).toThrow(/not gzip-compressed/);
    expect(() => decodeRecording(gzipSync(Buffer.from('\u0000\u0000\u0000\u0002{}')))).toThrow(/not an Orrery recording/);
    const raw = gunzipSync(encodeRecording(events));
    expect(() => decodeRecording(gzipSync(raw.subarray(0, raw.length - 5)))).toThrow(/truncated recording/);
    const gap = encodeRecording([events[0]!, events[2]!]);
    expect(() => decodeRecording(gap)).toThrow(/event 2 of the recording has position 3/);
  });
});
