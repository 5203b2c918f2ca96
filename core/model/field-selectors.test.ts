import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  escapeFieldValue,
  fieldSelectorMatches,
  fieldSelectorMatchesKind,
  fieldSelectorToString,
  parseFieldSelector,
  validateFieldSelector,
} from './field-selectors.ts';
import type { KubeObject } from './object.ts';

const pod = (name: string, phase: string, node?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: node ? { nodeName: node } : {},
  status: { phase },
});

describe('field selectors', () => {
  it('parses =, == and != and matches objects', () => {
    const selector = parseFieldSelector('status.phase!=Running,metadata.name==web-1');
    expect(selector.requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'web-1' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
    expect(fieldSelectorMatches(selector, pod('web-1', 'Pending'))).toBe(true);
    expect(fieldSelectorMatches(selector, pod('web-1', 'Running'))).toBe(false);
    expect(fieldSelectorMatches(selector, pod('web-2', 'Pending'))).toBe(false);
  });

  it('matches an empty value against an unset field (unscheduled pods)', () => {
    const unscheduled = parseFieldSelector('spec.nodeName=');
    expect(fieldSelectorMatches(unscheduled, pod('a', 'Pending'))).toBe(true);
    expect(fieldSelectorMatches(unscheduled, pod('a', 'Pending', 'node-1'))).toBe(false);
    expect(parseFieldSelector('').requirements).toEqual([]);
  });

  it('reads booleans the API server always reports', () => {
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: {} };
    expect(fieldSelectorMatches(parseFieldSelector('spec.unschedulable=false'), node)).toBe(true);
  });

  it('reports bad syntax and unsupported fields in Kubernetes wording', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow("invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    expect(() => parseFieldSelector('a=b\\x')).toThrow('invalid field selector: invalid escape sequence: \\x');
    expect(() => validateFieldSelector('Pod', parseFieldSelector('spec.foo=x'))).toThrow('field label not supported: spec.foo');
    expect(() => validateFieldSelector('Pod', parseFieldSelector('spec.nodeName=x,metadata.namespace=y'))).not.toThrow();
  });

  it('honours kind-specific field labels', () => {
    const job: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { succeeded: 1 } };
    expect(fieldSelectorMatchesKind('Job', parseFieldSelector('status.successful=1'), job)).toBe(true);
    const event: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, source: { component: 'kubelet' }, involvedObject: { kind: 'Pod', name: 'p' } };
    expect(fieldSelectorMatchesKind('Event', parseFieldSelector('source=kubelet,involvedObject.kind=Pod'), event)).toBe(true);
  });

  it('round-trips through its string form with escaped values (property)', () => {
    const field = fc.stringMatching(/^[a-z]+(\.[a-zA-Z]+){0,2}$/);
    const value = fc.string({ unit: fc.constantFrom('a', 'b', '1', '-', ',', '=', '!', '\\', '.'), maxLength: 8 });
    const term = fc.record({ field, operator: fc.constantFrom('=' as const, '!=' as const), value });
    fc.assert(
      fc.property(fc.array(term, { maxLength: 4 }), (terms) => {
        const text = terms.map((t) => `${t.field}${t.operator}${escapeFieldValue(t.value)}`).join(',');
        const parsed = parseFieldSelector(text);
        expect(parseFieldSelector(fieldSelectorToString(parsed))).toEqual(parsed);
        expect([...parsed.requirements].map((r) => r.value).sort()).toEqual(terms.map((t) => t.value).sort());
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
