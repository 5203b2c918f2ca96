import { type LabelSelector, type Selector, labelSelectorAsSelector } from '../../core/model/labels.ts';

/** Parsed selectors, keyed by the selector objects the state holds (never changed in place). */
const compiled = new WeakMap<object, Selector | null>();

/**
 * A label selector from an object in the state, parsed once per selector object: controllers
 * re-read the same Deployment's or ReplicaSet's selector at every sync. `undefined` when it does
 * not parse (validation normally refuses such objects).
 */
export function compiledSelector(selector: LabelSelector | object): Selector | undefined {
  let parsed = compiled.get(selector);
  if (parsed === undefined) {
    try {
      parsed = labelSelectorAsSelector(selector as LabelSelector);
    } catch {
      parsed = null;
    }
    compiled.set(selector, parsed);
  }
  return parsed ?? undefined;
}
