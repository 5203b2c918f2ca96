import { type Observable } from 'rxjs';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { type Command, type CommandMeta, commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { listObjects } from '../../state/queries.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { formatQuotaAmount, namespaceUsage } from '../../write-path/quota-usage.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { NO_OUTPUTS } from '../per-event.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export const RESOURCE_QUOTA_CONTROLLER = 'resourcequota-controller';

const REF_EVENTS = new Set(['ObjectDeletionRequested', 'ObjectRemoved', 'PodPhaseChanged']);

/** status.hard = spec.hard, status.used = what the namespace uses of each (`syncResourceQuota`). */
function syncQuota(state: ClusterState, quota: KubeObject, meta: CommandMeta): Command[] {
  const hard: Record<string, string> = quota.spec?.hard ?? {};
  const usage = namespaceUsage(state, quota.metadata.namespace!, Object.keys(hard));
  const used: Record<string, string> = {};
  for (const resource of Object.keys(hard).sort()) used[resource] = formatQuotaAmount(resource, usage.get(resource) ?? 0);
  const status = { hard: { ...hard }, used };
  if (jsonEqual(quota.status ?? {}, status)) return [];
  const object = clonePlain(quota);
  delete object.metadata.resourceVersion;
  object.status = status;
  return [{ ...meta, type: 'update', subresource: 'status', object }];
}

/** The ResourceQuota controller: a namespace's quotas are recomputed when an object in it is created, changed or removed. */
export function createResourceQuotaController(): Controller {
  return {
    name: RESOURCE_QUOTA_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectReplaced', ...REF_EVENTS] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      let started = false;
      return input$.pipe(
        reconcileEach(({ event, state }) => {
          // No quota anywhere: whatever the event, none to recompute.
          if (!state.objects.get('ResourceQuota')?.size) {
            started = true;
            return NO_OUTPUTS;
          }
          const namespaces = new Set<string>();
          if (!started) {
            started = true;
            for (const quota of listObjects(state, 'ResourceQuota')) namespaces.add(quota.metadata.namespace!);
          }
          if (event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') {
            if (event.data.object.metadata.namespace) namespaces.add(event.data.object.metadata.namespace);
          } else if (REF_EVENTS.has(event.type)) {
            const ref = (event.data as { ref: { namespace?: string } }).ref;
            if (ref.namespace) namespaces.add(ref.namespace);
          }
          const commands: Command[] = [];
          const meta = commandMetaFor(RESOURCE_QUOTA_CONTROLLER, event);
          for (const namespace of [...namespaces].sort()) {
            for (const quota of listObjects(state, 'ResourceQuota', namespace)) if (!quota.metadata.deletionTimestamp) commands.push(...syncQuota(state, quota, meta));
          }
          return commands;
        }),
      );
    },
  };
}
