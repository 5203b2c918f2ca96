import { apiErrors } from '../../core/errors.ts';
import { fieldErrors } from '../../core/model/field-errors.ts';
import type { KubeObject } from '../../core/model/object.ts';
import { allResourceTypes } from '../../core/model/registry.ts';
import { CUSTOM_RESOURCE_CLEANUP_FINALIZER, type CustomResourceDefinitionSpec, crdSpecOf, storageVersionOf } from '../../core/model/kinds/apiextensions.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import type { ClusterState } from '../cluster-state.ts';
import { customResourceTypes } from '../state/served-types.ts';

/**
 * What Kubernetes' apiextensions controllers do to a new or changed CustomResourceDefinition,
 * done at admission: the cleanup finalizer, the names accepted, the definition Established, its
 * storage version recorded. Names another kind already has are refused (422) rather than left
 * NamesAccepted=False: Orrery keys objects by kind, so two kinds of one name cannot both be held.
 */
export function admitCustomResourceDefinition(state: ClusterState, crd: KubeObject, now: number, old?: KubeObject): void {
  const spec = crdSpecOf(crd);
  refuseTakenNames(state, crd, spec);
  if (!old) {
    const finalizers = crd.metadata.finalizers ?? [];
    if (!finalizers.includes(CUSTOM_RESOURCE_CLEANUP_FINALIZER)) crd.metadata.finalizers = [...finalizers, CUSTOM_RESOURCE_CLEANUP_FINALIZER];
  }
  const time = toRfc3339(now);
  const before = old?.status as { conditions?: Array<{ type: string; lastTransitionTime: string }>; storedVersions?: string[] } | undefined;
  const since = (type: string) => before?.conditions?.find((c) => c.type === type)?.lastTransitionTime ?? time;
  const storedVersions = [...(before?.storedVersions ?? [])];
  const storage = storageVersionOf(spec)!.name;
  if (!storedVersions.includes(storage)) storedVersions.push(storage);
  const { plural, singular, kind, listKind, shortNames, categories } = spec.names;
  crd.status = {
    acceptedNames: { plural, singular, kind, listKind, ...(shortNames?.length ? { shortNames } : {}), ...(categories?.length ? { categories } : {}) },
    conditions: [
      { type: 'NamesAccepted', status: 'True', lastTransitionTime: since('NamesAccepted'), reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', lastTransitionTime: since('Established'), reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    storedVersions,
  };
}

function refuseTakenNames(state: ClusterState, crd: KubeObject, spec: CustomResourceDefinitionSpec): void {
  const name = crd.metadata.name ?? '';
  const others = [...allResourceTypes(), ...customResourceTypes(state).filter((type) => type.definedBy !== name)];
  const kindOwner = others.find((type) => type.kind === spec.names.kind);
  if (kindOwner) {
    const servedBy = kindOwner.group ? `${kindOwner.group}/${kindOwner.version}` : kindOwner.version;
    throw apiErrors.invalid('CustomResourceDefinition', name, [fieldErrors.invalid('spec.names.kind', spec.names.kind, `is already served by ${servedBy}: Orrery holds one kind per name`)], 'apiextensions.k8s.io');
  }
  const sameGroup = others.filter((type) => type.group === spec.group);
  const taken = [spec.names.plural, spec.names.singular, ...(spec.names.shortNames ?? [])].find((candidate) =>
    sameGroup.some((type) => candidate !== undefined && (type.plural === candidate || type.singular === candidate || type.shortNames.includes(candidate))),
  );
  if (taken) {
    throw apiErrors.invalid('CustomResourceDefinition', name, [fieldErrors.invalid('spec.names', spec.names, `"${taken}" is already in use`)], 'apiextensions.k8s.io');
  }
}
