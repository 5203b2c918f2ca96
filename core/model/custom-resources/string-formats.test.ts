import { describe, expect, it } from 'vitest';
import { formatCauses } from '../field-errors.ts';
import { matchesFormat } from './string-formats.ts';
import { validateAgainstSchema } from './structural-schema.ts';

describe('string formats of custom resources', () => {
  const cases: Array<[format: string, valid: string[], invalid: string[]]> = [
    ['date-time', ['2026-11-24T09:30:00Z', '2026-11-24T09:30:00.123+01:00', '2026-11-24T09:30:00', '2024-02-29T00:00:00Z'], ['yesterday', '2026-11-24', '2026-13-01T00:00:00Z', '2025-02-29T00:00:00Z', '2026-11-24T25:00:00Z']],
    ['date', ['2026-11-24', '2024-02-29'], ['2026-11-31', '24-11-2026', '2026-11-24T00:00:00Z']],
    ['duration', ['1h30m', '720h0m0s', '-1.5s', '0', '22 ns', '3 days'], ['1 fortnight', 'h1', '']],
    ['ipv4', ['10.0.0.1'], ['10.0.0.256', '::1', 'ten']],
    ['ipv6', ['::1', 'fe80::1'], ['10.0.0.1', ':::']],
    ['cidr', ['10.0.0.0/8', 'fd00::/64'], ['10.0.0.0/33', '10.0.0.0', 'fd00::/129']],
    ['mac', ['00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5E', '001a.2b3c.4d5e'], ['00:1a:2b:3c:4d', 'zz:1a:2b:3c:4d:5e']],
    ['uuid', ['123e4567-e89b-12d3-a456-426614174000', '123E4567E89B12D3A456426614174000'], ['123e4567-e89b-12d3-a456']],
    ['uuid4', ['123e4567-e89b-42d3-a456-426614174000'], ['123e4567-e89b-12d3-a456-426614174000']],
    ['hostname', ['example.com', 'node-1', 'a.b.c.'], ['-bad.example', 'under_score.example', 'a..b']],
    ['email', ['ops@example.com'], ['ops', 'ops@', 'a b@example.com']],
    ['uri', ['https://example.com/x?y=1', '/healthz', 'mailto:ops@example.com'], ['example.com', 'not a uri']],
    ['byte', ['aGVsbG8=', ''], ['hello!', 'aGVsbG8']],
    ['isbn', ['0321751043', '978-0321751041'], ['0321751044', '978-0321751042']],
    ['hexcolor', ['#fff', 'A0B1C2'], ['#ffff', 'red']],
    ['rgbcolor', ['rgb(255, 0, 10)'], ['rgb(256,0,0)', '#fff']],
    ['bsonobjectid', ['507f1f77bcf86cd799439011'], ['507f1f77bcf86cd79943901']],
    ['ssn', ['123-45-6789'], ['12-345-6789']],
  ];

  it.each(cases)('%s', (format, valid, invalid) => {
    for (const value of valid) expect(matchesFormat(format, value), `${format} ${JSON.stringify(value)}`).toBe(true);
    for (const value of invalid) expect(matchesFormat(format, value), `${format} ${JSON.stringify(value)}`).toBe(false);
  });

  it('leaves formats the apiserver does not check alone (int32, int64, anything else), and matches names as strfmt does', () => {
    for (const format of ['int32', 'int64', 'float', 'double', 'quantity', 'my-format']) expect(matchesFormat(format, 'anything')).toBe(true);
    expect(matchesFormat('datetime', 'yesterday')).toBe(false);
    expect(matchesFormat('Date_Time', 'yesterday')).toBe(false);
  });

  it('refuses a value of the wrong format as the apiserver words it', () => {
    const causes = validateAgainstSchema({ renewBefore: '30 fortnights', at: '2026-11-24T09:30:00Z' }, { type: 'object', properties: { renewBefore: { type: 'string', format: 'duration' }, at: { type: 'string', format: 'date-time' } } }, 'spec');
    expect(formatCauses(causes)).toBe('spec.renewBefore: Invalid value: "30 fortnights": spec.renewBefore in body must be of type duration: "30 fortnights"');
  });
});
