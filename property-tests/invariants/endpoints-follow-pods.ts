import type { KubeObject } from '../../core/model/object.ts';
import { selectedPods, hasSelector, isPodReady } from '../../projections/controllers/service/service-pods.ts';
import { defineInvariant } from './invariant.ts';

const readyIps = (endpoints: KubeObject | undefined): string[] =>
  ((endpoints?.subsets ?? []) as { addresses?: { ip: string }[] }[]).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();

/**
 * Once the run is quiet, every Service with a selector has Endpoints whose ready addresses are
 * exactly the IPs of the ready, running pods it selects.
 */
export const endpointsFollowPods = defineInvariant({
  name: 'endpoints-follow-pods',
  description: 'Once quiet, each selecting Service\'s Endpoints list exactly the IPs of its ready pods.',
  category: 'liveness',
  start() {
    return {
      atEnd({ state }) {
        for (const service of state.objects.get('Service')?.values() ?? []) {
          if (!hasSelector(service) || service.metadata.deletionTimestamp || service.spec?.publishNotReadyAddresses) continue;
          const expected = selectedPods(state, service)
            .filter((p) => p.status?.podIP && isPodReady(p) && !p.metadata.deletionTimestamp && p.status?.phase === 'Running')
            .map((p) => p.status.podIP as string)
            .sort();
          const endpoints = state.objects.get('Endpoints')?.get(`${service.metadata.namespace}/${service.metadata.name}`);
          const actual = readyIps(endpoints);
          if (expected.join(',') !== actual.join(',')) {
            return `Service ${service.metadata.namespace}/${service.metadata.name}: ready pods at [${expected.join(', ')}] but Endpoints list [${actual.join(', ')}]`;
          }
        }
        return undefined;
      },
    };
  },
});
