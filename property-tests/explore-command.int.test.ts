import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runExploreCommand } from './explore-command.ts';

describe('orrery scenario explore', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  it('tries plans over a scenario and exits 0 when every invariant holds', async () => {
    const code = await runExploreCommand({ file: 'examples/self-healing/pod-deleted.scenario.yaml', maxPlans: 3 });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^OK: 3 plans over \d+ controller reactions kept every invariant$/);
  });

  it('exits 2 with the file and the reason for a scenario that does not parse, or a file that is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orrery-explore-'));
    const bad = join(dir, 'bad.scenario.yaml');
    writeFileSync(bad, 'cluster: {}\nduration: soon\n');
    expect(await runExploreCommand({ file: bad })).toBe(2);
    expect(err.join('')).toContain(`orrery: ${bad}: `);
    expect(await runExploreCommand({ file: join(dir, 'missing.yaml') })).toBe(2);
    expect(err.join('')).toContain('cannot read: ENOENT');
  });
});
