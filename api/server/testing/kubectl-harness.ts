import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type RunningServer, type ServeOptions, runServe } from '../serve.ts';

/** The real kubectl the end-to-end tests drive (v1.32 on these machines). */
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
export const HAS_KUBECTL = existsSync(KUBECTL);

export interface KubectlRun {
  stdout: string;
  stderr: string;
  code: number;
}

export interface KubectlHarness {
  /** A temp directory holding the log, the kubeconfig and kubectl's HOME. */
  dir: string;
  server: RunningServer;
  kubectl(args: string[], env?: Record<string, string>): Promise<KubectlRun>;
  /** Runs kubectl and requires exit code 0; returns stdout. */
  ok(args: string[]): Promise<string>;
  /** The events users' requests appended after `position` (see {@link userWritesSince}). */
  userWritesSince(position: number): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * `orrery serve` on a free port over a fresh embedded log, with a kubeconfig for the real kubectl
 * and a quick simulated kubelet, as the end-to-end tests need it.
 */
export async function startKubectlHarness(name: string, options: Partial<ServeOptions> = {}): Promise<KubectlHarness> {
  const dir = await mkdtemp(join(tmpdir(), `orrery-${name}-e2e-`));
  await mkdir(join(dir, 'home'));
  const server = await runServe({
    port: 0,
    data: join(dir, 'data'),
    kubeconfig: join(dir, 'kubeconfig'),
    nodes: 2,
    quiet: true,
    handleSignals: false,
    controllerOptions: { kubelet: { startupDelayMs: 200 } },
    ...options,
  });
  const kubectl = (args: string[], env: Record<string, string> = {}) =>
    new Promise<KubectlRun>((resolve) => {
      execFile(
        KUBECTL,
        ['--kubeconfig', join(dir, 'kubeconfig'), ...args],
        { env: { PATH: process.env.PATH ?? '', HOME: join(dir, 'home'), ...env }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 }),
      );
    });
  return {
    dir,
    server,
    kubectl,
    async ok(args) {
      const run = await kubectl(args);
      expect(run.code, `kubectl ${args.join(' ')}\n${run.stderr}`).toBe(0);
      return run.stdout;
    },
    userWritesSince: (position) => userWritesSince(server, position),
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The events users' requests appended to `server`'s log after `position`, as `type stream`. A wall-clock
 * cluster keeps appending clock ticks and heartbeats, so "a refused request appends nothing" is asserted on these.
 */
export async function userWritesSince(server: RunningServer, position: number): Promise<string[]> {
  const written: string[] = [];
  for await (const event of server.cluster.store.readAll(position + 1)) if (event.metadata.actor.startsWith('user:')) written.push(`${event.type} ${event.stream}`);
  return written;
}

/** Polls a server-mode (wall-clock) cluster until `check` gives a value. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs; // wall-clock-ok: test polling a server-mode cluster
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time'); // wall-clock-ok
    await new Promise((r) => setTimeout(r, 100));
  }
}
