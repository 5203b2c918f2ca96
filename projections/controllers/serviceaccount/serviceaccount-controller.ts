import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { type Command, commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput } from '../../engine/controller.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { getObject, listObjects } from '../../state/queries.ts';

export const SERVICEACCOUNT_CONTROLLER = 'serviceaccount-controller';
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/**
 * Kubernetes' ServiceAccounts controller: every active namespace has a `default` ServiceAccount,
 * created when the namespace is and again whenever it is deleted (pods name it by default, and
 * `kubectl create token default` asks for its tokens).
 */
export function createServiceAccountController(): Controller {
  return {
    name: SERVICEACCOUNT_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectRemoved'], kinds: ['Namespace', 'ServiceAccount'] },
    reconcile: (input$) => {
      let started = false;
      return input$.pipe(
        reconcileEach(({ event, state }) => {
          const out: ControllerOutput[] = [];
          const meta = commandMetaFor(SERVICEACCOUNT_CONTROLLER, event);
          const ensure = (namespace: string) => {
            const command = missingDefault(state, namespace);
            if (command) out.push({ ...meta, ...command });
          };
          if (!started) {
            started = true;
            // Resuming on an existing log: namespaces that lost theirs while the controller was down.
            if (event.type !== 'ClusterInitialized') for (const namespace of listObjects(state, 'Namespace')) ensure(namespace.metadata.name ?? '');
          }
          if (event.type === 'ObjectCreated' && event.data.object.kind === 'Namespace') ensure(event.data.object.metadata.name ?? '');
          else if (event.type === 'ObjectRemoved' && event.data.ref.kind === 'ServiceAccount' && event.data.ref.name === DEFAULT_SERVICE_ACCOUNT) ensure(event.data.ref.namespace ?? '');
          return out;
        }),
      );
    },
  };
}

/** The create of a namespace's `default` ServiceAccount, when the namespace is active and has none. */
function missingDefault(state: ClusterState, namespace: string): Omit<Command & { type: 'create' }, 'actor'> | undefined {
  const owner = getObject(state, 'Namespace', undefined, namespace);
  if (!owner || owner.metadata.deletionTimestamp || owner.status?.phase === 'Terminating') return undefined;
  if (getObject(state, 'ServiceAccount', namespace, DEFAULT_SERVICE_ACCOUNT)) return undefined;
  const object: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
  return { type: 'create', object };
}
