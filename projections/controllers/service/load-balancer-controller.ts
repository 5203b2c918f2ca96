import { type Observable } from 'rxjs';
import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { type Command, type CommandMeta, commandMetaFor } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { ipToNumber, numberToIp } from '../../write-path/service-allocation.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';
import { clonePlain } from '../../write-path/clone-json.ts';

export const SERVICE_CONTROLLER = 'service-controller';
/** The simulated cloud's address pool for load balancers (what kind with MetalLB typically hands out). */
export const LOAD_BALANCER_POOL = '172.18.255.0/24';

const [poolBase, poolBits] = LOAD_BALANCER_POOL.split('/') as [string, string];
const POOL_FIRST = ipToNumber(poolBase) + 1;
const POOL_SIZE = 2 ** (32 - Number(poolBits)) - 2;

const isLoadBalancer = (service: KubeObject) => service.spec?.type === 'LoadBalancer';
const ingressIps = (service: KubeObject): string[] => (service.status?.loadBalancer?.ingress ?? []).map((i: { ip?: string }) => i.ip).filter(Boolean);

/**
 * The simulated cloud provider's service controller: a LoadBalancer Service gets an ingress IP
 * (its spec.loadBalancerIP when given and free, else the lowest free one in the pool) in
 * status.loadBalancer; a Service that stops being a LoadBalancer loses it.
 */
function syncService(state: ClusterState, namespace: string, name: string, meta: CommandMeta): Command[] {
  const service = getObject(state, 'Service', namespace, name);
  if (!service || service.metadata.deletionTimestamp) return [];
  const current = ingressIps(service);
  if (!isLoadBalancer(service)) {
    if (!service.status?.loadBalancer?.ingress) return [];
    return [statusUpdate(service, {}, meta)];
  }
  const requested: string | undefined = service.spec.loadBalancerIP || undefined;
  if (current.length > 0 && (!requested || current.includes(requested))) return [];
  const taken = new Set<string>();
  for (const other of listObjects(state, 'Service')) if (other.metadata.uid !== service.metadata.uid) for (const ip of ingressIps(other)) taken.add(ip);
  let ip: string | undefined;
  if (requested) ip = taken.has(requested) ? undefined : requested;
  else {
    for (let i = 0; i < POOL_SIZE && !ip; i++) if (!taken.has(numberToIp(POOL_FIRST + i))) ip = numberToIp(POOL_FIRST + i);
  }
  if (!ip) return service.status?.loadBalancer?.ingress ? [statusUpdate(service, {}, meta)] : [];
  return [statusUpdate(service, { ingress: [{ ip, ipMode: 'VIP' }] }, meta)];
}

function statusUpdate(service: KubeObject, loadBalancer: Record<string, unknown>, meta: CommandMeta): Command {
  const object = clonePlain(service);
  delete object.metadata.resourceVersion;
  object.status = { ...object.status, loadBalancer };
  return { ...meta, type: 'update', subresource: 'status', object };
}

export function createLoadBalancerController(): Controller {
  return {
    name: SERVICE_CONTROLLER,
    interest: { events: ['ObjectCreated', 'ObjectReplaced'], kinds: ['Service'] },
    reconcile(input$: Observable<ReconcileInput>): Observable<ControllerOutput> {
      let started = false;
      return input$.pipe(
        reconcileEach(({ event, state }) => {
          const refs: [string, string][] = [];
          if (!started) {
            started = true;
            for (const service of listObjects(state, 'Service')) refs.push([service.metadata.namespace!, service.metadata.name!]);
          }
          if ((event.type === 'ObjectCreated' || event.type === 'ObjectReplaced') && event.data.object.kind === 'Service') {
            refs.push([event.data.object.metadata.namespace!, event.data.object.metadata.name!]);
          }
          if (refs.length === 0) return [];
          const meta = commandMetaFor(SERVICE_CONTROLLER, event);
          return refs.flatMap(([namespace, name]) => syncService(state, namespace, name, meta));
        }),
      );
    },
  };
}
