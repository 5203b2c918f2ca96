import { describe, expect, it } from 'vitest';
import { createPodIpAllocator } from './pod-ip-allocator.ts';

describe('pod IP allocator', () => {
  it('hands out addresses of the node CIDR round-robin from .2, skipping those in use', () => {
    const ipam = createPodIpAllocator('10.244.7.0/24', 'node-8');
    expect([ipam.allocate(), ipam.allocate(), ipam.allocate()]).toEqual(['10.244.7.2', '10.244.7.3', '10.244.7.4']);
    ipam.release('10.244.7.3');
    expect(ipam.allocate()).toBe('10.244.7.5');
    ipam.reserve('10.244.7.6');
    expect(ipam.allocate()).toBe('10.244.7.7');
  });

  it('wraps around to freed addresses and never gives one out twice while it is held', () => {
    const ipam = createPodIpAllocator('10.244.1.0/24', 'n');
    const held = new Set<string>();
    for (let i = 0; i < 253; i++) held.add(ipam.allocate());
    expect(held.size).toBe(253);
    ipam.release('10.244.1.100');
    expect(ipam.allocate()).toBe('10.244.1.100');
  });

  it('derives a 10.244.x prefix from the node name when the node has no pod CIDR', () => {
    expect(createPodIpAllocator(undefined, 'node-a').allocate()).toMatch(/^10\.244\.\d{1,3}\.2$/);
  });
});
