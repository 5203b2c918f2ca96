import { allResourceTypes } from '../../../core/model/registry.ts';
import type { ResourceType } from '../../../core/model/resource-type.ts';

export interface ServedGroup {
  /** '' for the core group. */
  name: string;
  /** Versions served, preferred first. */
  versions: string[];
  preferredVersion: string;
}

/** The groups and versions served, in registry order (core first; custom resources' groups last). */
export function servedGroups(types: readonly ResourceType[] = allResourceTypes()): ServedGroup[] {
  const groups = new Map<string, ServedGroup>();
  for (const type of types) {
    let group = groups.get(type.group);
    if (!group) groups.set(type.group, (group = { name: type.group, versions: [], preferredVersion: type.version }));
    for (const version of [type.version, ...(type.alsoServedAs ?? [])]) if (!group.versions.includes(version)) group.versions.push(version);
  }
  const ordered = [...groups.values()];
  ordered.sort((a, b) => (a.name === '' ? -1 : b.name === '' ? 1 : 0));
  return ordered;
}

export function groupVersionString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Resource types served at one group/version. */
export function typesServedAt(group: string, version: string, types: readonly ResourceType[] = allResourceTypes()): ResourceType[] {
  return types.filter((type) => type.group === group && (type.version === version || (type.alsoServedAs ?? []).includes(version)));
}

export function isServed(group: string, version: string, types?: readonly ResourceType[]): boolean {
  return typesServedAt(group, version, types).length > 0;
}

/** A subresource's discovery facts: the kind it takes and returns, and its verbs. */
export interface SubresourceInfo {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export function subresourceInfo(type: ResourceType, subresource: string, version: string): SubresourceInfo {
  switch (subresource) {
    case 'scale':
      return { name: subresource, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'eviction':
      return { name: subresource, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'binding':
      return { name: subresource, group: '', version: 'v1', kind: 'Binding', verbs: ['create'] };
    case 'log':
      return { name: subresource, group: '', version: 'v1', kind: 'Pod', verbs: ['get'] };
    case 'exec':
      return { name: subresource, group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach':
      return { name: subresource, group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { name: subresource, group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'token':
      return { name: subresource, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
    case 'status':
    default:
      return { name: subresource, group: type.group, version, kind: type.kind, verbs: ['get', 'patch', 'update'] };
  }
}
