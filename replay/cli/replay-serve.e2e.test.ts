import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The CLI layer passes the API server's factory in (replay code itself never imports api/).
import { createApiServer } from '../../api/server/create-api-server.ts';
import { writeRecordingFile } from '../service/recording-file.ts';
import { recordWebRollout } from '../service/test-recording.ts';
import { runReplayCommand } from './replay-command.ts';

function kubectl(args: string[], kubeconfig: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.env.KUBECTL ?? '/usr/bin/kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 }, (_error, stdout, stderr) => resolve({ stdout, stderr }));
  });
}

describe('orrery replay --serve', () => {
  it('serves the replay API for the recording and its past to kubectl', async () => {
    const recorded = await recordWebRollout();
    const dir = mkdtempSync(join(tmpdir(), 'orrery-replay-serve-'));
    const file = join(dir, 'web.orrec');
    writeRecordingFile(file, recorded);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const lines: string[] = [];
    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const done = runReplayCommand(file, undefined, [], {
      serve: true,
      serveUntil: stopped,
      createKubeApi: (cluster, now) => createApiServer({ cluster, now }),
      progress: false,
      out$: (line) => {
        lines.push(line);
        const match = /^replay API at (\S+)\/replay /.exec(line);
        if (match) listening(match[1]!);
      },
    });
    const base = await url;
    expect(lines.join('\n')).toContain(`${base}/ui/?session=s1`);
    const sessions = (await (await fetch(`${base}/replay/sessions`)).json()) as { items: Array<{ head: number }> };
    expect(sessions.items[0]!.head).toBe(recorded.length);
    const firstPod = recorded.find((e) => e.type === 'PodScheduled')!;
    const before = await kubectl(['--server', `${base}/at/${firstPod.position - 1}`, 'get', 'pods', '-o', 'wide', '--no-headers'], kubeconfig);
    expect(before.stdout.match(/<none>\s+<none>\s+<none>\s*$/gm)).toHaveLength(3);
    const end = await kubectl(['--server', `${base}/at/${recorded.length}`, 'get', 'pods', '--no-headers'], kubeconfig);
    expect(end.stdout.trim().split('\n')).toHaveLength(2);
    stop();
    expect(await done).toBe(0);
  }, 60_000);
});
