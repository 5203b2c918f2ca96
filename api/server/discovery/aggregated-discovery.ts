import type { ResourceType } from '../../../core/model/resource-type.ts';
import { servedGroups, subresourceInfo, typesServedAt } from './group-versions.ts';

/** The media type of aggregated discovery (apidiscovery.k8s.io/v2), which kubectl asks for first. */
export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Whether an Accept header asks for aggregated discovery v2 (clients fall back to the legacy documents otherwise). */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim().toLowerCase());
    return params[0] === 'application/json' && params.includes('g=apidiscovery.k8s.io') && params.includes('v=v2') && params.includes('as=apigroupdiscoverylist');
  });
}

/** `/api` (core only) or `/apis` (named groups) as one APIGroupDiscoveryList. */
export function apiGroupDiscoveryList(which: 'core' | 'named', types?: readonly ResourceType[]) {
  const groups = servedGroups(types).filter((g) => (which === 'core' ? g.name === '' : g.name !== ''));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group.name },
      versions: group.versions.map((version) => ({
        version,
        resources: typesServedAt(group.name, version, types).map((type) => resourceDiscovery(type, version)),
        freshness: 'Current',
      })),
    })),
  };
}

function resourceDiscovery(type: ResourceType, version: string) {
  const entry: Record<string, unknown> = {
    resource: type.plural,
    responseKind: { group: type.group, version, kind: type.kind },
    scope: type.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: type.singular,
    verbs: type.verbs,
  };
  if (type.shortNames.length) entry.shortNames = type.shortNames;
  if (type.categories?.length) entry.categories = type.categories;
  if (type.subresources.length) {
    entry.subresources = type.subresources.map((name) => {
      const info = subresourceInfo(type, name, version);
      return { subresource: name, responseKind: { group: info.group, version: info.version, kind: info.kind }, verbs: info.verbs };
    });
  }
  return entry;
}
