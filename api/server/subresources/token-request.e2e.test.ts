import { createPublicKey, createVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../core/model/object.ts';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER } from '../service-account-tokens.ts';
import { HAS_KUBECTL, type KubectlHarness, eventually, startKubectlHarness } from '../testing/kubectl-harness.ts';

// Real processes and a wall-clock cluster: generous limits, for a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

/**
 * The real kubectl (v1.32) running `kubectl create token` (a TokenRequest on serviceaccounts/token,
 * sent as protobuf): the printed token is a JWT with the apiserver's claims, verifiable with the
 * server's JWKS, and nothing is appended to the log. Heartbeats are slowed (and the node lifecycle's
 * grace lengthened to match) so that nothing but the test writes while it reads the log's length.
 */
let harness: KubectlHarness;

beforeAll(async () => {
  if (!HAS_KUBECTL) return;
  harness = await startKubectlHarness('token', {
    nodes: 2,
    controllerOptions: { kubelet: { startupDelayMs: 200, heartbeatIntervalMs: 600_000 }, nodeLifecycle: { nodeMonitorGracePeriodMs: 1_800_000 } },
  });
});

afterAll(async () => {
  await harness?.close();
});

const kubectl = (args: string[]) => harness.kubectl(args);
const ok = (args: string[]) => harness.ok(args);
const object = (kind: string, key: string): KubeObject | undefined => harness.server.cluster.state.objects.get(kind)?.get(key);

interface Claims {
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  iss: string;
  jti: string;
  sub: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string }; pod?: { name: string; uid: string }; node?: { name: string; uid?: string }; secret?: { name: string; uid: string } };
}

function decode(token: string): { header: { alg: string; kid: string }; claims: Claims } {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  for (const part of parts) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
  return { header: JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()), claims: JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) };
}

async function createToken(args: string[]): Promise<{ token: string; header: { alg: string; kid: string }; claims: Claims }> {
  const token = await ok(['create', 'token', ...args]);
  // Not a terminal: kubectl prints the token alone, without a newline.
  expect(token).not.toMatch(/\s/);
  return { token, ...decode(token) };
}

