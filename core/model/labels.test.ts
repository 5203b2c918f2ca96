import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatLabelSelector,
  formatLabels,
  labelSelectorAsSelector,
  labelSelectorMatches,
  matches,
  newRequirement,
  parseSelector,
  selectorFromSet,
  selectorToString,
  type Requirement,
  type Selector,
} from './labels.ts';

describe('parseSelector', () => {
  it('parses every operator of the string form and matches like Kubernetes', () => {
    const selector = parseSelector('a=b,c!=d,e in (x,y),f notin (z),g,!h');
    expect(selector.requirements.map((r) => [r.key, r.operator, r.values])).toEqual([
      ['a', 'Equals', ['b']],
      ['c', 'NotEquals', ['d']],
      ['e', 'In', ['x', 'y']],
      ['f', 'NotIn', ['z']],
      ['g', 'Exists', []],
      ['h', 'DoesNotExist', []],
    ]);
    expect(matches(selector, { a: 'b', e: 'y', g: '' })).toBe(true);
    expect(matches(selector, { a: 'b', e: 'y', g: '', c: 'd' })).toBe(false);
    expect(matches(selector, { a: 'b', e: 'y', g: '', f: 'z' })).toBe(false);
    expect(matches(selector, { a: 'b', e: 'w', g: '' })).toBe(false);
    expect(matches(selector, { a: 'b', e: 'y' })).toBe(false);
    expect(matches(selector, { a: 'b', e: 'y', g: '', h: 'x' })).toBe(false);
    // NotIn and != match when the key is absent.
    expect(matches(parseSelector('c!=d'), {})).toBe(true);
    expect(matches(parseSelector('f notin (z)'), {})).toBe(true);
  });

  it('accepts == and whitespace, and sorts requirements by key', () => {
    const selector = parseSelector('  tier == web ,  app=nginx ');
    expect(selectorToString(selector)).toBe('app=nginx,tier==web');
    expect(matches(selector, { app: 'nginx', tier: 'web' })).toBe(true);
  });

  it('treats in/notin as plain values after an operator and accepts empty values', () => {
    expect(matches(parseSelector('a=in'), { a: 'in' })).toBe(true);
    expect(matches(parseSelector('a='), { a: '' })).toBe(true);
    expect(parseSelector('a in ()').requirements[0]!.values).toEqual(['']);
    expect(parseSelector('a in (,b)').requirements[0]!.values).toEqual(['', 'b']);
  });

  it('parses the empty string as a selector that matches everything', () => {
    expect(parseSelector('').requirements).toEqual([]);
    expect(matches(parseSelector(''), { anything: 'x' })).toBe(true);
  });

  it('supports gt and lt on integer values', () => {
    expect(matches(parseSelector('replicas>2'), { replicas: '3' })).toBe(true);
    expect(matches(parseSelector('replicas>2'), { replicas: '2' })).toBe(false);
    expect(matches(parseSelector('replicas<2'), { replicas: 'x' })).toBe(false);
  });

  it('reports bad syntax in Kubernetes wording', () => {
    // Kubernetes' own message, unbalanced quote included.
    expect(() => parseSelector('a b')).toThrow("unable to parse requirement: found 'b', expected: '=', '!=', '==', 'in', notin'");
    expect(() => parseSelector('a=b c')).toThrow("found 'c', expected: ',' or 'end of string'");
    expect(() => parseSelector('a in x')).toThrow("unable to parse requirement: found 'x' expected: '('");
    expect(() => parseSelector('a in (x')).toThrow("unable to parse requirement: found '', expected: ',' or ')'");
    expect(() => parseSelector('a,')).toThrow("found '', expected: identifier after ','");
    expect(() => parseSelector('=b')).toThrow("found '=', expected: !, identifier, or 'end of string'");
    expect(() => parseSelector('a=b=c')).toThrow("found '=', expected: ',' or 'end of string'");
    expect(() => parseSelector('!a=b')).toThrow("found '=', expected: ',' or 'end of string'");
    expect(() => parseSelector('a<b')).toThrow(`unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`);
  });

  it('rejects invalid keys and values with the validation messages', () => {
    expect(() => parseSelector('Bad Key=x')).toThrow(/unable to parse requirement/);
    expect(() => parseSelector('-a=b')).toThrow(/^unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters/);
    expect(() => parseSelector('a=-b')).toThrow(/^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-b": a valid label must be an empty string/);
    expect(() => parseSelector(`a=${'x'.repeat(64)}`)).toThrow(/must be no more than 63 characters/);
  });
});

describe('label selectors (metav1.LabelSelector)', () => {
  it('combines matchLabels and matchExpressions', () => {
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['fe', 'be'] }, { key: 'canary', operator: 'DoesNotExist' as const }] };
    expect(labelSelectorMatches(selector, { app: 'web', tier: 'fe' })).toBe(true);
    expect(labelSelectorMatches(selector, { app: 'web', tier: 'fe', canary: 'y' })).toBe(false);
    expect(labelSelectorMatches(selector, { app: 'db', tier: 'fe' })).toBe(false);
    expect(formatLabelSelector(selector)).toBe('app=web,!canary,tier in (be,fe)');
  });

  it('selects nothing for a nil selector and everything for an empty one', () => {
    expect(labelSelectorMatches(undefined, { a: 'b' })).toBe(false);
    expect(labelSelectorMatches({}, { a: 'b' })).toBe(true);
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector(undefined)).toBe('<none>');
  });

  it('rejects operators outside In/NotIn/Exists/DoesNotExist and In without values', () => {
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Equals' as never }] })).toThrow('"Equals" is not a valid label selector operator');
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
    expect(() => labelSelectorAsSelector({ matchLabels: { 'a b': 'c' } })).toThrow(/^key: Invalid value: "a b": name part must consist of/);
    expect(() => labelSelectorAsSelector({ matchLabels: { 'a b': '-' } })).toThrow(/^\[key: Invalid value: "a b": .*, values\[0\]\[a b\]: Invalid value: "-": .*\]$/);
  });

  it('formats label sets sorted, <none> when empty', () => {
    expect(formatLabels({ z: '1', a: '2' })).toBe('a=2,z=1');
    expect(formatLabels({})).toBe('<none>');
    expect(matches(selectorFromSet({ a: 'b' }), { a: 'b', c: 'd' })).toBe(true);
  });
});

