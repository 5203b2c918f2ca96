import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = resolve(root, 'bin/orrery.js');

function orrery(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('orrery check --workers', () => {
  it('checks the histories on the worker threads asked for and says so', async () => {
    const result = await orrery(['check', '--runs', '12', '--seed', '5', '--workers', '2', '--max-nodes', '3', '--workloads', '3']);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK: 12 histories passed \(seed 5\) in [\d.]+s on 2 worker threads, [\d.]+ histories\/s$/m);
  }, 150_000);

  it('stays on one thread for a short check by default', async () => {
    const result = await orrery(['check', '--runs', '3', '--seed', '5', '--max-nodes', '3', '--workloads', '2']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^OK: 3 histories passed \(seed 5\) in [\d.]+s, [\d.]+ histories\/s$/m);
  }, 150_000);

  it('refuses zero workers with a usage error and checks nothing', async () => {
    const result = await orrery(['check', '--workers', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("option '--workers <n>' argument '0' is invalid. expected at least 1");
    expect(result.stdout).toBe('');
  });
});

describe('orrery check, run again with its V8 flags (bin/orrery.js)', () => {
  it('stops the whole check, workers and all, when the command is sent SIGTERM, and ends by that signal', async () => {
    const command = spawn(process.execPath, [bin, 'check', '--runs', '5000', '--seed', '3', '--workers', '2'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    // Off a terminal the check prints nothing until it ends: wait for the process it runs in, then
    // give it time to start its workers.
    let checking: number[] = [];
    while (checking.length === 0) {
      await new Promise((later) => setTimeout(later, 100));
      checking = childPids(command.pid!);
    }
    await new Promise((later) => setTimeout(later, 2_000));
    expect(checking.length).toBe(1);
    command.kill('SIGTERM');
    const ended = await new Promise<{ code: number | null; signal: string | null }>((done) => command.on('exit', (code, signal) => done({ code, signal })));
    expect(ended).toEqual({ code: null, signal: 'SIGTERM' });
    await new Promise((settled) => setTimeout(settled, 500));
    expect(isRunning(checking[0]!)).toBe(false);
  }, 60_000);
});

function childPids(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return children === '' ? [] : children.split(/\s+/).map(Number);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
