import { hashSeed } from '../../../core/prng.ts';

/**
 * host-local IPAM over a node's pod CIDR (`10.244.<n>.0/24`): addresses .2–.254 handed out
 * round-robin after the last one given (as the CNI plugin does), .1 being the bridge.
 */
export interface PodIpAllocator {
  allocate(): string;
  reserve(ip: string): void;
  release(ip: string): void;
}

export function createPodIpAllocator(podCIDR: string | undefined, nodeName: string): PodIpAllocator {
  const match = podCIDR ? /^(\d+\.\d+\.\d+)\.\d+\/\d+$/.exec(podCIDR) : null;
  const prefix = match ? match[1]! : `10.244.${hashSeed('pod-cidr', nodeName) % 256}`;
  const used = new Set<number>();
  let last = 1;
  const host = (ip: string) => (ip.startsWith(`${prefix}.`) ? Number(ip.slice(prefix.length + 1)) : undefined);
  return {
    allocate() {
      for (let i = 0; i < 253; i++) {
        const candidate = ((last - 2 + 1 + i) % 253) + 2;
        if (!used.has(candidate)) {
          used.add(candidate);
          last = candidate;
          return `${prefix}.${candidate}`;
        }
      }
      // Exhausted (more than 253 live pods): share the next address rather than stall the simulation.
      last = ((last - 2 + 1) % 253) + 2;
      return `${prefix}.${last}`;
    },
    reserve(ip) {
      const n = host(ip);
      if (n !== undefined) used.add(n);
    },
    release(ip) {
      const n = host(ip);
      if (n !== undefined) used.delete(n);
    },
  };
}
