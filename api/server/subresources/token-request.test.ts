import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { type SimulatedCluster, createSimulatedCluster } from '../../../projections/engine/simulated-cluster.ts';
import { createApiServer } from '../create-api-server.ts';
import { AGGREGATED_DISCOVERY_V2 } from '../discovery/aggregated-discovery.ts';
import { PROTOBUF_MAGIC, decodeKubernetesProtobuf, encodeKubernetesProtobuf } from '../protobuf/k8s-protobuf.ts';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER } from '../service-account-tokens.ts';

/** TokenRequest (POST serviceaccounts/<name>/token) through the API, JSON and protobuf, and what it refuses. */
let cluster: SimulatedCluster;
let app: FastifyInstance;
const TOKEN_PATH = '/api/v1/namespaces/default/serviceaccounts/robot/token';

beforeAll(async () => {
  cluster = await createSimulatedCluster({ controllers: [], nodes: 1 });
  app = createApiServer({ cluster });
  await app.ready();
  const created = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/serviceaccounts', payload: { metadata: { name: 'robot' } } });
  expect(created.statusCode).toBe(201);
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  expect((await app.inject({ method: 'POST', url: '/apis/apps/v1/namespaces/default/deployments', payload: deployment })).statusCode).toBe(201);
});

afterAll(async () => {
  await app?.close();
  await cluster?.close();
});

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
const request = (body: unknown, url = TOKEN_PATH) => app.inject({ method: 'POST', url, payload: body as object });

describe('serviceaccounts/token', () => {
  it('answers a JSON TokenRequest with a token and its expiry, and appends nothing', async () => {
    const head = await cluster.store.head();
    const response = await request({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['api', 'vault'], expirationSeconds: 7200 } });
    expect(response.statusCode, response.body).toBe(201);
    const answer = response.json();
    expect(answer).toMatchObject({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: 'robot', namespace: 'default' },
      spec: { audiences: ['api', 'vault'], expirationSeconds: 7200, boundObjectRef: null },
    });
    const claims = claimsOf(answer.status.token);
    expect(claims).toMatchObject({ aud: ['api', 'vault'], iss: DEFAULT_SERVICE_ACCOUNT_ISSUER, sub: 'system:serviceaccount:default:robot' });
    expect(claims.exp - claims.iat).toBe(7200);
    expect(Date.parse(answer.status.expirationTimestamp) / 1000).toBe(claims.exp);
    expect(Date.parse(answer.metadata.creationTimestamp) / 1000).toBe(claims.iat);
    // The payload's keys are sorted, as the apiserver's are.
    expect(Object.keys(claims)).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
    expect(await cluster.store.head()).toBe(head);
  });

  it('decodes the protobuf TokenRequest typed clients send (Kubernetes field numbers), defaulting what is left out', async () => {
    const body = encodeKubernetesProtobuf({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['x'], expirationSeconds: 1200 } });
    expect(body.subarray(0, 4).equals(PROTOBUF_MAGIC)).toBe(true);
    expect(decodeKubernetesProtobuf(body)).toEqual({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['x'], expirationSeconds: 1200 } });
    const response = await app.inject({ method: 'POST', url: TOKEN_PATH, headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, payload: body });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().spec).toEqual({ audiences: ['x'], expirationSeconds: 1200, boundObjectRef: null });
    const bare = encodeKubernetesProtobuf({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: {} });
    const defaulted = await app.inject({ method: 'POST', url: TOKEN_PATH, headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, payload: bare });
    expect(defaulted.json().spec).toEqual({ audiences: [DEFAULT_SERVICE_ACCOUNT_ISSUER], expirationSeconds: 3600, boundObjectRef: null });
    // A zero expiration is a zero (a pointer field), refused as the apiserver refuses it.
    const zero = encodeKubernetesProtobuf({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { expirationSeconds: 0 } });
    expect((await app.inject({ method: 'POST', url: TOKEN_PATH, headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, payload: zero })).statusCode).toBe(422);
  });

  it("refuses what the apiserver refuses, in its words", async () => {
    const cases: Array<[unknown, number, string, string?]> = [
      [{ spec: { expirationSeconds: 599 } }, 422, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes'],
      [{ spec: { expirationSeconds: 2 ** 32 + 1 } }, 422, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds'],
      [{ metadata: { name: 'other' } }, 422, 'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified'],
      [{ metadata: { namespace: 'kube-system' } }, 422, 'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.namespace: Invalid value: "kube-system": must match the service account namespace if specified'],
      [{}, 404, 'serviceaccounts "ghost" not found', '/api/v1/namespaces/default/serviceaccounts/ghost/token'],
      [{ spec: { boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'web' } } }, 400, 'cannot bind token to object of type apps/v1, Kind=Deployment'],
      [{ spec: { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } } }, 400, 'cannot bind token to object of type /v1, Kind=ConfigMap'],
      [{ spec: { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'nope' } } }, 404, 'secrets "nope" not found'],
      [{ spec: { boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'node-1', uid: 'stale' } } }, 409, 'Operation cannot be fulfilled on Node "node-1": the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated'],
      [{ apiVersion: 'v1', kind: 'TokenRequest' }, 400, 'the API version in the data (v1) does not match the expected API version (authentication.k8s.io/v1)'],
    ];
    const head = await cluster.store.head();
    for (const [body, code, message, url] of cases) {
      const response = await request(body, url);
      expect(response.statusCode, JSON.stringify(body)).toBe(code);
      expect(response.json().message).toBe(message);
    }
    expect((await app.inject({ method: 'GET', url: TOKEN_PATH })).statusCode).toBe(405);
    expect(await cluster.store.head()).toBe(head);
  });

  it('binds a token to a node', async () => {
    const node = cluster.state.objects.get('Node')!.get('node-1')!;
    const response = await request({ spec: { boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'node-1', uid: node.metadata.uid } } });
    expect(response.statusCode, response.body).toBe(201);
    expect(claimsOf(response.json().status.token)['kubernetes.io']).toMatchObject({ node: { name: 'node-1', uid: node.metadata.uid } });
  });

  it('is listed in discovery with the TokenRequest kind and the create verb', async () => {
    const legacy = (await app.inject('/api/v1')).json();
    expect(legacy.resources.find((r: { name: string }) => r.name === 'serviceaccounts/token')).toMatchObject({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
    const aggregated = (await app.inject({ url: '/api', headers: { accept: AGGREGATED_DISCOVERY_V2 } })).json();
    const serviceAccounts = aggregated.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'serviceaccounts');
    expect(serviceAccounts.subresources).toEqual([{ subresource: 'token', responseKind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] }]);
  });

  it('issues tokens the API itself does not accept: only the token of --token-file authenticates', async () => {
    const guarded = createApiServer({ cluster, token: 'the-one-token' });
    try {
      const issued = await guarded.inject({ method: 'POST', url: TOKEN_PATH, headers: { authorization: 'Bearer the-one-token' }, payload: {} });
      expect(issued.statusCode).toBe(201);
      const token = issued.json().status.token as string;
      expect((await guarded.inject({ url: '/api/v1/namespaces/default/serviceaccounts', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
      expect((await guarded.inject({ url: '/api/v1/namespaces/default/serviceaccounts', headers: { authorization: 'Bearer the-one-token' } })).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('is not served in the past (/at/<position>), which is read-only', async () => {
    const response = await request({}, `/at/${cluster.state.position}${TOKEN_PATH}`);
    expect(response.statusCode).toBe(405);
  });
});
