import fc from 'fast-check';
import { type DeliveryPerturbation, PERTURBATION_KINDS } from '../../projections/engine/interleaving.ts';
import type { Scenario } from '../../replay/scenario/scenario.ts';

export interface InterleavingShape {
  /** Controllers whose view may be perturbed (default: every controller of the run). */
  controllers?: readonly string[];
  /** Default: stale, coalesce, first and restart. */
  kinds?: ReadonlyArray<DeliveryPerturbation['kind']>;
  /** Windows per history, at least one (default 3); each perturbs one or more controllers. */
  maxPerturbations?: number;
  /** Largest informer lag of a stale view, in events (default 8). */
  maxLag?: number;
  /** Last log position a window may start at, and its longest length (default 1,000: generated histories run to a few hundred to a few thousand events). */
  horizon?: number;
}

/**
 * Interleaving schedules: a few windows of log positions in which some controllers see a stale view,
 * have their notifications coalesced, react first, or crash mid-reconcile and restart. Shrinking
 * drops windows and controllers, moves windows towards the start, narrows them and lowers lags and
 * kept commands towards 0 (a view exactly as of each event; a crash before the first write).
 */
export function interleavingArbitrary(controllerNames: readonly string[], shape: InterleavingShape = {}): fc.Arbitrary<DeliveryPerturbation[]> {
  const names = shape.controllers ?? controllerNames;
  if (names.length === 0) throw new Error('interleavingArbitrary needs at least one controller name');
  const horizon = shape.horizon ?? 1000;
  // One window perturbs a few controllers alike (as when kube-controller-manager's shared informers
  // lag); shrinking drops those that do not matter.
  const window = fc
    .record({
      // A flag per controller, rather than a subarray, so that shrinking can drop any one of them.
      included: fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length }),
      kind: fc.constantFrom(...(shape.kinds ?? PERTURBATION_KINDS)),
      // Often from the very start, where every workload scales up for the first time.
      from: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: horizon })),
      length: fc.integer({ min: 0, max: horizon }),
      lag: fc.nat({ max: shape.maxLag ?? 8 }),
      keep: fc.nat({ max: 3 }),
    })
    .map(({ included, kind, from, length, lag, keep }) =>
      names
        .filter((_, i) => included[i])
        .map((controller): DeliveryPerturbation => ({ controller, kind, from, to: from + length, ...(kind === 'stale' ? { lag } : kind === 'restart' ? { keep } : {}) })),
    );
  return fc.array(window, { minLength: 1, maxLength: shape.maxPerturbations ?? 3 }).map((windows) => windows.flat());
}

/** Each history of `scenarios` paired with an interleaving schedule; the two shrink independently. */
export function withInterleavings(scenarios: fc.Arbitrary<Scenario>, controllerNames: readonly string[], shape: InterleavingShape = {}): fc.Arbitrary<Scenario> {
  return fc.tuple(scenarios, interleavingArbitrary(controllerNames, shape)).map(([{ interleavings: _, ...scenario }, interleavings]) =>
    interleavings.length > 0 ? { ...scenario, interleavings } : scenario,
  );
}
