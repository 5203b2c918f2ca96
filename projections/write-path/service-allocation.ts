import { apiErrors } from '../../core/errors.ts';
import type { StatusCause } from '../../core/errors.ts';
import { fieldErrors } from '../../core/model/field-errors.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { createPrng, hashSeed } from '../../core/prng.ts';
import type { ClusterState } from '../cluster-state.ts';
import { listObjects } from '../state/queries.ts';

/**
 * Service admission, as the apiserver's service REST storage does it before the object is stored
 * (pkg/registry/core/service/storage/alloc.go): a ClusterIP from the service CIDR and NodePorts
 * from the node-port range, a requested value honoured when free and refused (422) when taken or
 * out of range. Allocations are read from the stored Services, so they are released with them and
 * a rebuilt state allocates exactly as the live one did.
 */

export const SERVICE_CIDR = '10.96.0.0/12';
export const NODE_PORT_RANGE = { first: 30000, last: 32767 };
const NODE_PORT_RANGE_TEXT = `${NODE_PORT_RANGE.first}-${NODE_PORT_RANGE.last}`;

const [cidrBase, cidrBits] = SERVICE_CIDR.split('/') as [string, string];
const CIDR_BASE = ipToNumber(cidrBase);
const CIDR_SIZE = 2 ** (32 - Number(cidrBits));

export function ipToNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return NaN;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * The apiserver's bitmap allocators split a range in two: a static band at the bottom for
 * requested values and the rest for dynamic allocation, which draws from the upper band first.
 */
function staticBandSize(size: number, min: number, max: number, divisor: number): number {
  return Math.min(Math.max(min, Math.floor(size / divisor)), max);
}

const needsClusterIp = (service: KubeObject) => (service.spec?.type ?? 'ClusterIP') !== 'ExternalName' && service.spec?.clusterIP !== 'None';

export function needsNodePorts(service: KubeObject): boolean {
  const type = service.spec?.type ?? 'ClusterIP';
  return type === 'NodePort' || (type === 'LoadBalancer' && service.spec?.allocateLoadBalancerNodePorts !== false);
}

const needsHealthCheckNodePort = (service: KubeObject) => service.spec?.type === 'LoadBalancer' && service.spec?.externalTrafficPolicy === 'Local';

function allocatedBy(state: ClusterState, exceptUid: string | undefined): { ips: Set<string>; ports: Set<number> } {
  const ips = new Set<string>();
  const ports = new Set<number>();
  for (const service of listObjects(state, 'Service')) {
    if (exceptUid && service.metadata.uid === exceptUid) continue;
    for (const ip of service.spec?.clusterIPs ?? (service.spec?.clusterIP ? [service.spec.clusterIP] : [])) if (ip !== 'None') ips.add(ip);
    for (const port of service.spec?.ports ?? []) if (port.nodePort) ports.add(port.nodePort);
    if (service.spec?.healthCheckNodePort) ports.add(service.spec.healthCheckNodePort);
  }
  return { ips, ports };
}

/**
 * What the service strategy does on update before validation: values the user left out keep their
 * allocations (`patchAllocatedValues`), and NodePorts go when the type no longer uses them.
 */
export function prepareServiceUpdate(next: KubeObject, existing: KubeObject): void {
  const spec = (next.spec ??= {});
  const old = existing.spec ?? {};
  if (needsClusterIp(existing) && needsClusterIp(next) && !spec.clusterIP && old.clusterIP) {
    spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && old.clusterIPs) spec.clusterIPs = [...old.clusterIPs];
  }
  if (needsNodePorts(existing) && needsNodePorts(next)) {
    const newPorts: any[] = spec.ports ?? [];
    const used = new Set(newPorts.map((p) => p.nodePort).filter((p) => p));
    const byName = new Map<string, number>();
    for (const port of old.ports ?? []) byName.set(port.name ?? '', port.nodePort);
    for (const port of newPorts) {
      if (port.nodePort) continue;
      const previous = byName.get(port.name ?? '');
      if (previous && !used.has(previous)) port.nodePort = previous;
    }
  } else if (needsNodePorts(existing) && !needsNodePorts(next)) {
    for (const port of spec.ports ?? []) if (port.nodePort && (old.ports ?? []).some((p: any) => p.nodePort === port.nodePort)) delete port.nodePort;
  }
  if (needsHealthCheckNodePort(existing) && needsHealthCheckNodePort(next) && !spec.healthCheckNodePort) spec.healthCheckNodePort = old.healthCheckNodePort;
  if (!needsHealthCheckNodePort(next) && spec.healthCheckNodePort === old.healthCheckNodePort) delete spec.healthCheckNodePort;
}

