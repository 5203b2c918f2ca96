import type { StoredEvent } from '../../../core/events.ts';
import { CUSTOM_RESOURCE_CLEANUP_FINALIZER, crdSpecOf } from '../../../core/model/kinds/apiextensions.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command } from '../../commands.ts';
import type { Controller, ControllerOutput } from '../../engine/controller.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { getObject, listObjects } from '../../state/queries.ts';

export const CRD_FINALIZER_CONTROLLER = 'crd-finalizer';

/**
 * Kubernetes' CRD finalizer: a CustomResourceDefinition being deleted has every object of its kind
 * deleted, says so in a `Terminating` condition, and once none is left its
 * `customresourcecleanup.apiextensions.k8s.io` finalizer comes off and it goes.
 */
export function createCrdFinalizerController(): Controller {
  return {
    name: CRD_FINALIZER_CONTROLLER,
    interest: { events: ['ObjectDeletionRequested', 'ObjectRemoved'] },
    reconcile: (input$) => {
      /** Kind being cleaned up → the name of its terminating definition. */
      const terminating = new Map<string, string>();
      let started = false;
      return input$.pipe(
        reconcileEach(({ event, state }) => {
          const out: ControllerOutput[] = [];
          const sync = (name: string) => finalize(state, event, name, terminating, out);
          if (!started) {
            started = true;
            // Resuming on an existing log: definitions already being deleted are taken up again.
            if (event.type !== 'ClusterInitialized') for (const crd of listObjects(state, 'CustomResourceDefinition')) if (crd.metadata.deletionTimestamp) sync(crd.metadata.name ?? '');
          }
          if (event.type === 'ObjectDeletionRequested' && event.data.ref.kind === 'CustomResourceDefinition') sync(event.data.ref.name);
          else if (event.type === 'ObjectRemoved') {
            const definition = terminating.get(event.data.ref.kind);
            if (definition !== undefined && listObjects(state, event.data.ref.kind).length === 0) sync(definition);
          }
          return out;
        }),
      );
    },
  };
}

function finalize(state: ClusterState, event: StoredEvent, name: string, terminating: Map<string, string>, out: ControllerOutput[]): void {
  const crd = getObject(state, 'CustomResourceDefinition', undefined, name);
  if (!crd?.metadata.deletionTimestamp || !(crd.metadata.finalizers ?? []).includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER)) {
    for (const [kind, definition] of terminating) if (definition === name) terminating.delete(kind);
    return;
  }
  const kind = crdSpecOf(crd).names.kind;
  const meta = { actor: CRD_FINALIZER_CONTROLLER, causationId: event.position, ...(event.metadata.correlationId ? { correlationId: event.metadata.correlationId } : {}) };
  const instances = listObjects(state, kind);
  if (instances.length > 0) {
    terminating.set(kind, name);
    for (const instance of instances) {
      if (instance.metadata.deletionTimestamp) continue;
      out.push({
        type: 'delete',
        ...meta,
        ref: instance.metadata.namespace ? { kind, namespace: instance.metadata.namespace, name: instance.metadata.name ?? '' } : { kind, name: instance.metadata.name ?? '' },
        propagationPolicy: 'Background',
        preconditions: { uid: instance.metadata.uid ?? '' },
      } satisfies Command);
    }
    const status = withTerminatingCondition(crd, toRfc3339(Math.max(state.time, event.metadata.time)));
    if (status) out.push({ type: 'update', ...meta, subresource: 'status', object: { ...crd, status } } satisfies Command);
    return;
  }
  terminating.delete(kind);
  const finalizers = (crd.metadata.finalizers ?? []).filter((f) => f !== CUSTOM_RESOURCE_CLEANUP_FINALIZER);
  out.push({ type: 'update', ...meta, object: { ...crd, metadata: { ...crd.metadata, resourceVersion: undefined, finalizers } } } satisfies Command);
}

/** The status with `Terminating=True` (InstanceDeletionInProgress), or undefined when it already says so. */
function withTerminatingCondition(crd: KubeObject, now: string): Record<string, unknown> | undefined {
  const conditions = (crd.status?.conditions as Array<{ type: string; status: string }> | undefined) ?? [];
  if (conditions.some((c) => c.type === 'Terminating' && c.status === 'True')) return undefined;
  const terminating = { type: 'Terminating', status: 'True', lastTransitionTime: now, reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' };
  return { ...crd.status, conditions: [...conditions.filter((c) => c.type !== 'Terminating'), terminating] };
}
