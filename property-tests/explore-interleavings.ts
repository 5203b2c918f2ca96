import type { DeliveryPerturbation } from '../core/events.ts';
import type { Controller } from '../projections/engine/controller.ts';
import { defaultControllers } from '../projections/engine/default-controllers.ts';
import type { Scenario } from '../replay/scenario/scenario.ts';
import { builtInInvariants } from './invariants/index.ts';
import type { Invariant, Violation } from './invariants/invariant.ts';
import { runHistory } from './run-history.ts';

export interface ExploreOptions {
  invariants?: readonly Invariant[];
  /** A fresh set of controllers per run; default the built-ins. */
  controllers?: () => Controller[];
  /** Perturb only these controllers (default: every controller that reacts in the reference run). */
  only?: readonly string[];
  /** Default: every kind. */
  kinds?: ReadonlyArray<DeliveryPerturbation['kind']>;
  /** How many events a stale or coalesced window lasts from the reaction it starts at (default 50). */
  window?: number;
  /** Stop after this many plans (default 200). */
  maxPlans?: number;
  onPlan?: (tried: number, plan: DeliveryPerturbation) => void;
}

export interface ExploreReport {
  /** Reactions found in the reference run, as (controller, position) pairs. */
  reactions: number;
  /** Plans run (each is the scenario with one perturbation). */
  plans: number;
  /** The first plan that broke an invariant. */
  failure?: { scenario: Scenario; violation: Violation };
}

/**
 * Systematic exploration of one history, the way Sieve builds its test plans: run the scenario in
 * the default order, find every point where a controller reacted (issued commands), and re-run the
 * scenario once per (reaction, perturbation): a stale view and coalesced notifications from that
 * reaction on, a crash in its middle, and reacting first to that event. Each plan perturbs exactly
 * one controller at one point, so a failure names it. Deterministic: the same scenario gives the
 * same plans in the same order.
 */
export async function exploreInterleavings(scenario: Scenario, options: ExploreOptions = {}): Promise<ExploreReport> {
  const invariants = options.invariants ?? builtInInvariants;
  const runOptions = { invariants, ...(options.controllers ? { controllers: options.controllers } : {}) };
  const { interleavings: _, ...plain } = scenario;
  const reference = await runHistory(plain, runOptions);
  if (reference.violations[0]) return { reactions: 0, plans: 1, failure: { scenario: plain, violation: reference.violations[0] } };

  const names = new Set((options.controllers?.() ?? defaultControllers()).map((c) => c.name));
  // The kubelet controller writes as `kubelet/<node>`.
  const controllerOf = (actor: string): string | undefined => {
    const name = names.has(actor) ? actor : actor.slice(0, actor.indexOf('/'));
    if (!names.has(name)) return undefined;
    if (options.only && !options.only.includes(name)) return undefined;
    return name;
  };
  /** (controller, causing position) → how many commands the reaction issued. */
  const reactions = new Map<string, { controller: string; position: number; commands: number }>();
  for (const event of reference.events) {
    const controller = controllerOf(event.metadata.actor);
    const cause = event.metadata.causationId;
    if (!controller || cause === undefined) continue;
    const key = `${controller}@${cause}`;
    const reaction = reactions.get(key) ?? { controller, position: cause, commands: 0 };
    reaction.commands++;
    reactions.set(key, reaction);
  }

  const kinds = new Set(options.kinds ?? ['stale', 'coalesce', 'first', 'restart']);
  const width = options.window ?? 50;
  const plans: DeliveryPerturbation[] = [];
  for (const { controller, position, commands } of [...reactions.values()].sort((a, b) => a.position - b.position)) {
    if (kinds.has('stale')) plans.push({ controller, kind: 'stale', from: position, to: position + width, lag: 0 });
    if (kinds.has('restart')) plans.push({ controller, kind: 'restart', from: position, to: position, keep: Math.floor(commands / 2) });
    if (kinds.has('coalesce')) plans.push({ controller, kind: 'coalesce', from: position, to: position + width });
    if (kinds.has('first')) plans.push({ controller, kind: 'first', from: position, to: position });
  }

  const maxPlans = options.maxPlans ?? 200;
  let tried = 0;
  for (const plan of plans.slice(0, maxPlans)) {
    tried++;
    options.onPlan?.(tried, plan);
    const planned: Scenario = { ...plain, interleavings: [plan] };
    const result = await runHistory(planned, runOptions);
    if (result.violations[0]) return { reactions: reactions.size, plans: tried, failure: { scenario: planned, violation: result.violations[0] } };
  }
  return { reactions: reactions.size, plans: tried };
}
