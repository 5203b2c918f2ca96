import { describe, expect, it } from 'vitest';
import { parseResourcePath } from './resource-path.ts';

function summary(path: string) {
  const parsed = parseResourcePath(path);
  if (!parsed || parsed.target !== 'resource') return parsed?.target ?? 'none';
  return [parsed.type.kind, parsed.namespace ?? '-', parsed.name ?? '-', parsed.subresource ?? '-'].join(' ');
}

describe('parseResourcePath', () => {
  it('resolves the shapes of Kubernetes resource paths against the registry', () => {
    expect(summary('/api/v1/pods')).toBe('Pod - - -');
    expect(summary('/api/v1/namespaces/default/pods')).toBe('Pod default - -');
    expect(summary('/api/v1/namespaces/default/pods/web-1')).toBe('Pod default web-1 -');
    expect(summary('/api/v1/namespaces/default/pods/web-1/eviction')).toBe('Pod default web-1 eviction');
    expect(summary('/apis/apps/v1/namespaces/shop/deployments/web/scale?x=1')).toBe('Deployment shop web scale');
    expect(summary('/api/v1/nodes/node-1/status')).toBe('Node - node-1 status');
  });

  it('answers a path the same however often it is asked, whatever the query', () => {
    const first = parseResourcePath('/api/v1/namespaces/default/configmaps?watch=true');
    expect(parseResourcePath('/api/v1/namespaces/default/configmaps')).toEqual(first);
    expect(parseResourcePath('/api/v1/namespaces/default/configmaps?dryRun=All')).toEqual(first);
    expect(summary('/api/v1/namespaces/other/configmaps')).toBe('ConfigMap other - -');
    expect(summary('/api/v1/namespaces/default/configmaps/x%2Fy')).toBe('ConfigMap default x/y -');
  });

  it('tells the namespaces resource apart from namespaced paths', () => {
    expect(summary('/api/v1/namespaces')).toBe('Namespace - - -');
    expect(summary('/api/v1/namespaces/shop')).toBe('Namespace - shop -');
    expect(summary('/api/v1/namespaces/shop/status')).toBe('Namespace - shop status');
    expect(summary('/api/v1/namespaces/shop/configmaps')).toBe('ConfigMap shop - -');
  });

  it('reports group-version roots and unknown resources', () => {
    expect(parseResourcePath('/apis/apps/v1')).toEqual({ target: 'groupVersion', group: 'apps', version: 'v1' });
    expect(parseResourcePath('/api/v1')).toEqual({ target: 'groupVersion', group: '', version: 'v1' });
    expect(summary('/apis/apps/v1/widgets')).toBe('unknown');
    expect(summary('/apis/apps/v2/deployments')).toBe('unknown');
    expect(summary('/healthz')).toBe('none');
  });
});
