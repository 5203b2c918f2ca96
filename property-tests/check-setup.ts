import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Controller } from '../projections/engine/controller.ts';
import { builtInInvariants, invariantByName } from './invariants/index.ts';
import type { Invariant } from './invariants/invariant.ts';

/**
 * What a check runs against, described as data (a module path and names) so that every worker
 * thread of a parallel check can rebuild exactly the same invariants and controllers.
 */
export interface CheckSetup {
  /** A module exporting `invariants` (or a default export) and optionally `controllers()`; its invariants are checked besides the built-ins. */
  invariantsModule?: string;
  /** Check only these invariants (built-in or from the module), in this order. */
  only?: readonly string[];
}

export interface ResolvedCheckSetup {
  invariants: Invariant[];
  controllers?: () => Controller[];
}

/** A user's invariants module: `export const invariants = [...]` (or a default export), and optionally `controllers()`. */
interface UserModule {
  invariants?: Invariant[];
  default?: Invariant[] | { invariants?: Invariant[]; controllers?: () => Controller[] };
  controllers?: () => Controller[];
}

async function loadUserModule(file: string): Promise<ResolvedCheckSetup> {
  const module = (await import(pathToFileURL(resolve(file)).href)) as UserModule;
  const fromDefault = Array.isArray(module.default) ? { invariants: module.default } : (module.default ?? {});
  const invariants = module.invariants ?? fromDefault.invariants;
  if (!invariants || invariants.length === 0) throw new Error(`${file} exports no invariants: export const invariants = [defineInvariant({...})]`);
  const controllers = module.controllers ?? fromDefault.controllers;
  return { invariants, ...(controllers ? { controllers } : {}) };
}

export async function resolveCheckSetup(setup: CheckSetup): Promise<ResolvedCheckSetup> {
  let invariants: Invariant[] = [...builtInInvariants];
  let controllers: (() => Controller[]) | undefined;
  if (setup.invariantsModule) {
    const user = await loadUserModule(setup.invariantsModule);
    invariants = [...invariants, ...user.invariants];
    controllers = user.controllers;
  }
  if (setup.only) {
    const names = setup.only.map((n) => n.trim());
    invariants = names.map((name) => {
      const found = invariants.find((i) => i.name === name) ?? invariantByName(name);
      if (!found) throw new Error(`unknown invariant "${name}"; known: ${invariants.map((i) => i.name).join(', ')}`);
      return found;
    });
  }
  return { invariants, ...(controllers ? { controllers } : {}) };
}
