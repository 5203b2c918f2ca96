import type { KubeObject } from '../../core/model/object.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';
import { allResourceTypes, resourceTypeForKind } from '../../core/model/registry.ts';
import { customResourceType } from '../../core/model/custom-resources/custom-resource-type.ts';
import type { ClusterState } from '../cluster-state.ts';
import { listObjects } from './queries.ts';

/**
 * What a cluster serves: the built-in registry plus a kind per CustomResourceDefinition in its
 * state. The built-ins are looked up first; custom kinds only when no built-in answers.
 */

interface Memo {
  definitions: KubeObject[];
  types: ResourceType[];
}

const memos = new WeakMap<ClusterState, Memo>();

/** The kinds the state's CustomResourceDefinitions add, in definition-name order. */
export function customResourceTypes(state: ClusterState): readonly ResourceType[] {
  const held = state.objects.get('CustomResourceDefinition');
  if (!held || held.size === 0) return [];
  const memo = memos.get(state);
  if (memo && memo.definitions.length === held.size && memo.definitions.every((crd) => held.get(crd.metadata.name ?? '') === crd)) return memo.types;
  const definitions = listObjects(state, 'CustomResourceDefinition');
  const types = definitions.flatMap((crd) => customResourceType(crd) ?? []);
  memos.set(state, { definitions, types });
  return types;
}

const served = new WeakMap<readonly ResourceType[], readonly ResourceType[]>();

/** Built-ins then custom kinds; the same array while the definitions stay the same (documents are cached by it). */
export function servedResourceTypes(state: ClusterState): readonly ResourceType[] {
  const custom = customResourceTypes(state);
  if (custom.length === 0) return allResourceTypes();
  let all = served.get(custom);
  if (!all) served.set(custom, (all = Object.freeze([...allResourceTypes(), ...custom])));
  return all;
}

export function resourceTypeOfKind(state: ClusterState, kind: string): ResourceType | undefined {
  return resourceTypeForKind(kind) ?? customResourceTypes(state).find((type) => type.kind === kind);
}

/** The kind a CustomResourceDefinition serves at a group and plural (the built-ins not consulted). */
export function customTypeForPlural(state: ClusterState, group: string, plural: string): ResourceType | undefined {
  return customResourceTypes(state).find((type) => type.group === group && type.plural === plural);
}
