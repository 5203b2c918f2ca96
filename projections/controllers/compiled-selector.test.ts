import { describe, expect, it } from 'vitest';
import { type LabelSelector, labelSelectorAsSelector, matches } from '../../core/model/labels.ts';
import { compiledSelector } from './compiled-selector.ts';

describe('compiledSelector', () => {
  it('selects what labelSelectorAsSelector selects, parsing each selector object once', () => {
    const selector: LabelSelector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] };
    const parsed = compiledSelector(selector)!;
    expect(parsed).toEqual(labelSelectorAsSelector(selector));
    expect(compiledSelector(selector)).toBe(parsed);
    expect(matches(parsed, { app: 'web', tier: 'b' })).toBe(true);
    expect(matches(parsed, { app: 'web', tier: 'c' })).toBe(false);
  });

  it('gives undefined for a selector that does not parse, every time', () => {
    const invalid = { matchExpressions: [{ key: 'tier', operator: 'Near', values: [] }] } as unknown as LabelSelector;
    expect(() => labelSelectorAsSelector(invalid)).toThrow();
    expect(compiledSelector(invalid)).toBeUndefined();
    expect(compiledSelector(invalid)).toBeUndefined();
  });
});
