import { defer } from 'rxjs';
import type { Controller, ControllerOutput } from '../../projections/engine/controller.ts';
import { containerUpdatesOf } from '../../projections/state/container-updates.ts';
import { getObject } from '../../projections/state/queries.ts';
import { DRAIN_RETRY_MS, drainPass, evictionCommands } from './drain.ts';
import { RESTORE_PREFIX, SIM_PREFIX, owningDeployment, standingFaults, withAnnotations } from './pod-faults.ts';
import { reconcileEach } from '../../projections/engine/reconcile-each.ts';

export const SCENARIO_USER = 'user:scenario';
export const FAULT_INJECTOR = 'fault-injector';

/**
 * The parts of a scenario that go on over time rather than happening at one instant:
 * - standing faults: a pod created by a Deployment that carries fault annotations
 *   (`sim.orrery.dev/*`, set by a deployment-targeted fault) gets them at once, as the fault
 *   injector, before its kubelet starts it;
 * - drains in progress: like `kubectl drain`, evictions a PodDisruptionBudget refused are retried
 *   every 5 s until the node holds nothing left to evict.
 */
export interface ScenarioDriver {
  controller: Controller;
  /** Starts retrying a node's drain (its first pass has been made by the caller). */
  continueDrain(node: string, now: number): void;
  /** Nodes whose drain has not finished. */
  draining(): string[];
}

export function createScenarioDriver(): ScenarioDriver {
  const drains = new Map<string, number>();
  let wakeRequested: number | undefined;
  const controller: Controller = {
    name: 'scenario-driver',
    reconcile: (input$) =>
      defer(() =>
        input$.pipe(
          reconcileEach(({ event, state }) => {
            const out: ControllerOutput[] = [];
            if (event.type === 'ObjectCreated' && event.data.object.kind === 'Pod') {
              const pod = getObject(state, 'Pod', event.data.object.metadata.namespace, event.data.object.metadata.name!);
              const deployment = pod && owningDeployment(state, pod);
              const faults = deployment ? standingFaults(deployment) : {};
              const annotations = pod && Object.keys(faults).length > 0 ? withAnnotations(pod.metadata.annotations, faults) : undefined;
              if (pod && annotations) {
                out.push({ type: 'update', actor: FAULT_INJECTOR, causationId: event.position, object: { ...pod, metadata: { ...pod.metadata, annotations } } });
              }
            }
            const exited = event.type === 'ContainerStateChanged' || event.type === 'PodPhaseChanged' ? containerUpdatesOf(event).filter((u) => u.state.terminated) : [];
            if (exited.length > 0 && (event.type === 'ContainerStateChanged' || event.type === 'PodPhaseChanged')) {
              const pod = getObject(state, 'Pod', event.data.ref.namespace, event.data.ref.name);
              const changes: Record<string, string | undefined> = {};
              for (const [annotation, value] of Object.entries(pod?.metadata.annotations ?? {})) {
                if (!exited.some((u) => annotation.startsWith(`${RESTORE_PREFIX}${u.container}.`))) continue;
                changes[annotation] = undefined;
                changes[`${SIM_PREFIX}${annotation.slice(RESTORE_PREFIX.length)}`] = value === '' ? undefined : value;
              }
              const annotations = pod && Object.keys(changes).length > 0 ? withAnnotations(pod.metadata.annotations, changes) : undefined;
              if (pod && annotations) {
                // No resourceVersion precondition: the kubelet's status writes of the same instant must not make this one fail.
                const { resourceVersion: _rv, ...metadata } = pod.metadata;
                out.push({ type: 'update', actor: FAULT_INJECTOR, causationId: event.position, object: { ...pod, metadata: { ...metadata, annotations } } });
              }
            }
            // Every event reaches the driver: with no drain in progress (most of a run) it allocates nothing more.
            if (drains.size === 0) return out;
            for (const [node, retryAt] of [...drains]) {
              if (state.time < retryAt) continue;
              const pass = drainPass(state, node);
              for (const pod of pass.evict) out.push(...evictionCommands(pod, SCENARIO_USER, event.position));
              if (pass.blocked.length === 0) drains.delete(node);
              else drains.set(node, state.time + DRAIN_RETRY_MS);
            }
            const next = Math.min(...drains.values());
            if (drains.size > 0 && wakeRequested !== next) {
              wakeRequested = next;
              out.push({ type: 'wakeAt', time: next });
            }
            return out;
          }),
        ),
      ),
  };
  return {
    controller,
    continueDrain(node, now) {
      drains.set(node, now + DRAIN_RETRY_MS);
    },
    draining: () => [...drains.keys()],
  };
}
