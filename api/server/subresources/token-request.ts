import { apiErrors } from '../../../core/errors.ts';
import { fieldErrors } from '../../../core/model/field-errors.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import { decodeBody } from '../request-body.ts';
import { type ResourceScope, sendJson } from '../resources/request-scope.ts';
import { objectKeyOf } from '../resources/write-handlers.ts';
import { type ObjectRefClaim, serviceAccountClaims } from '../service-account-tokens.ts';

const GROUP = 'authentication.k8s.io';
const API_VERSION = `${GROUP}/v1`;
const KIND = 'TokenRequest';
/** The apiserver's bounds on spec.expirationSeconds (10 minutes to 2^32 seconds) and its default. */
const MIN_EXPIRATION_SECONDS = 10 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const DEFAULT_EXPIRATION_SECONDS = 60 * 60;

interface TokenRequestBody {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string } | null;
  spec?: {
    audiences?: unknown;
    expirationSeconds?: unknown;
    boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null;
  } | null;
}

/**
 * POST serviceaccounts/<name>/token (authentication.k8s.io/v1 TokenRequest, `kubectl create
 * token`): answered as kube-apiserver's TokenREST answers it, a signed token for the service
 * account, optionally bound to a Pod, Secret or Node of the cluster. Like the reviews, it is never
 * stored: nothing is appended to the log. See service-account-tokens.ts for the token itself (and
 * why Orrery's own API does not accept it).
 */
export async function tokenRequestHandler(scope: ResourceScope) {
  const tokens = scope.context.tokens;
  if (!tokens) throw apiErrors.methodNotAllowed('the server does not allow this method on the requested resource');
  const body = (decodeBody(scope.request) ?? {}) as TokenRequestBody;
  if (body.apiVersion && body.apiVersion !== API_VERSION) {
    throw apiErrors.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${API_VERSION})`);
  }
  if (body.kind && body.kind !== KIND) throw apiErrors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${KIND})`);
  const name = scope.name!;
  const namespace = scope.namespace!;
  const metadata = body.metadata ?? {};
  if (metadata.name && metadata.name !== name) {
    throw apiErrors.invalid(KIND, name, [fieldErrors.invalid('metadata.name', metadata.name, 'must match the service account name if specified')], GROUP);
  }
  if (metadata.namespace && metadata.namespace !== namespace) {
    throw apiErrors.invalid(KIND, name, [fieldErrors.invalid('metadata.namespace', metadata.namespace, 'must match the service account namespace if specified')], GROUP);
  }

  const state = scope.context.cluster.state;
  const serviceAccount = state.objects.get('ServiceAccount')?.get(objectKeyOf(scope));
  if (!serviceAccount) throw apiErrors.notFound('serviceaccounts', name);

  const spec = body.spec ?? {};
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.map(String) : [...tokens.audiences];
  const expirationSeconds = spec.expirationSeconds === undefined || spec.expirationSeconds === null ? DEFAULT_EXPIRATION_SECONDS : Number(spec.expirationSeconds);
  if (!Number.isInteger(expirationSeconds)) throw apiErrors.badRequest(`spec.expirationSeconds: must be an integer, got ${JSON.stringify(spec.expirationSeconds)}`);
  // The apiserver validates after filling in name and namespace, and names no object in this error.
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) {
    throw apiErrors.invalid(KIND, '', [fieldErrors.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes')], GROUP);
  }
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    throw apiErrors.invalid(KIND, '', [fieldErrors.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds')], GROUP);
  }

  const bound = spec.boundObjectRef ? boundObject(state.objects, namespace, name, spec.boundObjectRef) : {};
  const now = scope.context.now();
  const claims = serviceAccountClaims({
    namespace,
    serviceAccount: refOf(serviceAccount),
    audiences,
    now,
    expirationSeconds,
    ...bound,
  });
  const token = await tokens.sign(claims);
  return sendJson(scope.reply, 201, {
    kind: KIND,
    apiVersion: API_VERSION,
    metadata: { name, namespace, creationTimestamp: toRfc3339(now) },
    spec: {
      audiences,
      expirationSeconds,
      boundObjectRef: spec.boundObjectRef ? { kind: spec.boundObjectRef.kind, apiVersion: spec.boundObjectRef.apiVersion, name: spec.boundObjectRef.name, ...(spec.boundObjectRef.uid ? { uid: spec.boundObjectRef.uid } : {}) } : null,
    },
    status: { token, expirationTimestamp: toRfc3339(now + expirationSeconds * 1000) },
  });
}

function refOf(object: KubeObject): ObjectRefClaim {
  return { name: object.metadata.name ?? '', ...(object.metadata.uid ? { uid: object.metadata.uid } : {}) };
}

/** The Pod, Secret or Node a token is bound to, checked as the apiserver checks it. */
function boundObject(
  objects: Map<string, Map<string, KubeObject>>,
  namespace: string,
  serviceAccount: string,
  ref: NonNullable<NonNullable<TokenRequestBody['spec']>['boundObjectRef']>,
): { pod?: ObjectRefClaim; secret?: ObjectRefClaim; node?: ObjectRefClaim } {
  const kind = ref.kind ?? '';
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const name = ref.name ?? '';
  let bound: { pod?: ObjectRefClaim; secret?: ObjectRefClaim; node?: ObjectRefClaim };
  let uid: string | undefined;
  if (group === '' && kind === 'Pod') {
    const pod = objects.get('Pod')?.get(`${namespace}/${name}`);
    if (!pod) throw apiErrors.notFound('pods', name);
    const podServiceAccount = (pod.spec?.serviceAccountName as string | undefined) ?? 'default';
    if (podServiceAccount !== serviceAccount) {
      throw apiErrors.badRequest(`cannot bind token for serviceaccount "${serviceAccount}" to pod running with different serviceaccount name.`);
    }
    uid = pod.metadata.uid;
    bound = { pod: refOf(pod) };
    const nodeName = pod.spec?.nodeName as string | undefined;
    if (nodeName) {
      // A node that is gone is still named, without its uid.
      const node = objects.get('Node')?.get(nodeName);
      bound.node = node ? refOf(node) : { name: nodeName };
    }
  } else if (group === '' && kind === 'Node') {
    const node = objects.get('Node')?.get(name);
    if (!node) throw apiErrors.notFound('nodes', name);
    uid = node.metadata.uid;
    bound = { node: refOf(node) };
  } else if (group === '' && kind === 'Secret') {
    const secret = objects.get('Secret')?.get(`${namespace}/${name}`);
    if (!secret) throw apiErrors.notFound('secrets', name);
    uid = secret.metadata.uid;
    bound = { secret: refOf(secret) };
  } else {
    throw apiErrors.badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
  }
  if (ref.uid && uid !== ref.uid) {
    throw apiErrors.conflict(kind, name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return bound;
}
