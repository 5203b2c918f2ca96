import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedStore } from '../../core/store/embedded/embedded-store.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { createWritePath } from '../write-path/write-path.ts';
import { createClusterState } from './reducer.ts';
import { restoreState, writeSnapshot } from './snapshot-files.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 0, 1);
const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });

describe('restart over the embedded log', () => {
  it('pipelined writes, a snapshot half-way, a restart: the restored state equals the one the write path kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orrery-restore-'));
    dirs.push(dir);
    const store = await createEmbeddedStore(dir);
    const state = createClusterState();
    const writePath = createWritePath({ store, state });
    await writePath.execute({ type: 'record', actor: 'orrery', event: { type: 'ClusterInitialized', data: { seed: 5, startTime: T0, mode: 'simulation' } } });
    await writePath.execute({ type: 'record', actor: 'kubelet/n1', event: { type: 'NodeRegistered', data: { node: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {}, status: { conditions: [] } } } } });
    // Fired together, not awaited one by one: they share group commits and still see each other.
    const first = Array.from({ length: 20 }, (_, i) => writePath.execute({ type: 'create', actor: 'user:admin', object: pod(`web-${i}`) }));
    const bindings = Array.from({ length: 20 }, (_, i) =>
      writePath.execute({ type: 'record', actor: 'scheduler', event: { type: 'PodScheduled', data: { ref: { kind: 'Pod', namespace: 'default', name: `web-${i}` }, nodeName: 'n1', decision: { evaluated: 1, feasible: 1, verdicts: [] } } } }),
    );
    await Promise.all([...first, ...bindings]);
    writeSnapshot(dir, state);
    const rest = Array.from({ length: 10 }, (_, i) => writePath.execute({ type: 'delete', actor: 'user:admin', ref: { kind: 'Pod', namespace: 'default', name: `web-${i}` } }));
    await Promise.all([...rest, writePath.execute({ type: 'record', actor: 'kubelet/n1', event: { type: 'NodeHeartbeat', data: { nodes: ['n1'] } } })]);
    await store.close();

    const reopened = await createEmbeddedStore(dir);
    const restored = await restoreState(reopened, dir);
    await reopened.close();
    expect(restored.snapshotPosition).toBe(42);
    expect(restored.tailEvents).toBe(11);
    expect(restored.state).toEqual(state);
  });
});
