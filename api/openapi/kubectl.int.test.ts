import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUnknownFields, strictDecodingError } from './unknown-fields.ts';
import { fixtureTypes, runKubectl, startFakeApiServer, type FakeApiServer } from './test-fixtures.ts';

/** Real kubectl 1.32 reading the documents from a throwaway server: proves explain and server-side validation work. */
const kubectlInstalled = existsSync('/usr/bin/kubectl');
/** Each test runs kubectl a few times; generous, since the whole suite shares two cores. */
const KUBECTL_TIMEOUT_MS = 60_000;

describe.skipIf(!kubectlInstalled)('kubectl against the OpenAPI v3 documents', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await startFakeApiServer(fixtureTypes, (request, response) => {
      if (!request.url.startsWith('/apis/apps/v1/namespaces/default/deployments')) return false;
      response.setHeader('content-type', 'application/json');
      if (request.method === 'GET') {
        response.writeHead(404);
        response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'deployments.apps "web" not found', reason: 'NotFound', details: { name: 'web', group: 'apps', kind: 'deployments' }, code: 404 }));
        return true;
      }
      const body = JSON.parse(request.body);
      const unknown = findUnknownFields(body, 'Deployment', 'apps/v1');
      if (request.url.includes('fieldValidation=Strict') && unknown.length > 0) {
        response.writeHead(400);
        response.end(JSON.stringify(strictDecodingError(unknown, { kind: 'Deployment', version: 'v1' }).toStatus()));
        return true;
      }
      response.writeHead(201);
      response.end(JSON.stringify(body));
      return true;
    });
  });
  afterAll(() => server.close());

  it('explains deployment.spec.strategy from the apps/v1 document', async () => {
    const result = await runKubectl(server.url, ['explain', 'deployment.spec.strategy']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('GROUP:      apps');
    expect(result.stdout).toContain('FIELD: strategy <DeploymentStrategy>');
    expect(result.stdout).toContain('DeploymentStrategy describes how to replace existing pods with new ones.');
    expect(result.stdout).toMatch(/rollingUpdate\s+<RollingUpdateDeployment>/);
    expect(server.requests.some((request) => request.url.startsWith('/openapi/v3/apis/apps/v1?hash='))).toBe(true);
  }, KUBECTL_TIMEOUT_MS);

  it('explains pod.spec.containers recursively from the core document', async () => {
    const result = await runKubectl(server.url, ['explain', 'pod.spec.containers', '--recursive']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('FIELD: containers <[]Container>');
    expect(result.stdout).toMatch(/containerPort\s+<integer> -required-/);
    expect(result.stdout).toMatch(/imagePullPolicy\s+<string>/);
  }, KUBECTL_TIMEOUT_MS);

  it('makes kubectl skip client-side validation and send fieldValidation=Strict; the server reports unknown fields', async () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  foo: 1',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec: {containers: [{name: web, image: nginx, imagePullPolicyy: Always}]}',
      '',
    ].join('\n');
    const before = server.requests.length;
    const result = await runKubectl(server.url, ['apply', '-f', '-'], manifest);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
    );
    const sent = server.requests.slice(before);
    expect(sent.find((request) => request.method === 'POST')?.url).toBe('/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-client-side-apply&fieldValidation=Strict');
    expect(sent.some((request) => request.url.startsWith('/openapi/v2'))).toBe(false);
  }, KUBECTL_TIMEOUT_MS);
});
