import { type Observable } from 'rxjs';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { type Command, type CommandMeta, commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { clonePlain } from '../../write-path/clone-json.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { ipToNumber, numberToIp } from '../../write-path/service-allocation.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';

export const INGRESS_CONTROLLER = 'ingress-controller';
/** The simulated ingress controller's addresses (beside the load-balancer pool 172.18.255.0/24). */
export const INGRESS_POOL = '172.18.254.0/24';

const POOL_FIRST = ipToNumber(INGRESS_POOL.split('/')[0]!) + 1;
const POOL_SIZE = 254;

const addressOf = (ingress: KubeObject): string | undefined => ingress.status?.loadBalancer?.ingress?.[0]?.ip;

/** An Ingress gets the lowest free address of the pool in status.loadBalancer, as a cloud ingress controller would publish one. */
function syncIngress(state: ClusterState, namespace: string, name: string, meta: CommandMeta): Command[] {
  const ingress = getObject(state, 'Ingress', namespace, name);
  if (!ingress || ingress.metadata.deletionTimestamp || addressOf(ingress)) return [];
  const taken = new Set(listObjects(state, 'Ingress').map(addressOf).filter(Boolean));
  let ip: string | undefined;
  for (let i = 0; i < POOL_SIZE && !ip; i++) if (!taken.has(numberToIp(POOL_FIRST + i))) ip = numberToIp(POOL_FIRST + i);
  if (!ip) return [];
  const object = clonePlain(ingress);
  delete object.metadata.resourceVersion;
  object.status = { ...object.status, loadBalancer: { ingress: [{ ip }] } };
  return [{ ...meta, type: 'update', subresource: 'status', object }];
}

/**
 * The simulated ingress controller. Rules pointing at missing Services are reported as Warning
 * Events by the Events projection (api/server/kube-events), which sees every Ingress and Service
 * change in the log.
 */
export function createIngressController(): Controller {
  return {
    name: INGRESS_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectReplaced'], kinds: ['Ingress'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      let started = false;
      return input$.pipe(
        reconcileEach(({ event, state }) => {
          const refs: Array<[string, string]> = [];
          if (!started) {
            started = true;
            for (const ingress of listObjects(state, 'Ingress')) refs.push([ingress.metadata.namespace!, ingress.metadata.name!]);
          }
          if ((event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') && event.data.object.kind === 'Ingress') {
            refs.push([event.data.object.metadata.namespace!, event.data.object.metadata.name!]);
          }
          if (refs.length === 0) return [];
          const meta = commandMetaFor(INGRESS_CONTROLLER, event);
          return refs.flatMap(([namespace, name]) => syncIngress(state, namespace, name, meta));
        }),
      );
    },
  };
}