describe.skipIf(!HAS_KUBECTL)('kubectl create token', () => {
  beforeAll(async () => {
    // Each namespace's `default` account comes from the ServiceAccount controller.
    expect(await ok(['get', 'serviceaccount', 'default', '-o', 'name'])).toBe('serviceaccount/default\n');
    await ok(['create', 'serviceaccount', 'builder']);
    await ok(['create', 'secret', 'generic', 'bound', '--from-literal=a=b']);
    await ok(['run', 'web', '--image=nginx', '--restart=Never']);
    await eventually(() => object('Pod', 'default/web')?.status?.phase === 'Running');
  });

  it('prints a signed JWT with the apiserver claims, for the requested duration and audiences, and appends nothing', async () => {
    const before = harness.server.cluster.state.position;
    const serviceAccount = object('ServiceAccount', 'default/default')!;

    const plain = await createToken(['default']);
    const now = Date.now() / 1000;
    expect(plain.header.alg).toBe('RS256');
    expect(plain.header.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(plain.claims).toMatchObject({
      aud: [DEFAULT_SERVICE_ACCOUNT_ISSUER],
      iss: DEFAULT_SERVICE_ACCOUNT_ISSUER,
      sub: 'system:serviceaccount:default:default',
      'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'default', uid: serviceAccount.metadata.uid } },
    });
    expect(plain.claims['kubernetes.io'].pod).toBeUndefined();
    expect(plain.claims.exp - plain.claims.iat).toBe(3600);
    expect(plain.claims.nbf).toBe(plain.claims.iat);
    expect(Math.abs(plain.claims.iat - now)).toBeLessThan(60);
    expect(plain.claims.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    // The signature checks out with the server's published key (ServiceAccountIssuerDiscovery).
    const jwks = JSON.parse(await ok(['get', '--raw', '/openid/v1/jwks'])) as { keys: Array<Record<string, string>> };
    const jwk = jwks.keys.find((key) => key.kid === plain.header.kid)!;
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    const [header, payload, signature] = plain.token.split('.');
    expect(createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature!, 'base64url'))).toBe(true);
    const discovery = JSON.parse(await ok(['get', '--raw', '/.well-known/openid-configuration']));
    expect(discovery).toMatchObject({ issuer: DEFAULT_SERVICE_ACCOUNT_ISSUER, id_token_signing_alg_values_supported: ['RS256'] });
    expect(discovery.jwks_uri).toMatch(/\/openid\/v1\/jwks$/);

    const twentyMinutes = await createToken(['default', '--duration=20m']);
    expect(twentyMinutes.claims.exp - twentyMinutes.claims.iat).toBe(1200);
    expect(twentyMinutes.claims.jti).not.toBe(plain.claims.jti);

    expect((await createToken(['default', '--audience=x'])).claims.aud).toEqual(['x']);
    expect((await createToken(['default', '--audience=x', '--audience=https://vault.example']).then((t) => t.claims.aud))).toEqual(['x', 'https://vault.example']);

    // Bound to a pod: the pod and its node are named, with their uids.
    const pod = object('Pod', 'default/web')!;
    const node = object('Node', pod.spec!.nodeName as string)!;
    const podBound = await createToken(['default', '--bound-object-kind=Pod', '--bound-object-name=web']);
    expect(podBound.claims['kubernetes.io']).toEqual({
      namespace: 'default',
      node: { name: node.metadata.name, uid: node.metadata.uid },
      pod: { name: 'web', uid: pod.metadata.uid },
      serviceaccount: { name: 'default', uid: serviceAccount.metadata.uid },
    });
    const secret = object('Secret', 'default/bound')!;
    const secretBound = await createToken(['default', '--bound-object-kind=Secret', '--bound-object-name=bound', `--bound-object-uid=${secret.metadata.uid}`]);
    expect(secretBound.claims['kubernetes.io'].secret).toEqual({ name: 'bound', uid: secret.metadata.uid });

    // -o yaml shows the TokenRequest itself.
    const request = JSON.parse(await ok(['create', 'token', 'default', '--duration=1h', '-o', 'json']));
    expect(request).toMatchObject({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: 'default', namespace: 'default' }, spec: { audiences: [DEFAULT_SERVICE_ACCOUNT_ISSUER], expirationSeconds: 3600 } });
    const issued = decode(request.status.token).claims;
    expect(Date.parse(request.status.expirationTimestamp) / 1000).toBe(issued.exp);

    expect(await harness.userWritesSince(before)).toEqual([]);
  });

  it("answers the apiserver's errors: a missing account, a duration under 10 minutes, a pod of another account", async () => {
    const before = harness.server.cluster.state.position;
    const missing = await kubectl(['create', 'token', 'missing']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe('error: failed to create token: serviceaccounts "missing" not found');

    const short = await kubectl(['create', 'token', 'default', '--duration=5m']);
    expect(short.code).not.toBe(0);
    expect(short.stderr.trim()).toBe('error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');

    const otherAccount = await kubectl(['create', 'token', 'builder', '--bound-object-kind=Pod', '--bound-object-name=web']);
    expect(otherAccount.code).not.toBe(0);
    expect(otherAccount.stderr.trim()).toBe('error: failed to create token: cannot bind token for serviceaccount "builder" to pod running with different serviceaccount name.');

    const gonePod = await kubectl(['create', 'token', 'default', '--bound-object-kind=Pod', '--bound-object-name=gone']);
    expect(gonePod.stderr.trim()).toBe('error: failed to create token: pods "gone" not found');

    const wrongUid = await kubectl(['create', 'token', 'default', '--bound-object-kind=Secret', '--bound-object-name=bound', '--bound-object-uid=0000']);
    expect(wrongUid.stderr.trim()).toBe(
      'error: failed to create token: Operation cannot be fulfilled on Secret "bound": the UID in the bound object reference (0000) does not match the UID in record. The object might have been deleted and then recreated',
    );
    expect(await harness.userWritesSince(before)).toEqual([]);
  });

  it('is in discovery: serviceaccounts/token, create, authentication.k8s.io/v1 TokenRequest', async () => {
    const core = JSON.parse(await ok(['get', '--raw', '/api/v1']));
    expect(core.resources.find((r: { name: string }) => r.name === 'serviceaccounts/token')).toEqual({
      name: 'serviceaccounts/token',
      singularName: '',
      namespaced: true,
      group: 'authentication.k8s.io',
      version: 'v1',
      kind: 'TokenRequest',
      verbs: ['create'],
    });
  });
});
