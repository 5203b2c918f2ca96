import type { KubeObject } from '../../../core/model/object.ts';
import { recordUpdateManagedFields } from '../../patch/managed-fields.ts';

/** metadata.managedFields after a create, update or non-apply patch by `manager` (api/patch does the bookkeeping). */
export function withUpdateManagedFields(current: KubeObject | undefined, next: KubeObject, manager: string, now: number, subresource?: string): KubeObject {
  return recordUpdateManagedFields(current, next, manager, 'Update', { time: now, ...(subresource ? { subresource } : {}) });
}
