import { type Observable } from 'rxjs';
import { labelSelectorMatches } from '../../../core/model/labels.ts';
import type { KubeObject, ObjectRef } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { type Command, type CommandMeta, commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { isPodReady } from '../replicaset/pod-availability.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { NO_OUTPUTS, emptySet } from '../per-event.ts';
import { ByNamespaceAndName } from '../by-namespace-and-name.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export const DISRUPTION_CONTROLLER = 'disruption-controller';

const SCALED_KINDS = new Set(['ReplicaSet', 'Deployment', 'StatefulSet', 'ReplicationController']);
const POD_REF_EVENTS = new Set(['PodPhaseChanged', 'ContainerStateChanged', 'PodEvicted', 'ObjectDeletionRequested', 'ObjectRemoved']);

function scaledValue(value: unknown, total: number): number {
  if (typeof value === 'string' && value.endsWith('%')) return Math.ceil((Number(value.slice(0, -1)) * total) / 100);
  return Number(value ?? 0);
}

/** `getExpectedScale`: the summed spec.replicas of the controllers of the covered pods (a Deployment's, not its ReplicaSets'). */
function expectedScale(state: ClusterState, pods: KubeObject[]): number {
  const scales = new Map<string, number>();
  let uncontrolled = 0;
  for (const pod of pods) {
    let owner = controllerOf(pod);
    if (!owner) {
      uncontrolled++;
      continue;
    }
    let object = getObject(state, owner.kind, pod.metadata.namespace, owner.name);
    if (object?.kind === 'ReplicaSet') {
      const deployment = controllerOf(object);
      if (deployment?.kind === 'Deployment') {
        owner = deployment;
        object = getObject(state, 'Deployment', pod.metadata.namespace, deployment.name);
      }
    }
    if (object && SCALED_KINDS.has(object.kind)) scales.set(object.metadata.uid!, object.spec?.replicas ?? 1);
    else uncontrolled++;
  }
  return [...scales.values()].reduce((a, b) => a + b, 0) + uncontrolled;
}

/**
 * The status the disruption controller computes for a PodDisruptionBudget (`trySync` in
 * pkg/controller/disruption): desiredHealthy from minAvailable (a count: as is, over the pods;
 * a percentage: of the controllers' scale) or from maxUnavailable (of the controllers' scale),
 * currentHealthy = Ready pods not being deleted, disruptionsAllowed never negative, and 0 while
 * no pods are expected.
 */
export function budgetStatus(state: ClusterState, pdb: KubeObject, now: number): Record<string, unknown> {
  const pods = listObjects(state, 'Pod', pdb.metadata.namespace).filter((p) => labelSelectorMatches(pdb.spec?.selector, p.metadata.labels));
  let expected: number;
  let desiredHealthy: number;
  if (pdb.spec?.maxUnavailable !== undefined && pdb.spec?.maxUnavailable !== null) {
    expected = expectedScale(state, pods);
    desiredHealthy = Math.max(0, expected - scaledValue(pdb.spec.maxUnavailable, expected));
  } else if (typeof pdb.spec?.minAvailable === 'string') {
    expected = expectedScale(state, pods);
    desiredHealthy = scaledValue(pdb.spec.minAvailable, expected);
  } else {
    expected = pods.length;
    desiredHealthy = Number(pdb.spec?.minAvailable ?? 1);
  }
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p)).length;
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expected <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const previous = ((pdb.status?.conditions ?? []) as Array<{ type: string; status: string; lastTransitionTime?: string }>).find((c) => c.type === 'DisruptionAllowed');
  const conditionStatus = disruptionsAllowed > 0 ? 'True' : 'False';
  const condition = {
    type: 'DisruptionAllowed',
    status: conditionStatus,
    observedGeneration: pdb.metadata.generation ?? 1,
    lastTransitionTime: previous?.status === conditionStatus && previous.lastTransitionTime ? previous.lastTransitionTime : toRfc3339(now),
    reason: disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods',
    message: '',
  };
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    disruptedPods: pdb.status?.disruptedPods ?? {},
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods: expected,
    conditions: [condition],
  };
}

