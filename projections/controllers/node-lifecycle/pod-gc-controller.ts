import type { NodeCondition, StoredEvent, Taint } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, podsOnNode } from '../../state/queries.ts';
import { createKeyedTimers } from '../kubelet/keyed-timers.ts';
import { TAINT_OUT_OF_SERVICE } from './node-taints.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { NO_OUTPUTS } from '../per-event.ts';

export const POD_GC_NAME = 'pod-garbage-collector';
/** podgc's quarantine before a node's absence is trusted. */
export const POD_GC_QUARANTINE_MS = 40_000;

/**
 * Kubernetes' PodGC for the cases a simulated cluster meets: pods bound to a node that no longer
 * exists (after a 40 s quarantine), and terminating pods on a NotReady node tainted
 * `node.kubernetes.io/out-of-service`, are marked Failed with a DisruptionTarget condition
 * (DeletionByPodGC) and force-deleted (grace period 0): the way pods stuck Terminating on a dead
 * node are released.
 */
export function createPodGcController(options: { quarantineMs?: number } = {}): Controller {
  const quarantine = options.quarantineMs ?? POD_GC_QUARANTINE_MS;
  return {
    name: POD_GC_NAME,
    // The events its switch below acts on; its quarantine timers are wakes it asked for, which the engine hands it when due.
    interest: { events: ['ObjectRemoved', 'PodScheduled', 'ObjectCreated', 'NodeTaintsChanged', 'NodeConditionChanged', 'ObjectDeletionRequested'], kinds: ['Node', 'Pod'] },
    // A fresh instance per subscription of the engine (a restart gets a new one).
    reconcile: (input$) => {
      const timers = createKeyedTimers();
      let requestedWake: number | undefined;
      let started = false;
      let out: ControllerOutput[] = [];
      let state: ClusterState;
      let event: StoredEvent;

      const meta = () => ({ actor: POD_GC_NAME, causationId: event.position, ...(event.metadata.correlationId ? { correlationId: event.metadata.correlationId } : {}) });

      function forceDelete(pod: KubeObject, message: string): void {
        const ref = { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
        const phase = pod.status?.phase;
        if (phase !== 'Succeeded' && phase !== 'Failed') out.push({ type: 'record', ...meta(), event: { type: 'PodPhaseChanged', data: { ref, phase: 'Failed' } } });
        out.push({ type: 'record', ...meta(), event: { type: 'PodEvicted', data: { ref, reason: 'DeletionByPodGC', message } } });
        out.push({ type: 'delete', ...meta(), ref: { kind: 'Pod', namespace: ref.namespace, name: ref.name }, gracePeriodSeconds: 0, preconditions: { uid: ref.uid } });
      }

      function nodeMissing(node: string, now: number): void {
        if (!getObject(state, 'Node', undefined, node) && timers.dueAt(`orphans:${node}`) === undefined) timers.schedule(`orphans:${node}`, now + quarantine);
      }

      function gcOrphans(node: string): void {
        if (getObject(state, 'Node', undefined, node)) return;
        for (const pod of podsOnNode(state, node)) forceDelete(pod, 'PodGC: node no longer exists');
      }

      function gcOutOfService(nodeName: string): void {
        const node = getObject(state, 'Node', undefined, nodeName);
        if (!node) return;
        const taints = (node.spec?.taints as Taint[] | undefined) ?? [];
        if (!taints.some((t) => t.key === TAINT_OUT_OF_SERVICE && t.effect === 'NoExecute')) return;
        const ready = (node.status?.conditions as NodeCondition[] | undefined)?.find((c) => c.type === 'Ready');
        if (ready?.status === 'True') return;
        for (const pod of podsOnNode(state, nodeName)) if (pod.metadata.deletionTimestamp) forceDelete(pod, 'PodGC: node is out of service');
      }

      function handle(input: ReconcileInput): readonly ControllerOutput[] {
        state = input.state;
        event = input.event;
        // An event with nothing to do keeps the empty list (it was never handed out) instead of a new one.
        if (out.length !== 0) out = [];
        const now = Math.max(state.time, event.metadata.time);
        if (!started) {
          started = true;
          if (event.type !== 'ClusterInitialized') for (const node of [...state.podsByNode.keys()].sort()) nodeMissing(node, now);
        }
        switch (event.type) {
          case 'ObjectRemoved':
            if (event.data.ref.kind === 'Node') nodeMissing(event.data.ref.name, now);
            break;
          case 'PodScheduled':
            nodeMissing(event.data.nodeName, now);
            break;
          case 'ObjectCreated':
            if (event.data.object.kind === 'Pod' && event.data.object.spec?.nodeName) nodeMissing(event.data.object.spec.nodeName, now);
            break;
          case 'NodeTaintsChanged':
          case 'NodeConditionChanged':
            gcOutOfService(event.data.node);
            break;
          case 'ObjectDeletionRequested':
            if (event.data.ref.kind === 'Pod') {
              const pod = getObject(state, 'Pod', event.data.ref.namespace, event.data.ref.name);
              if (pod?.spec?.nodeName) gcOutOfService(pod.spec.nodeName);
            }
            break;
          default:
            break;
        }
        for (const key of timers.popDue(now)) gcOrphans(key.slice('orphans:'.length));
        const next = timers.peek();
        if (next !== undefined && (requestedWake === undefined || requestedWake <= now || next < requestedWake)) {
          requestedWake = next;
          out.push({ type: 'wakeAt', time: next });
        }
        return out.length === 0 ? NO_OUTPUTS : out;
      }

      return input$.pipe(reconcileEach((input) => handle(input)));
    },
  };
}
