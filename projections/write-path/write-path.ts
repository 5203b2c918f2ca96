import { resourceTypeOfKind } from '../state/served-types.ts';
import { type WritePath, type WritePathOptions, createCommandExecutor } from './command-executor.ts';

export type { WritePath, WritePathOptions, WriteResult } from './command-executor.ts';

/**
 * The write path over the resource registry and the kinds the state's CustomResourceDefinitions
 * add; see command-executor.ts for how commands become events.
 */
export function createWritePath(options: Omit<WritePathOptions, 'resourceTypeForKind'> & Partial<Pick<WritePathOptions, 'resourceTypeForKind'>>): WritePath {
  return createCommandExecutor({ ...options, resourceTypeForKind: options.resourceTypeForKind ?? ((kind) => resourceTypeOfKind(options.state, kind)) });
}
