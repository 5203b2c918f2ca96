import { defineInvariant } from './invariant.ts';

export const ingressAddressesUnique = defineInvariant({
  name: 'ingress-addresses-unique',
  description: 'No two Ingresses are ever given the same load-balancer address.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'ObjectStatusReplaced' && event.type !== 'ObjectReplaced') return undefined;
        const owners = new Map<string, string>();
        for (const ingress of state.objects.get('Ingress')?.values() ?? []) {
          for (const { ip } of (ingress.status?.loadBalancer?.ingress ?? []) as Array<{ ip?: string }>) {
            if (!ip) continue;
            const name = `${ingress.metadata.namespace}/${ingress.metadata.name}`;
            const other = owners.get(ip);
            if (other) return `ingresses ${other} and ${name} share the address ${ip}`;
            owners.set(ip, name);
          }
        }
        return undefined;
      },
    };
  },
});
