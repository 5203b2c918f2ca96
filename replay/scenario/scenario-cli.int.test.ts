import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { parseScenario } from './scenario-file.ts';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '../../bin/orrery.js');

function orrery(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: resolve(here, '../..') }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const scenario = (assertion: string) => `
name: tiny
seed: 3
duration: 2m
cluster:
  nodes:
    - name: node-1
manifests:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 2
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          containers: [{ name: web, image: nginx:1.27 }]
timeline:
  - at: 1m
    action: container-crash
    deployment: web
expect:
  - "eventually within 30s: deployment/web available=2"
  - "${assertion}"
`;

describe('orrery scenario run / import audit-log (the CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-scenario-cli-'));

  it('exits 0 when every assertion passes, 1 when one fails (naming time and position), 2 for an invalid file', async () => {
    writeFileSync(join(dir, 'pass.scenario.yaml'), scenario('at 1m30s: pods matching app=web restarts=2'));
    writeFileSync(join(dir, 'fail.scenario.yaml'), scenario('at 1m30s: pods matching app=web restarts=0'));
    writeFileSync(join(dir, 'bad.scenario.yaml'), 'cluster:\n  nodes: [{ name: n }]\ntimeline:\n  - at: 1m\n    action: scale\n    deployment: web\n');
    const [pass, fail, bad] = await Promise.all([
      orrery(['scenario', 'run', join(dir, 'pass.scenario.yaml'), '-q', '-o', join(dir, 'rec-pass')]),
      orrery(['scenario', 'run', join(dir, 'fail.scenario.yaml'), '-q', '-o', join(dir, 'rec-fail')]),
      orrery(['scenario', 'run', join(dir, 'bad.scenario.yaml'), '-q', '-o', join(dir, 'rec-bad')]),
    ]);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain('Assertions: 2 passed, 0 failed');
    expect(pass.stdout).toMatch(/ 1m\s+container-crash deployment=web/);
    expect(pass.stdout).toContain(`Recording: ${join(dir, 'rec-pass')}`);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain('Assertions: 1 passed, 1 failed');
    expect(fail.stdout).toMatch(/✗ at 1m30s: pods matching app=web restarts=0\n\s+2 pods restarts — at 1m30s, event position \d+/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('timeline[0].replicas: required for scale');
  }, 60_000);

  it('imports an audit log into a scenario file that parses', async () => {
    const out = join(dir, 'incident.scenario.yaml');
    const result = await orrery(['import', 'audit-log', join(here, 'testdata', 'audit.jsonl'), '-o', out, '--tail', '5m']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`wrote ${out}: 8 timeline entries from 24 audit events, 1 warning(s)`);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Imported from the audit log .*audit\.jsonl/);
    expect(text).toContain('#   11 writes by controllers and kubelets');
    const parsed = parseScenario(text);
    expect(parsed.timeline).toHaveLength(8);
    expect(parsed.duration).toBe(419_988 + 300_000);
  }, 30_000);

  it('--serve serves the debugger and the replay API over the recording, at the failed assertion', async () => {
    const { runScenarioCommand } = await import('./scenario-command.ts');
    writeFileSync(join(dir, 'serve.scenario.yaml'), scenario('at 1m30s: pods matching app=web restarts=0'));
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    let stop!: () => void;
    const serveUntil = new Promise<void>((resolve) => {
      stop = resolve;
    });
    try {
      const running = runScenarioCommand(join(dir, 'serve.scenario.yaml'), { quiet: true, out: join(dir, 'rec-serve'), serve: true, port: 0, serveUntil });
      let api: string | undefined;
      for (let i = 0; i < 200 && !api; i++) {
        await new Promise((r) => setTimeout(r, 50));
        api = /replay API at (\S+)/.exec(printed.join(''))?.[1];
      }
      const sessions = (await (await fetch(`${api}/sessions`)).json()) as { items: Array<{ source: { path: string }; cursor: { position: number } }> };
      const failedAt = Number(/event position (\d+)/.exec(printed.join(''))![1]);
      expect(sessions.items[0]).toMatchObject({ source: { path: join(dir, 'rec-serve') }, cursor: { position: failedAt } });
      expect(printed.join('')).toMatch(/debugger: http:\/\/127\.0\.0\.1:\d+\/ui\/\?session=/);
      stop();
      expect(await running).toBe(1);
    } finally {
      write.mockRestore();
    }
  }, 30_000);
});
