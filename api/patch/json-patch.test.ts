import { describe, expect, it } from 'vitest';
import { isApiError } from '../../core/errors.ts';
import { applyJsonPatch } from './json-patch.ts';

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: { containers: [{ name: 'a', image: 'nginx' }] },
});

function status(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isApiError(error)) return error.toStatus();
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('applyJsonPatch', () => {
  it('applies add, replace, remove, copy, move and passing tests in order', () => {
    const result = applyJsonPatch(pod(), [
      { op: 'test', path: '/metadata/labels/app', value: 'web' },
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
      { op: 'add', path: '/spec/containers/-', value: { name: 'b', image: 'busybox' } },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/copy', path: '/metadata/labels/moved' },
      { op: 'remove', path: '/metadata/labels/app' },
    ]);
    expect(result.metadata.labels).toEqual({ tier: 'front', moved: 'web' });
    expect(result.spec.containers).toEqual([{ name: 'a', image: 'nginx:2' }, { name: 'b', image: 'busybox' }]);
  });

  it('applies the body kubectl rollout undo sends (replace the template and the annotations)', () => {
    const deployment = {
      metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } },
    };
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } };
    const result = applyJsonPatch(deployment, [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
    ]);
    expect(result.spec.template).toEqual(template);
    expect(result.spec.replicas).toBe(2);
  });

  it('leaves the input untouched and applies nothing when an operation fails', () => {
    const current = pod();
    expect(() => applyJsonPatch(current, [{ op: 'replace', path: '/spec/containers/0/image', value: 'x' }, { op: 'test', path: '/metadata/name', value: 'other' }])).toThrow();
    expect(current.spec.containers[0].image).toBe('nginx');
  });

  it('answers a failed test like kube-apiserver: 422 with the patch library error as cause', () => {
    expect(status(() => applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'other' }]))).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: { causes: [{ message: 'testing value /metadata/name failed: test failed' }] },
      code: 422,
    });
  });

  it('words missing paths the way evanphx/json-patch does', () => {
    const cause = (patch: unknown) => status(() => applyJsonPatch(pod(), patch)).details?.causes?.[0]?.message;
    expect(cause([{ op: 'add', path: '/metadata/annotations/a', value: 'b' }])).toBe('add operation does not apply: doc is missing path: "/metadata/annotations/a": missing value');
    expect(cause([{ op: 'replace', path: '/spec/nodeName', value: 'n' }])).toBe('replace operation does not apply: doc is missing key: /spec/nodeName: missing value');
    expect(cause([{ op: 'remove', path: '/spec/nodeName' }])).toBe("error in remove for path: '/spec/nodeName': Unable to remove nonexistent key: nodeName: missing value");
    expect(cause([{ op: 'frobnicate', path: '/spec' }])).toBe('Unexpected kind: frobnicate');
  });

  it('rejects a body that is not a JSON patch with 400', () => {
    expect(status(() => applyJsonPatch(pod(), { spec: {} }))).toMatchObject({ code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' });
  });
});
