import type { KubeObject } from '../../../core/model/object.ts';
import { applyJsonPatch } from '../../patch/json-patch.ts';
import { applyMergePatch } from '../../patch/merge-patch.ts';
import { type ServerSideApplyResult, serverSideApply } from '../../patch/server-side-apply.ts';
import { applyStrategicMergePatch } from '../../patch/strategic-merge-patch.ts';
import type { PatchMediaType } from '../request-body.ts';

/** Applies a non-apply patch document of the given media type to `current` (a copy is returned). */
export function applyPatchDocument(type: PatchMediaType, current: KubeObject, patch: unknown): KubeObject {
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(current, patch);
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(current, patch);
    default:
      return applyMergePatch(current, patch);
  }
}

/** Server-side apply of `applied` by `fieldManager` onto `current` (undefined: the object is created). */
export function serverSideApplyDocument(
  current: KubeObject | undefined,
  applied: KubeObject,
  options: { fieldManager: string; force: boolean; now: number; subresource?: string },
): ServerSideApplyResult {
  return serverSideApply(current, applied, {
    fieldManager: options.fieldManager,
    force: options.force,
    time: options.now,
    ...(options.subresource ? { subresource: options.subresource } : {}),
  });
}
