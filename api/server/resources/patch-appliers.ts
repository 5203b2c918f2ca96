import type { KubeObject } from '../../../core/model/object.ts';
import { applyJsonPatch } from '../../patch/json-patch.ts';
import { applyMergePatch } from '../../patch/merge-patch.ts';
import type { PatchMediaType } from '../request-body.ts';
import type { ApplyConflict } from './patch-handler.ts';

/** Applies a non-apply patch document of the given media type to `current` (a copy is returned). */
export function applyPatchDocument(type: Exclude<PatchMediaType, 'application/apply-patch+yaml'> | PatchMediaType, current: KubeObject, patch: unknown, _kind: string): KubeObject {
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(current, patch);
    case 'application/merge-patch+json':
      return applyMergePatch(current, patch);
    case 'application/strategic-merge-patch+json':
      // PLACEHOLDER until api/patch's strategic merge patch lands: merge-patch semantics.
      return applyMergePatch(current, patch);
    default:
      return applyMergePatch(current, patch);
  }
}

export interface ApplyResult {
  object: KubeObject;
  conflicts: ApplyConflict[];
}

/** Server-side apply of `applied` by `fieldManager` onto `current` (undefined: create). */
export function serverSideApplyDocument(current: KubeObject | undefined, applied: KubeObject, _options: { fieldManager: string; force: boolean; now: number }): ApplyResult {
  // PLACEHOLDER until api/patch's serverSideApply lands: a merge of the applied configuration.
  return { object: current ? applyMergePatch(current, applied) : structuredClone(applied), conflicts: [] };
}
