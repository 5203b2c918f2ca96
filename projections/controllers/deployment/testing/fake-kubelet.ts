import { type Observable, mergeMap } from 'rxjs';
import { type KubeObject, objectKey, refOf } from '../../../../core/model/object.ts';
import { toRfc3339 } from '../../../../core/virtual-clock.ts';
import type { Command } from '../../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../../engine/controller.ts';
import { getObject } from '../../../state/queries.ts';

/**
 * A stand-in for scheduler + kubelet in workload-controller tests: binds every new pod to a node,
 * starts it `startMs` later (ready unless `ready(pod)` says otherwise), and removes a pod
 * `stopMs` after its deletion is requested. Deterministic and driven by the virtual clock only.
 */
export interface FakeKubeletOptions {
  nodes?: string[];
  startMs?: number;
  stopMs?: number;
  ready?: (pod: KubeObject) => boolean;
}

export function createFakeKubelet(options: FakeKubeletOptions = {}): Controller {
  const nodes = options.nodes ?? ['node-1', 'node-2'];
  const startMs = options.startMs ?? 2000;
  const stopMs = options.stopMs ?? 1000;
  const ready = options.ready ?? (() => true);
  return {
    name: 'fake-kubelet',
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      const starts = new Map<string, number>();
      const stops = new Map<string, number>();
      let bound = 0;
      return input$.pipe(
        mergeMap(({ event, state }) => {
          const out: ControllerOutput[] = [];
          const meta = (node: string) => ({ actor: `kubelet/${node}`, causationId: event.position });
          if (event.type === 'ObjectCreated' && event.data.object.kind === 'Pod' && !event.data.object.spec?.nodeName) {
            const pod = event.data.object;
            const node = nodes[bound++ % nodes.length]!;
            out.push({
              ...meta('scheduler'),
              actor: 'scheduler',
              type: 'record',
              event: { type: 'PodScheduled', data: { ref: refOf(pod), nodeName: node, decision: { evaluated: nodes.length, feasible: nodes.length, verdicts: [], chosen: node } } },
            });
            const key = objectKey(pod.metadata.namespace, pod.metadata.name!);
            starts.set(key, state.time + startMs);
            out.push({ type: 'wakeAt', time: state.time + startMs });
          }
          if (event.type === 'ObjectDeletionRequested' && event.data.ref.kind === 'Pod') {
            const key = objectKey(event.data.ref.namespace, event.data.ref.name);
            starts.delete(key);
            stops.set(key, state.time + stopMs);
            out.push({ type: 'wakeAt', time: state.time + stopMs });
          }
          for (const [key, time] of [...starts].sort()) {
            if (time > state.time) continue;
            starts.delete(key);
            const pod = podAt(state, key);
            if (!pod || pod.metadata.deletionTimestamp) continue;
            const node = pod.spec.nodeName as string;
            // One status update, as the real kubelet writes it: the phase with its containers' states.
            const containers = (pod.spec.containers as Array<{ name: string }>).map((container) => ({
              container: container.name,
              state: { running: { startedAt: toRfc3339(state.time) } },
              ready: ready(pod),
              started: true,
              restartCount: 0,
            }));
            out.push({
              ...meta(node),
              type: 'record',
              event: { type: 'PodPhaseChanged', data: { ref: refOf(pod), phase: 'Running', podIP: '10.0.0.1', hostIP: '192.168.0.1', containers } },
            } satisfies Command);
          }
          for (const [key, time] of [...stops].sort()) {
            if (time > state.time) continue;
            stops.delete(key);
            const pod = podAt(state, key);
            if (!pod) continue;
            out.push({ ...meta(pod.spec?.nodeName ?? 'node-1'), type: 'delete', ref: refOf(pod), gracePeriodSeconds: 0 });
          }
          return out;
        }),
      );
    },
  };
}

function podAt(state: ReconcileInput['state'], key: string): KubeObject | undefined {
  const slash = key.indexOf('/');
  return getObject(state, 'Pod', key.slice(0, slash), key.slice(slash + 1));
}
