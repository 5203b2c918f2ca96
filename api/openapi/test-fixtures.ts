import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiVersionOf, type ResourceType } from '../../core/model/resource-type.ts';
import { openApiV3Document, openApiV3PathOf, openApiV3Root } from './documents.ts';

const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function fixtureType(entry: Pick<ResourceType, 'kind' | 'group' | 'version' | 'plural' | 'namespaced'> & Partial<ResourceType>): ResourceType {
  return {
    singular: entry.kind.toLowerCase(),
    shortNames: [],
    verbs: STANDARD_VERBS,
    subresources: [],
    columns: [],
    defaults: (object) => object,
    validate: () => [],
    ...entry,
  };
}

/** A few registry entries shaped like the real ones, so tests do not depend on the registry's progress. */
export const fixtureTypes: readonly ResourceType[] = [
  fixtureType({ kind: 'Pod', group: '', version: 'v1', plural: 'pods', shortNames: ['po'], namespaced: true, subresources: ['status', 'binding', 'eviction', 'log'] }),
  fixtureType({ kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', shortNames: ['ns'], namespaced: false, subresources: ['status'] }),
  fixtureType({ kind: 'Node', group: '', version: 'v1', plural: 'nodes', shortNames: ['no'], namespaced: false, subresources: ['status'] }),
  fixtureType({ kind: 'Service', group: '', version: 'v1', plural: 'services', shortNames: ['svc'], namespaced: true, subresources: ['status'] }),
  fixtureType({ kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments', shortNames: ['deploy'], namespaced: true, subresources: ['status', 'scale'] }),
  fixtureType({ kind: 'Widget', group: 'orrery.dev', version: 'v1', plural: 'widgets', namespaced: true }),
];

export interface RecordedRequest {
  method: string;
  url: string;
  contentType?: string;
  body: string;
}

export interface FakeApiServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Serves discovery and the OpenAPI v3 documents for `types`, like kube-apiserver would, plus
 * whatever `handle` answers (object CRUD in tests). Throwaway: for tests that run real kubectl.
 */
export async function startFakeApiServer(
  types: readonly ResourceType[],
  handle?: (request: RecordedRequest, response: ServerResponse) => boolean,
): Promise<FakeApiServer> {
  const requests: RecordedRequest[] = [];
  const groupVersions = [...new Set(types.map((type) => apiVersionOf(type)))];
  const json = (response: ServerResponse, code: number, body: unknown) => {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const resourceList = (groupVersion: string) => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: types
      .filter((type) => apiVersionOf(type) === groupVersion)
      .flatMap((type) => [
        { name: type.plural, singularName: type.singular, namespaced: type.namespaced, kind: type.kind, verbs: type.verbs, shortNames: type.shortNames },
        ...type.subresources.map((sub) => ({ name: `${type.plural}/${sub}`, singularName: '', namespaced: type.namespaced, kind: sub === 'scale' ? 'Scale' : type.kind, verbs: ['get', 'patch', 'update'] })),
      ]),
  });
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: RecordedRequest = { method: request.method ?? 'GET', url: request.url ?? '/', contentType: request.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const path = recorded.url.split('?')[0];
      if (handle?.(recorded, response)) return;
      if (path === '/version') return json(response, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
      if (path === '/api') return json(response, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
      if (path === '/apis') {
        const groups = [...new Set(types.filter((type) => type.group).map((type) => type.group))];
        return json(response, 200, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: groups.map((name) => {
            const versions = groupVersions.filter((gv) => gv.startsWith(`${name}/`)).map((groupVersion) => ({ groupVersion, version: groupVersion.split('/')[1] }));
            return { name, versions, preferredVersion: versions[0] };
          }),
        });
      }
      const gvMatch = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/.exec(path);
      if (gvMatch) return json(response, 200, resourceList(gvMatch[1] ?? gvMatch[2]));
      if (path === '/openapi/v3') return json(response, 200, openApiV3Root(groupVersions, types));
      const openapi = /^\/openapi\/v3\/(.+)$/.exec(path);
      const groupVersion = openapi && groupVersions.find((gv) => openApiV3PathOf(gv) === openapi[1]);
      if (groupVersion) return json(response, 200, openApiV3Document(groupVersion, types));
      json(response, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl against `server` with a private kubeconfig and cache. */
export function runKubectl(serverUrl: string, args: string[], stdin?: string, env: Record<string, string> = {}): Promise<KubectlResult> {
  const home = mkdtempSync(join(tmpdir(), 'orrery-kubectl-'));
  const kubeconfig = join(home, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${serverUrl}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    namespace: default\ncurrent-context: c\nusers: []\n`,
  );
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', join(home, 'cache'), ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
