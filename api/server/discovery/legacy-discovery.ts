import type { ResourceType } from '../../../core/model/resource-type.ts';
import { groupVersionString, servedGroups, subresourceInfo, typesServedAt } from './group-versions.ts';

/** GET /api: the legacy core group's versions. */
export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** GET /apis: every named group. */
export function apiGroupList(types?: readonly ResourceType[]) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: servedGroups(types).filter((g) => g.name !== '').map(apiGroup) };
}

export function apiGroup(group: { name: string; versions: string[]; preferredVersion: string }) {
  const versions = group.versions.map((version) => ({ groupVersion: groupVersionString(group.name, version), version }));
  return {
    name: group.name,
    versions,
    preferredVersion: { groupVersion: groupVersionString(group.name, group.preferredVersion), version: group.preferredVersion },
  };
}

/** GET /api/v1 and /apis/<group>/<version>: the resources (and subresources) served there. */
export function apiResourceList(group: string, version: string, types?: readonly ResourceType[]) {
  const resources: object[] = [];
  for (const type of typesServedAt(group, version, types)) {
    resources.push(apiResource(type));
    for (const subresource of type.subresources) {
      const info = subresourceInfo(type, subresource, version);
      const entry: Record<string, unknown> = { name: `${type.plural}/${subresource}`, singularName: '', namespaced: type.namespaced, kind: info.kind, verbs: info.verbs };
      if (info.group !== group || info.version !== version) {
        entry.group = info.group;
        entry.version = info.version;
      }
      resources.push(entry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionString(group, version), resources };
}

function apiResource(type: ResourceType) {
  const entry: Record<string, unknown> = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.verbs,
  };
  if (type.shortNames.length) entry.shortNames = type.shortNames;
  if (type.categories?.length) entry.categories = type.categories;
  return entry;
}
