import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../cluster-state.ts';
import { listObjects } from '../state/queries.ts';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

export const isDefaultClass = (sc: KubeObject) => sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' || sc.metadata.annotations?.[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';

/**
 * The DefaultStorageClass admission plugin: a claim created without spec.storageClassName gets the
 * default StorageClass (the newest one, when several are marked default, as Kubernetes picks).
 */
export function admitDefaultStorageClass(state: ClusterState, claim: KubeObject): void {
  const spec = (claim.spec ??= {});
  if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
  const defaults = listObjects(state, 'StorageClass').filter(isDefaultClass);
  if (defaults.length === 0) return;
  defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!));
  spec.storageClassName = defaults[0]!.metadata.name;
}
