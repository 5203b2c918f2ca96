import fc from 'fast-check';
import { type DeliveryPerturbation, PERTURBATION_KINDS } from '../../projections/engine/interleaving.ts';
import type { Scenario } from '../../replay/scenario/scenario.ts';

export interface InterleavingShape {
  /** Controllers whose view may be perturbed (default: every controller of the run). */
  controllers?: readonly string[];
  /** Default: stale, coalesce and first. */
  kinds?: ReadonlyArray<DeliveryPerturbation['kind']>;
  /** Perturbations per history, at least one (default 3). */
  maxPerturbations?: number;
  /** Largest informer lag of a stale view, in events (default 8). */
  maxLag?: number;
  /** Last log position a window may start at, and its longest length (default 1,000: generated histories run to a few hundred to a few thousand events). */
  horizon?: number;
}

/**
 * Interleaving schedules: a few windows of log positions in which one controller sees a stale view,
 * has its notifications coalesced, or reacts first. Shrinking drops perturbations, moves windows
 * towards the start, narrows them and lowers lags towards 0 (a view exactly as of each event).
 */
export function interleavingArbitrary(controllerNames: readonly string[], shape: InterleavingShape = {}): fc.Arbitrary<DeliveryPerturbation[]> {
  const names = shape.controllers ?? controllerNames;
  if (names.length === 0) throw new Error('interleavingArbitrary needs at least one controller name');
  const horizon = shape.horizon ?? 1000;
  const perturbation = fc
    .record({
      controller: fc.constantFrom(...names),
      kind: fc.constantFrom(...(shape.kinds ?? PERTURBATION_KINDS)),
      // Often from the very start, where every workload scales up for the first time.
      from: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: horizon })),
      length: fc.integer({ min: 0, max: horizon }),
      lag: fc.nat({ max: shape.maxLag ?? 8 }),
    })
    .map(({ controller, kind, from, length, lag }): DeliveryPerturbation => ({ controller, kind, from, to: from + length, ...(kind === 'stale' ? { lag } : {}) }));
  return fc.array(perturbation, { minLength: 1, maxLength: shape.maxPerturbations ?? 3 });
}

/** Each history of `scenarios` paired with an interleaving schedule; the two shrink independently. */
export function withInterleavings(scenarios: fc.Arbitrary<Scenario>, controllerNames: readonly string[], shape: InterleavingShape = {}): fc.Arbitrary<Scenario> {
  return fc.tuple(scenarios, interleavingArbitrary(controllerNames, shape)).map(([scenario, interleavings]) => ({ ...scenario, interleavings }));
}
