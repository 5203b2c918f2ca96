import type { Controller } from './controller.ts';

/** Every built-in controller, in the order the engine feeds them. */
export function defaultControllers(): Controller[] {
  return [];
}
