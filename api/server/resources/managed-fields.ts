import type { KubeObject } from '../../../core/model/object.ts';

/**
 * managedFields for a create/update/patch by `manager`. Until api/patch's
 * recordUpdateManagedFields is wired in, the previous object's entries are carried over (so
 * server-side apply ownership survives other writes) and a client's own entries are ignored.
 */
export function withUpdateManagedFields(
  current: KubeObject | undefined,
  next: KubeObject,
  _manager: string,
  _kind: string,
  _operation: 'Update' | 'Apply',
  _now: number,
  _subresource?: string,
): KubeObject {
  const managedFields = current?.metadata.managedFields;
  const metadata = { ...next.metadata };
  if (managedFields) metadata.managedFields = managedFields;
  else delete metadata.managedFields;
  return { ...next, metadata };
}