/**
 * Allocates what a validated Service still lacks, in place. `position` is the position the write
 * will get: it seeds the draws. Throws the apiserver's 422 when a requested value is taken or
 * outside its range.
 */
export function allocateServiceAddresses(state: ClusterState, service: KubeObject, position: number, existing?: KubeObject): void {
  const spec = (service.spec ??= {});
  const { ips, ports } = allocatedBy(state, existing?.metadata.uid);
  const prng = createPrng(hashSeed(state.seed, 'service-allocation', position));
  const causes: StatusCause[] = [];

  if (needsClusterIp(service)) {
    const requested: string | undefined = spec.clusterIPs?.[0] || spec.clusterIP || undefined;
    if (requested && requested !== existing?.spec?.clusterIP) {
      const offset = ipToNumber(requested) - CIDR_BASE;
      if (!(offset > 0 && offset < CIDR_SIZE - 1)) {
        causes.push(fieldErrors.invalid('spec.clusterIPs', spec.clusterIPs ?? [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`));
      } else if (ips.has(requested)) {
        causes.push(fieldErrors.invalid('spec.clusterIPs', spec.clusterIPs ?? [requested], `failed to allocate IP ${requested}: provided IP is already allocated`));
      }
    }
    if (!requested) {
      const ip = drawFree(prng, CIDR_SIZE - 2, staticBandSize(CIDR_SIZE, 16, 256, 16), (i) => !ips.has(numberToIp(CIDR_BASE + 1 + i)));
      if (ip === undefined) throw apiErrors.internal('failed to allocate a serviceIP: range is full');
      spec.clusterIP = numberToIp(CIDR_BASE + 1 + ip);
    } else spec.clusterIP = requested;
    spec.clusterIPs = [spec.clusterIP];
  }

  if (needsNodePorts(service)) {
    const size = NODE_PORT_RANGE.last - NODE_PORT_RANGE.first + 1;
    const band = staticBandSize(size, 16, 128, 32);
    const oldPorts = new Set<number>((existing?.spec?.ports ?? []).map((p: any) => p.nodePort).filter((p: unknown) => p));
    const mine = new Map<number, string>();
    const draw = () => drawFree(prng, size, band, (i) => !ports.has(NODE_PORT_RANGE.first + i) && !mine.has(NODE_PORT_RANGE.first + i));
    for (const [i, port] of ((spec.ports ?? []) as any[]).entries()) {
      const path = `spec.ports[${i}].nodePort`;
      if (port.nodePort) {
        if (oldPorts.has(port.nodePort)) {
          mine.set(port.nodePort, port.protocol);
          continue;
        }
        if (port.nodePort < NODE_PORT_RANGE.first || port.nodePort > NODE_PORT_RANGE.last) {
          causes.push(fieldErrors.invalid(path, port.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE_TEXT}`));
        } else if (ports.has(port.nodePort) || mine.get(port.nodePort) === port.protocol) {
          causes.push(fieldErrors.invalid(path, port.nodePort, 'provided port is already allocated'));
        }
        mine.set(port.nodePort, port.protocol);
        continue;
      }
      // Ports of one Service sharing a number across protocols share the NodePort, as Kubernetes does.
      const sibling = (spec.ports as any[]).find((p) => p !== port && p.port === port.port && p.nodePort && p.protocol !== port.protocol);
      const offset = sibling ? sibling.nodePort - NODE_PORT_RANGE.first : draw();
      if (offset === undefined) throw apiErrors.internal('failed to allocate a nodePort: range is full');
      port.nodePort = NODE_PORT_RANGE.first + offset;
      mine.set(port.nodePort, port.protocol);
    }
    if (needsHealthCheckNodePort(service) && !spec.healthCheckNodePort) {
      const offset = draw();
      if (offset === undefined) throw apiErrors.internal('failed to allocate a nodePort: range is full');
      spec.healthCheckNodePort = NODE_PORT_RANGE.first + offset;
    }
  }
  if (causes.length > 0) throw apiErrors.invalid('Service', service.metadata.name ?? '', causes);
}

/**
 * A free offset in [0, size): random draws in the dynamic band [band, size), then a scan of it,
 * then a scan of the static band, as the bitmap allocators fall back.
 */
function drawFree(prng: ReturnType<typeof createPrng>, size: number, band: number, free: (offset: number) => boolean): number | undefined {
  for (let attempt = 0; attempt < 32; attempt++) {
    const offset = band + prng.int(size - band);
    if (free(offset)) return offset;
  }
  for (let offset = band; offset < size; offset++) if (free(offset)) return offset;
  for (let offset = 0; offset < band; offset++) if (free(offset)) return offset;
  return undefined;
}
