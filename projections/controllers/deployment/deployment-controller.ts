import { type Observable } from 'rxjs';
import type { StoredEvent } from '../../../core/events.ts';
import { type KubeObject, objectKey } from '../../../core/model/object.ts';
import { matches } from '../../../core/model/labels.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { createKeyedTimers } from '../kubelet/keyed-timers.ts';
import { syncDeployment } from './sync-deployment.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { compiledSelector } from '../compiled-selector.ts';
import { NO_OUTPUTS, emptySet } from '../per-event.ts';

export const DEPLOYMENT_CONTROLLER = 'deployment-controller';

const REF_EVENTS = new Set(['ObjectStatusReplaced', 'ObjectDeletionRequested', 'ObjectRemoved']);
/** Pod events that can end a Recreate rollout's wait for old pods. */
const POD_GONE_EVENTS = new Set(['ObjectRemoved', 'ObjectDeletionRequested', 'PodPhaseChanged']);

/**
 * The Deployment controller. An input concerns a Deployment when it is about the Deployment, about
 * a ReplicaSet it owns (or an orphan its selector matches), about a pod going away while its
 * Recreate rollout waits for old pods, or when its progress-deadline timer falls due. Each concerned
 * Deployment is then reconciled from the live state.
 */
export function createDeploymentController(): Controller {
  return {
    name: DEPLOYMENT_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectReplaced', ...REF_EVENTS, ...POD_GONE_EVENTS], kinds: ['Deployment', 'ReplicaSet', 'Pod'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      /** ReplicaSet `ns/name` → owning Deployment `ns/name`, so a removed ReplicaSet still reaches it. */
      const rsOwner = new Map<string, string>();
      // A heap, not a map scanned at every event: every Deployment keeps a progress-deadline timer.
      const timers = createKeyedTimers();
      /** Recreate Deployments waiting for old pods to go. */
      const waiting = new Set<string>();
      let started = false;
      let keys = new Set<string>();

      function deploymentsSelecting(state: ClusterState, namespace: string, labels: Record<string, string> | undefined, keys: Set<string>): void {
        for (const d of listObjects(state, 'Deployment', namespace)) {
          // A missing or invalid selector selects nothing.
          const selector = d.spec?.selector ? compiledSelector(d.spec.selector) : undefined;
          if (selector && matches(selector, labels)) keys.add(objectKey(namespace, d.metadata.name!));
        }
      }

      function routeReplicaSet(state: ClusterState, namespace: string, name: string, labelsMayHaveChanged: boolean, keys: Set<string>): void {
        const rsKey = objectKey(namespace, name);
        const previous = rsOwner.get(rsKey);
        if (previous) keys.add(previous);
        const rs = getObject(state, 'ReplicaSet', namespace, name);
        if (!rs) {
          rsOwner.delete(rsKey);
          return;
        }
        const owner = controllerOf(rs);
        if (owner?.kind === 'Deployment') {
          const key = objectKey(namespace, owner.name);
          rsOwner.set(rsKey, key);
          keys.add(key);
          return;
        }
        rsOwner.delete(rsKey);
        if (!owner && labelsMayHaveChanged) deploymentsSelecting(state, namespace, rs.metadata.labels, keys);
      }

      function affected(event: StoredEvent, state: ClusterState): Set<string> {
        keys = emptySet(keys);
        if (!started) {
          started = true;
          for (const d of listObjects(state, 'Deployment')) keys.add(objectKey(d.metadata.namespace, d.metadata.name!));
        }
        let kind: string | undefined;
        let namespace = '';
        let name = '';
        if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
          const object: KubeObject = event.data.object;
          kind = object.kind;
          namespace = object.metadata.namespace ?? '';
          name = object.metadata.name!;
        } else if (REF_EVENTS.has(event.type) || event.type === 'PodPhaseChanged') {
          const ref = (event.data as { ref: { kind: string; namespace?: string; name: string } }).ref;
          kind = ref.kind;
          namespace = ref.namespace ?? '';
          name = ref.name;
        }
        if (kind === 'Deployment') {
          const key = objectKey(namespace, name);
          if (event.type === 'ObjectRemoved') {
            timers.cancel(key);
            waiting.delete(key);
          } else keys.add(key);
        } else if (kind === 'ReplicaSet') {
          routeReplicaSet(state, namespace, name, event.type === 'ObjectCreated' || event.type === 'ObjectReplaced', keys);
        } else if (kind === 'Pod' && waiting.size !== 0 && POD_GONE_EVENTS.has(event.type)) {
          for (const key of waiting) if (key.startsWith(`${namespace}/`)) keys.add(key);
        }
        for (const key of timers.popDue(state.time)) keys.add(key);
        return keys;
      }

      function handle({ event, state }: ReconcileInput): readonly ControllerOutput[] {
        const keys = affected(event, state);
        if (keys.size === 0) return NO_OUTPUTS;
        const meta = commandMetaFor(DEPLOYMENT_CONTROLLER, event);
        const outputs: ControllerOutput[] = [];
        for (const key of [...keys].sort()) {
          const result = syncDeployment(key, { state, now: state.time, meta });
          outputs.push(...result.commands);
          if (result.waitingForOldPods) waiting.add(key);
          else waiting.delete(key);
          if (result.wakeAt !== undefined && timers.dueAt(key) !== result.wakeAt) {
            timers.schedule(key, result.wakeAt);
            outputs.push({ type: 'wakeAt', time: result.wakeAt });
          }
        }
        return outputs;
      }

      return input$.pipe(reconcileEach(handle));
    },
  };
}