function syncBudget(state: ClusterState, namespace: string, name: string, meta: CommandMeta): Command[] {
  const pdb = getObject(state, 'PodDisruptionBudget', namespace, name);
  if (!pdb || pdb.metadata.deletionTimestamp) return [];
  const status = budgetStatus(state, pdb, state.time);
  const comparable = (s: any) => ({ ...s, conditions: (s?.conditions ?? []).map((c: any) => ({ ...c, lastTransitionTime: undefined })) });
  if (jsonEqual(comparable(pdb.status ?? {}), comparable(status))) return [];
  const object = clonePlain(pdb);
  delete object.metadata.resourceVersion;
  object.status = status;
  return [{ ...meta, type: 'update', subresource: 'status', object }];
}

/** Adds the budgets of the namespace whose selector matches `labels` (all of them when undefined). */
function budgetsIn(state: ClusterState, keys: Set<string>, namespace: string, labels?: Record<string, string>): void {
  if (!state.objects.get('PodDisruptionBudget')?.size) return;
  for (const pdb of listObjects(state, 'PodDisruptionBudget', namespace)) {
    if (labels === undefined || labelSelectorMatches(pdb.spec?.selector, labels)) keys.add(`${namespace}/${pdb.metadata.name}`);
  }
}

/** The disruption controller: budgets resynced when they change, when a pod they may cover changes, or when a workload scales. */
export function createDisruptionController(): Controller {
  return {
    name: DISRUPTION_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectReplaced', ...POD_REF_EVENTS], kinds: ['PodDisruptionBudget', 'Pod', ...SCALED_KINDS] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      let started = false;
      /** Each pod's labels when last seen (an entry may hold undefined: a pod without labels). */
      const podLabels = new ByNamespaceAndName<Record<string, string> | undefined>();
      let keys = new Set<string>();
      return input$.pipe(
        reconcileEach(({ event, state }) => {
          keys = emptySet(keys);
          if (!started) {
            started = true;
            for (const pdb of listObjects(state, 'PodDisruptionBudget')) keys.add(`${pdb.metadata.namespace}/${pdb.metadata.name}`);
          }
          let ref: ObjectRef | undefined;
          if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
            const object: KubeObject = event.data.object;
            ref = { kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name! };
          } else if (POD_REF_EVENTS.has(event.type)) ref = (event.data as { ref: ObjectRef }).ref;
          if (ref?.kind === 'PodDisruptionBudget' && event.type !== 'ObjectRemoved') keys.add(`${ref.namespace}/${ref.name}`);
          else if (ref?.kind === 'Pod') {
            const namespace = ref.namespace ?? '';
            const pod = getObject(state, 'Pod', ref.namespace, ref.name);
            const before = podLabels.get(namespace, ref.name);
            const known = before !== undefined || podLabels.has(namespace, ref.name);
            // The same labels object as last seen (the reducer keeps it through status changes): it is
            // recorded already, and the budgets it matches are added just below.
            const unchanged = known && pod !== undefined && before === pod.metadata.labels;
            if (known && !unchanged) budgetsIn(state, keys, ref.namespace!, before ?? {});
            if (pod) {
              if (!unchanged) podLabels.set(namespace, ref.name, pod.metadata.labels);
              budgetsIn(state, keys, ref.namespace!, pod.metadata.labels ?? {});
            } else if (known) podLabels.delete(namespace, ref.name);
          } else if (ref && SCALED_KINDS.has(ref.kind) && event.type === 'ObjectReplaced') budgetsIn(state, keys, ref.namespace!);
          if (keys.size === 0) return NO_OUTPUTS;
          const meta = commandMetaFor(DISRUPTION_CONTROLLER, event);
          return [...keys].sort().flatMap((key) => {
            const slash = key.indexOf('/');
            return syncBudget(state, key.slice(0, slash), key.slice(slash + 1), meta);
          });
        }),
      );
    },
  };
}
