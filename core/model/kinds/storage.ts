import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import { deepEqual } from '../canonical-json.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { fieldErrors } from '../field-errors.ts';
import { validateResourceList } from './resource-list.ts';
import { canonicalQuantity, quantityProblem } from '../quantity.ts';

const ACCESS_MODE_SHORT: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const ACCESS_MODES = Object.keys(ACCESS_MODE_SHORT);

/** kubectl's GetAccessModesAsString: the short forms in a fixed order, no duplicates. */
export function accessModesString(modes: string[] | undefined): string {
  const present = new Set(modes ?? []);
  return ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'].filter((m) => present.has(m)).map((m) => ACCESS_MODE_SHORT[m]).join(',');
}

function storageClassOf(object: KubeObject): string {
  return object.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? object.spec?.storageClassName ?? '';
}

function phaseOrTerminating(object: KubeObject): string {
  return object.metadata.deletionTimestamp ? 'Terminating' : (object.status?.phase ?? '');
}

function validateAccessModes(modes: unknown, path: string) {
  const causes: StatusCause[] = [];
  if (!Array.isArray(modes) || modes.length === 0) return [fieldErrors.required(path)];
  for (const mode of modes) if (!ACCESS_MODES.includes(mode)) causes.push(fieldErrors.notSupported(path, mode, ACCESS_MODES));
  return causes;
}

export const persistentVolumeType = defineResourceType({
  kind: 'PersistentVolume',
  group: '',
  version: 'v1',
  plural: 'persistentvolumes',
  shortNames: ['pv'],
  namespaced: false,
  subresources: ['status'],
  columns: [
    nameColumn,
    column('Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity.', (pv) => (pv.spec?.capacity?.storage !== undefined && !quantityProblem(pv.spec.capacity.storage) ? canonicalQuantity(pv.spec.capacity.storage) : '0')),
    column('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.', (pv) => accessModesString(pv.spec?.accessModes)),
    column('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.', (pv) => pv.spec?.persistentVolumeReclaimPolicy ?? ''),
    column('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.', phaseOrTerminating),
    column('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.', (pv) => (pv.spec?.claimRef ? `${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}` : '')),
    column('StorageClass', 'string', 'storageClassName is the name of StorageClass to which this persistent volume belongs.', storageClassOf),
    column('VolumeAttributesClass', 'string', 'Name of VolumeAttributesClass to which this persistent volume belongs.', (pv) => pv.spec?.volumeAttributesClassName ?? '<unset>'),
    column('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.', (pv) => pv.status?.reason ?? ''),
    ageColumn,
    column('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', (pv) => pv.spec?.volumeMode ?? '<unset>', 1),
  ],
  defaults(pv) {
    pv.spec ??= {};
    pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
    pv.spec.volumeMode ??= 'Filesystem';
    pv.status ??= {};
    pv.status.phase ??= 'Pending';
  },
  specChanged: neverBumpsGeneration,
  validateSpec(pv) {
    const causes = validateAccessModes(pv.spec?.accessModes, 'spec.accessModes');
    if (!pv.spec?.capacity?.storage) causes.push(fieldErrors.required('spec.capacity'));
    else causes.push(...validateResourceList(pv.spec.capacity, 'spec.capacity').causes);
    return causes;
  },
});

export const persistentVolumeClaimType = defineResourceType({
  kind: 'PersistentVolumeClaim',
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  shortNames: ['pvc'],
  namespaced: true,
  subresources: ['status'],
  columns: [
    nameColumn,
    column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.', phaseOrTerminating),
    column('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.', (pvc) => pvc.spec?.volumeName ?? ''),
    column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.', (pvc) => (pvc.spec?.volumeName ? (pvc.status?.capacity?.storage !== undefined && !quantityProblem(pvc.status.capacity.storage) ? canonicalQuantity(pvc.status.capacity.storage) : '0') : '')),
    column('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.', (pvc) => (pvc.spec?.volumeName ? accessModesString(pvc.status?.accessModes) : '')),
    column('StorageClass', 'string', 'storageClassName is the name of the StorageClass required by the claim.', storageClassOf),
    column('VolumeAttributesClass', 'string', 'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.', (pvc) => pvc.spec?.volumeAttributesClassName ?? '<unset>'),
    ageColumn,
    column('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', (pvc) => pvc.spec?.volumeMode ?? '<unset>', 1),
  ],
  defaults(pvc) {
    pvc.spec ??= {};
    pvc.spec.volumeMode ??= 'Filesystem';
    pvc.status ??= {};
    pvc.status.phase ??= 'Pending';
  },
  specChanged: neverBumpsGeneration,
  validateSpec(pvc, old) {
    const causes = validateAccessModes(pvc.spec?.accessModes, 'spec.accessModes');
    if (!pvc.spec?.resources?.requests?.storage) causes.push(fieldErrors.required('spec.resources[storage]'));
    else causes.push(...validateResourceList(pvc.spec.resources.requests, 'spec.resources.requests').causes);
    if (old) {
      const strip = (spec: any) => ({ ...spec, resources: undefined, volumeName: old.spec?.volumeName ? spec?.volumeName : undefined, volumeAttributesClassName: undefined });
      if (!deepEqual(strip(pvc.spec), strip(old.spec))) causes.push(fieldErrors.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    }
    return causes;
  },
});

export const storageClassType = defineResourceType({
  kind: 'StorageClass',
  group: 'storage.k8s.io',
  version: 'v1',
  plural: 'storageclasses',
  shortNames: ['sc'],
  namespaced: false,
  columns: [
    {
      ...nameColumn,
      cell: (sc) => (sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' || sc.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true' ? `${sc.metadata.name} (default)` : (sc.metadata.name ?? '')),
    },
    column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.', (sc) => (sc.provisioner as string) ?? ''),
    column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.', (sc) => (sc.reclaimPolicy as string) ?? 'Delete'),
    column('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.', (sc) => (sc.volumeBindingMode as string) ?? 'Immediate'),
    column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.', (sc) => sc.allowVolumeExpansion === true),
    ageColumn,
  ],
  defaults(sc) {
    sc.reclaimPolicy ??= 'Delete';
    sc.volumeBindingMode ??= 'Immediate';
  },
  validateSpec(sc, old) {
    const causes: StatusCause[] = [];
    if (!sc.provisioner) causes.push(fieldErrors.required('provisioner'));
    if (old && old.provisioner !== sc.provisioner) causes.push(fieldErrors.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    return causes;
  },
  specChanged: neverBumpsGeneration,
});
