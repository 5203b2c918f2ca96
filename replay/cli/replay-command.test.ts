import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { writeRecordingFile } from '../service/recording-file.ts';
import { recordWebRollout } from '../service/test-recording.ts';
import { type ReplayCliOptions, runReplayCommand } from './replay-command.ts';

let recorded: StoredEvent[];
let file: string;
beforeAll(async () => {
  recorded = await recordWebRollout();
  file = join(mkdtempSync(join(tmpdir(), 'orrery-replay-cli-')), 'web.orrec');
  writeRecordingFile(file, recorded);
});

async function replay(action: string | undefined, args: string[] = [], options: ReplayCliOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReplayCommand(file, action, args, { ...options, out$: (t) => out.push(t), err$: (t) => err.push(t), progress: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('orrery replay', () => {
  it('prints the cluster at a position as kubectl-style tables', async () => {
    const end = await replay(undefined, [], { output: 'wide' });
    expect(end.code).toBe(0);
    expect(end.out).toMatch(new RegExp(`^position ${recorded.length}/${recorded.length} at `));
    expect(end.out).toMatch(/^NAME\s+STATUS\s+PODS\s+TAINTS$/m);
    expect(end.out).toMatch(/^node-1\s+Ready\s+\d\s+<none>$/m);
    expect(end.out).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE$/m);
    expect(end.out.match(/^default\s+web-\S+\s+1\/1\s+Running\s+0\s+\S+\s+10\.\S+\s+node-\d$/gm)).toHaveLength(2);
    const early = await replay('get', [], { at: '20' });
    expect(early.out).toContain('No pods at this point.');
    const json = JSON.parse((await replay('get', [], { at: '20', output: 'json' })).out);
    expect(json.position).toBe(20);
  });

  it('steps, runs to a breakpoint, and lists the events passed', async () => {
    const stepped = await replay('step', ['3'], { at: '10' });
    expect(stepped.out).toMatch(/^POSITION\s+TIME\s+ACTOR\s+TYPE\s+SUMMARY$/m);
    expect(stepped.out).toContain('position 13/');
    const until = await replay('step', [], { at: '0', until: 'event-type:PodScheduled', output: 'json' });
    const value = JSON.parse(until.out);
    expect(value.cursor.event.type).toBe('PodScheduled');
    expect(value.reason).toBe('hit: PodScheduled event');
  });

  it('diffs two positions and explains an event and a pod', async () => {
    const rollout = recorded.filter((e) => e.metadata.actor === 'user:admin')[1]!;
    const diff = await replay('diff', [String(rollout.position - 1), String(rollout.position)]);
    expect(diff.out).toMatch(/^changed\s+deployment\/default\/web\s+spec\.template\.spec\.containers\[0\]\.image: nginx:1 → nginx:2$/m);
    const removal = recorded.find((e) => e.type === 'ObjectRemoved' && e.stream.startsWith('Pod/'))!;
    const explained = await replay('explain', [String(removal.position)]);
    expect(explained.out.split('\n')[0]).toMatch(/^pod default\/web-\S+ deleted ← .* ← replicaset default\/web-\S+ updated \(replicas 2\) \(image nginx:1\) ← .* ← deployment default\/web updated \(replicas 3\) \(image nginx:2\) at 2026-01-01T00:00:30Z$/);
    const pod = recorded.find((e) => e.type === 'PodScheduled')!;
    const podName = (pod.data as { ref: { name: string } }).ref.name;
    const table = await replay('explain', [`default/${podName}`]);
    expect(table.out).toMatch(/^NODE\s+FILTER\s+NODERESOURCESBALANCEDALLOCATION\s+NODERESOURCESFIT/m);
    expect(table.out).toMatch(/^node-\d \*\s+fits/m);
  });

  it('verifies, forks with an edit and exports', async () => {
    const verify = await replay('verify');
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.out).toBe(`reproduces: re-running the controllers over the recorded inputs wrote the same ${recorded.length} events`);
    const scaleDown = recorded.filter((e) => e.metadata.actor === 'user:admin').at(-1)!;
    const out = join(mkdtempSync(join(tmpdir(), 'orrery-replay-cli-')), 'branch.orrec');
    const fork = await replay('fork', [String(scaleDown.position - 1)], { remove: [String(scaleDown.position)], runFor: '30s', out });
    expect(fork.code).toBe(0);
    expect(fork.out).toMatch(/^added\s+pod\/default\/web-/m);
    expect(existsSync(out)).toBe(true);
    const bad = await replay('fork', ['5'], { remove: ['30'] });
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/derived by the controllers/);
    expect((await replay('nonsense')).code).toBe(2);
  });
});

describe('registerReplayCommand', () => {
  it('wires `replay <recording> [action] [args...]` into a commander program', async () => {
    const { Command } = await import('commander');
    const { registerReplayCommand } = await import('./register-replay-command.ts');
    const program = new Command().exitOverride();
    let invariantsLoaded = false;
    registerReplayCommand(program, async () => {
      invariantsLoaded = true;
      return [];
    });
    const written: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'orrery', 'replay', file, 'diff', '0', '8', '-o', 'json']);
    } finally {
      process.stdout.write = write;
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(invariantsLoaded).toBe(true);
    expect(JSON.parse(written.join('')).added).toHaveLength(9);
  });
});
