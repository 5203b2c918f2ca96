import { controllersWith } from '../../projections/engine/default-controllers.ts';
import { rollingUpdateWithinBounds } from '../invariants/rolling-update-bounds.ts';
import { deploymentIgnoringMaxUnavailable } from './deployment-ignoring-max-unavailable.ts';

// A check module (`orrery check --invariants <this file>`): the built-in controllers with the
// Deployment controller that forgets maxUnavailable, and the invariant that catches it. Worker
// threads of a parallel check load it by path.
export const invariants = [rollingUpdateWithinBounds];

export function controllers() {
  const mutant = deploymentIgnoringMaxUnavailable();
  return controllersWith({ [mutant.name]: mutant });
}
