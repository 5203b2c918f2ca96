import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { objectMatches, parseFieldSelectorParam, parseLabelSelectorParam } from './selectors.ts';

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web', tier: 'front' } },
  spec: { nodeName: 'node-2' },
  status: { phase: 'Running' },
};

describe('selectors', () => {
  it('parses field selectors with =, ==, != and escaped separators (terms sorted, as Kubernetes sorts them)', () => {
    expect(parseFieldSelectorParam('spec.nodeName=node-2,status.phase!=Failed,metadata.name==a\\,b')).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b' },
      { field: 'spec.nodeName', operator: '=', value: 'node-2' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
    expect(() => parseFieldSelectorParam('spec.nodeName')).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('matches namespace, labels and fields together', () => {
    const labels = parseLabelSelectorParam('app=web,tier in (front,back)')!;
    expect(objectMatches(pod, { namespace: 'shop', labels, fields: parseFieldSelectorParam('spec.nodeName=node-2,status.phase=Running')! })).toBe(true);
    expect(objectMatches(pod, { namespace: 'other' })).toBe(false);
    expect(objectMatches(pod, { fields: parseFieldSelectorParam('spec.nodeName!=node-2')! })).toBe(false);
    expect(objectMatches(pod, { fields: parseFieldSelectorParam('spec.nodeName=')! })).toBe(false);
    expect(objectMatches(pod, { labels: parseLabelSelectorParam('!app')! })).toBe(false);
    expect(() => parseLabelSelectorParam('app in (')).toThrow(expect.objectContaining({ code: 400 }));
  });
});
