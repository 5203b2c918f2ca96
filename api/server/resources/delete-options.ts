import type { PropagationPolicy } from '../../../core/events.ts';
import { apiErrors } from '../../../core/errors.ts';
import type { FastifyRequest } from 'fastify';
import { decodeBody } from '../request-body.ts';
import type { Query } from './request-scope.ts';

export interface DeleteOptionsInput {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

const POLICIES: PropagationPolicy[] = ['Background', 'Foreground', 'Orphan'];

/** metav1.DeleteOptions from the body (JSON, YAML or protobuf) or, failing that, the query string. */
export function deleteOptionsOf(request: FastifyRequest, query: Query): DeleteOptionsInput {
  const body = (decodeBody(request) ?? {}) as Record<string, any>;
  return deleteOptionsFrom(body, query);
}

export function deleteOptionsFrom(body: Record<string, any>, query: Query = {}): DeleteOptionsInput {
  const options: DeleteOptionsInput = { dryRun: false };
  const grace = body.gracePeriodSeconds ?? (query.gracePeriodSeconds !== undefined ? Number(query.gracePeriodSeconds) : undefined);
  if (grace !== undefined && grace !== null) {
    if (!Number.isInteger(Number(grace))) throw apiErrors.badRequest(`gracePeriodSeconds: Invalid value: ${grace}`);
    // Kubernetes turns a negative grace period into the immediate 1s minimum; 0 means now.
    options.gracePeriodSeconds = Math.max(0, Number(grace));
  }
  const orphan = body.orphanDependents ?? (query.orphanDependents !== undefined ? query.orphanDependents === 'true' : undefined);
  const policy = body.propagationPolicy ?? query.propagationPolicy;
  if (policy !== undefined && policy !== null && policy !== '') {
    if (!POLICIES.includes(policy)) {
      throw apiErrors.invalid('DeleteOptions', '', [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"` }]);
    }
    if (orphan !== undefined) throw apiErrors.invalid('DeleteOptions', '', [{ reason: 'FieldValueInvalid', field: 'propagationPolicy', message: 'Invalid value: "' + policy + '": orphanDependents and deletionPropagation cannot be both set' }]);
    options.propagationPolicy = policy;
  } else if (orphan !== undefined) options.propagationPolicy = orphan ? 'Orphan' : 'Background';
  const preconditions = body.preconditions;
  if (preconditions && (preconditions.uid || preconditions.resourceVersion)) {
    options.preconditions = {};
    if (preconditions.uid) options.preconditions.uid = String(preconditions.uid);
    if (preconditions.resourceVersion) options.preconditions.resourceVersion = String(preconditions.resourceVersion);
  }
  const dryRun: unknown = body.dryRun ?? (query.dryRun ? [query.dryRun] : undefined);
  if (Array.isArray(dryRun) && dryRun.length) {
    if (dryRun.some((v) => v !== 'All')) throw apiErrors.badRequest(`Invalid dry run value: ${dryRun.join(',')}; supported values: [All]`);
    options.dryRun = true;
  }
  return options;
}
