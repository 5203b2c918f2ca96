import { describe, expect, it } from 'vitest';
import { type ResolvedRequest, requestLabels } from './request-labels.ts';

const pods = { group: '', version: 'v1', resource: 'pods', namespaced: true };
const nodes = { group: '', version: 'v1', resource: 'nodes', namespaced: false };
const deployments = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };

const labels = (request: ResolvedRequest) => {
  const { verb, scope, subresource, dry_run } = requestLabels(request);
  return { verb, scope, subresource, dry_run };
};

describe('request labels (kube-apiserver apiserver_request_total)', () => {
  it('tells GET from LIST by scope, and WATCH by ?watch', () => {
    expect(labels({ ...pods, method: 'GET', namespace: 'default', name: 'web' })).toEqual({ verb: 'GET', scope: 'resource', subresource: '', dry_run: '' });
    expect(labels({ ...pods, method: 'GET', namespace: 'default' })).toMatchObject({ verb: 'LIST', scope: 'namespace' });
    // Across all namespaces, and a cluster-scoped kind's collection: cluster scope.
    expect(labels({ ...pods, method: 'GET' })).toMatchObject({ verb: 'LIST', scope: 'cluster' });
    expect(labels({ ...nodes, method: 'GET' })).toMatchObject({ verb: 'LIST', scope: 'cluster' });
    expect(labels({ ...nodes, method: 'GET', name: 'node-1' })).toMatchObject({ verb: 'GET', scope: 'resource' });
    expect(labels({ ...nodes, method: 'HEAD', name: 'node-1' })).toMatchObject({ verb: 'GET', scope: 'resource' });
    expect(labels({ ...pods, method: 'GET', namespace: 'default', watch: 'true' })).toMatchObject({ verb: 'WATCH', scope: 'namespace' });
    expect(labels({ ...pods, method: 'GET', watch: '1' })).toMatchObject({ verb: 'WATCH', scope: 'cluster' });
    // A watch of one object (kubectl get pod x -w): resource scope, still WATCH.
    expect(labels({ ...pods, method: 'GET', namespace: 'default', name: 'web', watch: 'true' })).toMatchObject({ verb: 'WATCH', scope: 'resource' });
    expect(labels({ ...pods, method: 'GET', namespace: 'default', watch: 'false' })).toMatchObject({ verb: 'LIST' });
  });

  it('names writes by their HTTP method, server-side apply APPLY, and every POST has resource scope', () => {
    expect(labels({ ...deployments, method: 'POST', namespace: 'shop' })).toMatchObject({ verb: 'POST', scope: 'resource' });
    expect(labels({ ...nodes, method: 'POST' })).toMatchObject({ verb: 'POST', scope: 'resource' });
    expect(labels({ ...deployments, method: 'PUT', namespace: 'shop', name: 'web' })).toMatchObject({ verb: 'PUT', scope: 'resource' });
    expect(labels({ ...deployments, method: 'PATCH', namespace: 'shop', name: 'web', contentType: 'application/strategic-merge-patch+json' })).toMatchObject({ verb: 'PATCH' });
    expect(labels({ ...deployments, method: 'PATCH', namespace: 'shop', name: 'web', contentType: 'application/merge-patch+json' })).toMatchObject({ verb: 'PATCH' });
    expect(labels({ ...deployments, method: 'PATCH', namespace: 'shop', name: 'web', contentType: 'application/apply-patch+yaml' })).toMatchObject({ verb: 'APPLY', scope: 'resource' });
    expect(labels({ ...deployments, method: 'PATCH', namespace: 'shop', name: 'web', contentType: 'application/apply-patch+yaml; charset=utf-8' })).toMatchObject({ verb: 'APPLY' });
    expect(labels({ ...deployments, method: 'DELETE', namespace: 'shop', name: 'web' })).toMatchObject({ verb: 'DELETE', scope: 'resource' });
    // deletecollection is a DELETE on the collection.
    expect(labels({ ...deployments, method: 'DELETE', namespace: 'shop' })).toMatchObject({ verb: 'DELETE', scope: 'namespace' });
    expect(labels({ ...nodes, method: 'DELETE' })).toMatchObject({ verb: 'DELETE', scope: 'cluster' });
  });

  it('labels subresources, CONNECT for the streaming ones', () => {
    expect(labels({ ...deployments, method: 'PUT', namespace: 'shop', name: 'web', subresource: 'status' })).toMatchObject({ verb: 'PUT', subresource: 'status', scope: 'resource' });
    expect(labels({ ...deployments, method: 'GET', namespace: 'shop', name: 'web', subresource: 'scale' })).toMatchObject({ verb: 'GET', subresource: 'scale' });
    expect(labels({ ...pods, method: 'POST', namespace: 'default', name: 'web', subresource: 'eviction' })).toMatchObject({ verb: 'POST', subresource: 'eviction', scope: 'resource' });
    for (const subresource of ['log', 'exec', 'attach', 'portforward']) {
      expect(labels({ ...pods, method: 'GET', namespace: 'default', name: 'web', subresource })).toMatchObject({ verb: 'CONNECT', subresource });
    }
    expect(labels({ ...pods, method: 'POST', namespace: 'default', name: 'web', subresource: 'exec' })).toMatchObject({ verb: 'CONNECT' });
    expect(labels({ group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true, method: 'POST', namespace: 'default', name: 'default', subresource: 'token' })).toMatchObject({
      verb: 'POST',
      subresource: 'token',
      scope: 'resource',
    });
  });

  it('carries dryRun, group and version', () => {
    expect(requestLabels({ ...deployments, method: 'POST', namespace: 'shop', dryRun: 'All' })).toEqual({
      verb: 'POST',
      dry_run: 'All',
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      subresource: '',
      scope: 'resource',
    });
    expect(labels({ ...deployments, method: 'POST', namespace: 'shop', dryRun: 'Some' }).dry_run).toBe('invalid');
    expect(labels({ ...deployments, method: 'POST', namespace: 'shop', dryRun: '' }).dry_run).toBe('');
  });
});
