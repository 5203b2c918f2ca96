import { describe, expect, it } from 'vitest';
import { SharedStrings } from './shared-strings.ts';
import { recordWebRollout } from './test-recording.ts';

describe('shared strings', () => {
  it('leaves every event of a real recording exactly as it was', async () => {
    const events = await recordWebRollout();
    const before = events.map((event) => JSON.stringify(event));
    const shared = new SharedStrings();
    for (const event of events) shared.shareIn(event);
    // Twice: an event whose strings are already shared stays the same too.
    for (const event of events) shared.shareIn(event);
    expect(events.map((event) => JSON.stringify(event))).toEqual(before);
  });
});
