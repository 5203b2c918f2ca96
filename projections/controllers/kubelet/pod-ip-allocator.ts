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
  return new HostLocalAllocator(match ? match[1]! : `10.244.${hashSeed('pod-cidr', nodeName) % 256}`);
}

// A class, not closures per node: under tsx (keepNames) each closure made costs a defineProperty,
// and a cluster makes one allocator per node.
class HostLocalAllocator implements PodIpAllocator {
  private readonly used = new Set<number>();
  private last = 1;
  constructor(private readonly prefix: string) {}

  allocate(): string {
    for (let i = 0; i < 253; i++) {
      const candidate = ((this.last - 2 + 1 + i) % 253) + 2;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        this.last = candidate;
        return `${this.prefix}.${candidate}`;
      }
    }
    // Exhausted (more than 253 live pods): share the next address rather than stall the simulation.
    this.last = ((this.last - 2 + 1) % 253) + 2;
    return `${this.prefix}.${this.last}`;
  }

  reserve(ip: string): void {
    const n = this.host(ip);
    if (n !== undefined) this.used.add(n);
  }

  release(ip: string): void {
    const n = this.host(ip);
    if (n !== undefined) this.used.delete(n);
  }

  private host(ip: string): number | undefined {
    return ip.startsWith(`${this.prefix}.`) ? Number(ip.slice(this.prefix.length + 1)) : undefined;
  }
}
