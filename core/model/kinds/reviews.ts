import type { StatusCause } from '../../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import type { KubeObject } from '../object.ts';
import type { Requester, ResourceType } from '../resource-type.ts';

/**
 * The reviews a client asks about itself: `kubectl auth can-i` (SelfSubjectAccessReview),
 * `kubectl auth can-i --list` (SelfSubjectRulesReview) and `kubectl auth whoami`
 * (SelfSubjectReview). The apiserver answers them at once and stores nothing, and so does Orrery:
 * the answer is the body with its status filled in, and the log is not touched.
 *
 * Orrery authorizes nothing beyond its optional bearer token (`orrery serve --token-file`): whoever
 * reaches the API may do anything, as a cluster-admin may. The answers say so.
 */

const ALLOWED_REASON = 'Orrery does not authorize requests: every client that reaches the API may do anything';

function review(kind: string, group: string, plural: string, validate: (object: KubeObject) => StatusCause[], answer: ResourceType['answer']): ResourceType {
  return {
    kind,
    group,
    version: 'v1',
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    namespaced: false,
    verbs: ['create'],
    subresources: [],
    columns: [],
    defaults: (object) => object,
    validate,
    answer,
  };
}

/** The apiserver refuses a review with anything in its metadata (`must be empty`). */
function metadataCauses(object: KubeObject): StatusCause[] {
  const set = Object.entries(object.metadata ?? {}).filter(([, value]) => value !== null && value !== undefined);
  return set.length > 0 ? [fieldErrors.invalid('metadata', Object.fromEntries(set), 'must be empty')] : [];
}

function answered(object: KubeObject, status: Record<string, unknown>): KubeObject {
  return { kind: object.kind, apiVersion: object.apiVersion, metadata: {}, spec: object.spec ?? {}, status };
}

export const selfSubjectAccessReviewType = review(
  'SelfSubjectAccessReview',
  'authorization.k8s.io',
  'selfsubjectaccessreviews',
  (object) => {
    const causes = metadataCauses(object);
    const spec = object.spec ?? {};
    const resource = spec.resourceAttributes ?? undefined;
    const nonResource = spec.nonResourceAttributes ?? undefined;
    if (resource !== undefined && nonResource !== undefined) {
      causes.push(fieldErrors.invalid('spec.nonResourceAttributes', nonResource, 'cannot be specified in combination with resourceAttributes'));
    } else if (resource === undefined && nonResource === undefined) {
      causes.push(fieldErrors.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
    }
    return causes;
  },
  (object) => answered(object, { allowed: true, reason: ALLOWED_REASON }),
);

export const selfSubjectRulesReviewType = review('SelfSubjectRulesReview', 'authorization.k8s.io', 'selfsubjectrulesreviews', metadataCauses, (object) =>
  answered(object, {
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  }),
);

export const selfSubjectReviewType = review('SelfSubjectReview', 'authentication.k8s.io', 'selfsubjectreviews', metadataCauses, (object, requester: Requester) => ({
  kind: object.kind,
  apiVersion: object.apiVersion,
  metadata: {},
  status: { userInfo: { username: requester.username, groups: [...requester.groups] } },
}));
