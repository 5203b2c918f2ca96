import { type KeyObject, createHash, createSign, generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * ServiceAccount tokens as kube-apiserver issues them for TokenRequest (`kubectl create token`):
 * JWTs signed RS256, header `{alg, kid}` where the key id is the unpadded base64url SHA-256 of the
 * public key's DER (as the apiserver derives it), claims `aud`, `exp`, `iat`, `iss`, `jti`, `nbf`,
 * `sub: system:serviceaccount:<ns>:<name>` and `kubernetes.io` (namespace, serviceaccount, and the
 * bound pod, secret or node).
 *
 * The signing key is made when the first token is asked for, at random, once per server: tokens
 * from before a restart can no longer be verified. Its public half is served as the apiserver serves
 * it (`/openid/v1/jwks`, with `/.well-known/openid-configuration`), so a token can be checked.
 * Orrery's API does NOT accept these tokens: it authenticates with the one token of
 * `orrery serve --token-file` (or nothing). Randomness and the clock are the API layer's; nothing
 * here is written to the log.
 */
export interface ServiceAccountTokens {
  /** `--service-account-issuer`: the `iss` claim. */
  readonly issuer: string;
  /** `--api-audiences`: a TokenRequest's audiences when it names none. */
  readonly audiences: readonly string[];
  /** Signs the claims (plus `iss`); resolves with the compact JWT. */
  sign(claims: TokenClaims): Promise<string>;
  /** The public key as a JSON Web Key Set. */
  jwks(): Promise<{ keys: Array<Record<string, string>> }>;
}

export interface ObjectRefClaim {
  name: string;
  uid?: string;
}

/** The claims of a service account token, as the apiserver sets them (`iss` is added when signed). */
export interface TokenClaims {
  aud: readonly string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  sub: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: ObjectRefClaim;
    pod?: ObjectRefClaim;
    secret?: ObjectRefClaim;
    node?: ObjectRefClaim;
  };
}

/** kubeadm's and kind's issuer (and so audience): the in-cluster name of the API. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function createServiceAccountTokens(issuer = DEFAULT_SERVICE_ACCOUNT_ISSUER, audiences: readonly string[] = [issuer]): ServiceAccountTokens {
  let key: Promise<{ privateKey: KeyObject; publicKey: KeyObject; kid: string }> | undefined;
  const signingKey = () =>
    (key ??= promisify(generateKeyPair)('rsa', { modulusLength: 2048 }).then(({ privateKey, publicKey }) => ({
      privateKey,
      publicKey,
      kid: base64url(createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest()),
    })));
  return {
    issuer,
    audiences,
    async sign(claims) {
      const { privateKey, kid } = await signingKey();
      const header = base64url(JSON.stringify({ alg: 'RS256', kid }));
      // Keys sorted, as the apiserver's (its JWT library marshals the merged claims as a map).
      const payload = base64url(JSON.stringify({ aud: claims.aud, exp: claims.exp, iat: claims.iat, iss: issuer, jti: claims.jti, 'kubernetes.io': claims['kubernetes.io'], nbf: claims.nbf, sub: claims.sub }));
      const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey);
      return `${header}.${payload}.${base64url(signature)}`;
    },
    async jwks() {
      const { publicKey, kid } = await signingKey();
      const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
      return { keys: [{ use: 'sig', kty: 'RSA', kid, alg: 'RS256', n: jwk.n!, e: jwk.e! }] };
    },
  };
}

/** The claims of a token for a service account, issued at `now` (ms) for `expirationSeconds`, bound to at most one object. */
export function serviceAccountClaims(options: {
  namespace: string;
  serviceAccount: ObjectRefClaim;
  audiences: readonly string[];
  now: number;
  expirationSeconds: number;
  pod?: ObjectRefClaim;
  secret?: ObjectRefClaim;
  node?: ObjectRefClaim;
}): TokenClaims {
  const issuedAt = Math.floor(options.now / 1000);
  // Keys in the order the apiserver's tokens have them (sorted); a pod-bound token also names the pod's node.
  const kubernetes: TokenClaims['kubernetes.io'] = {
    namespace: options.namespace,
    ...(options.node ? { node: refClaim(options.node) } : {}),
    ...(options.pod ? { pod: refClaim(options.pod) } : {}),
    ...(options.secret ? { secret: refClaim(options.secret) } : {}),
    serviceaccount: refClaim(options.serviceAccount),
  };
  return {
    aud: [...options.audiences],
    exp: issuedAt + options.expirationSeconds,
    iat: issuedAt,
    nbf: issuedAt,
    // A random id per token, as the apiserver's (ServiceAccountTokenJTI).
    jti: randomUUID(),
    sub: `system:serviceaccount:${options.namespace}:${options.serviceAccount.name}`,
    'kubernetes.io': kubernetes,
  };
}

function refClaim(ref: ObjectRefClaim): ObjectRefClaim {
  return ref.uid ? { name: ref.name, uid: ref.uid } : { name: ref.name };
}

/**
 * ServiceAccountIssuerDiscovery: `/.well-known/openid-configuration` and `/openid/v1/jwks`, from
 * which a relying party verifies the tokens this server issues.
 */
export function serviceAccountIssuerRoutes(app: FastifyInstance, tokens: ServiceAccountTokens): void {
  app.get('/.well-known/openid-configuration', async (request, reply) =>
    reply.header('content-type', 'application/json').send(
      JSON.stringify({
        issuer: tokens.issuer,
        jwks_uri: `${externalAddress(request)}/openid/v1/jwks`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }),
    ),
  );
  app.get('/openid/v1/jwks', async (_request, reply) => reply.header('content-type', 'application/jwk-set+json').send(JSON.stringify(await tokens.jwks())));
}

function externalAddress(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.hostname}`;
}