const keyArb = fc
  .tuple(fc.option(fc.constantFrom('example.com', 'app.kubernetes.io', 'k8s.io'), { nil: undefined }), fc.stringMatching(/^[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,8}[a-zA-Z0-9])?$/))
  .map(([prefix, name]) => (prefix ? `${prefix}/${name}` : name));
const valueArb = fc.stringMatching(/^([a-zA-Z0-9]([-a-zA-Z0-9_.]{0,6}[a-zA-Z0-9])?)?$/).filter((v) => v !== 'in' && v !== 'notin');
const requirementArb: fc.Arbitrary<Requirement> = fc.oneof(
  fc.tuple(keyArb, fc.constantFrom('Equals', 'DoubleEquals', 'NotEquals'), valueArb).map(([k, op, v]) => newRequirement(k, op as Requirement['operator'], [v])),
  fc.tuple(keyArb, fc.constantFrom('In', 'NotIn'), fc.uniqueArray(valueArb, { minLength: 1, maxLength: 4 })).map(([k, op, vs]) => newRequirement(k, op as Requirement['operator'], vs)),
  fc.tuple(keyArb, fc.constantFrom('Exists', 'DoesNotExist')).map(([k, op]) => newRequirement(k, op as Requirement['operator'], [])),
);
const selectorArb: fc.Arbitrary<Selector> = fc
  .uniqueArray(requirementArb, { maxLength: 5, selector: (r) => r.key })
  .map((requirements) => ({ requirements: [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) }));
const labelsArb = fc.dictionary(keyArb, valueArb, { maxKeys: 5 });

describe('selector string round trip (property)', () => {
  it('parse(selectorToString(s)) is s, and matches the same label sets', () => {
    fc.assert(
      fc.property(selectorArb, labelsArb, (selector, labels) => {
        const reparsed = parseSelector(selectorToString(selector));
        expect(reparsed).toEqual(selector);
        expect(matches(reparsed, labels)).toBe(matches(selector, labels));
      }),
      { seed: 20261123, numRuns: 300 },
    );
  });

  it('a selector built from a label set matches exactly the supersets of that set', () => {
    fc.assert(
      fc.property(labelsArb, labelsArb, (set, extra) => {
        const labels = { ...extra, ...set };
        expect(matches(selectorFromSet(set), labels)).toBe(true);
        expect(matches(parseSelector(selectorToString(selectorFromSet(set))), labels)).toBe(true);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
