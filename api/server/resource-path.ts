import { resourceTypeForPlural } from '../../core/model/registry.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';

/** A request path under /api or /apis, resolved against the registry. */
export type ResourcePath =
  | { target: 'groupVersion'; group: string; version: string }
  | {
      target: 'resource';
      group: string;
      version: string;
      type: ResourceType;
      /** Set for namespaced paths (`/namespaces/<ns>/<plural>`); absent for cluster-wide ones. */
      namespace?: string;
      name?: string;
      subresource?: string;
    }
  | { target: 'unknown'; group: string; version: string; plural?: string };

/**
 * Parses `/api/v1/...` or `/apis/<group>/<version>/...` into the resource it names. Kubernetes'
 * shapes: `<plural>`, `<plural>/<name>[/<sub>]`, `namespaces/<ns>/<plural>[/<name>[/<sub>]]`, and
 * `namespaces/<name>[/<sub>]` for the namespaces themselves.
 */
export function parseResourcePath(url: string, customTypeFor?: CustomTypeLookup): ResourcePath | undefined {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  const cached = parsedPaths.get(path);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parsePath(path, customTypeFor);
  // Every request parses its path: clients write to the same few collections over and over. Paths
  // that a CustomResourceDefinition serves (or might come to serve) are parsed afresh each time.
  if (parsed?.target === 'unknown' || (parsed?.target === 'resource' && parsed.type.definedBy)) return parsed;
  if (parsedPaths.size >= PARSED_PATHS_KEPT) parsedPaths.clear();
  parsedPaths.set(path, parsed ? Object.freeze(parsed) : null);
  return parsed;
}

/** The kind a CustomResourceDefinition serves at a group and plural, if any. */
export type CustomTypeLookup = (group: string, plural: string) => ResourceType | undefined;

const PARSED_PATHS_KEPT = 1024;
const parsedPaths = new Map<string, ResourcePath | null>();

function parsePath(path: string, customTypeFor: CustomTypeLookup | undefined): ResourcePath | undefined {
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) {
    group = '';
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else return undefined;
  if (rest.length === 0) return { target: 'groupVersion', group, version };

  const lookup = (plural: string) => {
    const type = resourceTypeForPlural(group, plural) ?? customTypeFor?.(group, plural);
    return type && (type.version === version || (type.alsoServedAs ?? []).includes(version)) ? type : undefined;
  };

  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const namespacedType = lookup(rest[2]!);
    if (namespacedType && namespacedType.namespaced) {
      return { target: 'resource', group, version, type: namespacedType, namespace: rest[1]!, ...nameAndSub(rest.slice(3)) };
    }
    if (rest.length === 3 && group === '') {
      const namespaces = lookup('namespaces');
      if (namespaces) return { target: 'resource', group, version, type: namespaces, name: rest[1]!, subresource: rest[2]! };
    }
    return { target: 'unknown', group, version, plural: rest[2]! };
  }
  const type = lookup(rest[0]!);
  if (!type || rest.length > 3) return { target: 'unknown', group, version, plural: rest[0]! };
  return { target: 'resource', group, version, type, ...nameAndSub(rest.slice(1)) };
}

function nameAndSub(rest: string[]): { name?: string; subresource?: string } {
  const out: { name?: string; subresource?: string } = {};
  if (rest[0] !== undefined) out.name = rest[0];
  if (rest[1] !== undefined) out.subresource = rest[1];
  return out;
}
