import type { ResourceType } from './resource-type.ts';
import { podType } from './kinds/pod.ts';
import { nodeType } from './kinds/node.ts';
import { namespaceType } from './kinds/namespace.ts';
import { serviceType } from './kinds/service.ts';
import { endpointSliceType, endpointsType } from './kinds/endpoints.ts';
import { eventType, eventsV1Type } from './kinds/event.ts';
import { configMapType, secretType, serviceAccountType } from './kinds/config.ts';
import { podTemplateType, replicationControllerType } from './kinds/core-workloads.ts';
import { limitRangeType, podDisruptionBudgetType, resourceQuotaType } from './kinds/policy.ts';
import { persistentVolumeClaimType, persistentVolumeType, storageClassType } from './kinds/storage.ts';
import { controllerRevisionType, daemonSetType, deploymentType, replicaSetType, statefulSetType } from './kinds/apps.ts';
import { cronJobType, jobType } from './kinds/batch.ts';
import { horizontalPodAutoscalerType } from './kinds/autoscaling.ts';
import { ingressClassType, ingressType, networkPolicyType } from './kinds/networking.ts';
import { leaseType } from './kinds/coordination.ts';
import { priorityClassType } from './kinds/scheduling.ts';
import { clusterRoleBindingType, clusterRoleType, roleBindingType, roleType } from './kinds/rbac.ts';
import { customResourceDefinitionType } from './kinds/apiextensions.ts';
import { selfSubjectAccessReviewType, selfSubjectReviewType, selfSubjectRulesReviewType } from './kinds/reviews.ts';
import { nodeMetricsType, podMetricsType } from './kinds/metrics.ts';

/**
 * The one resource registry: every served kind, in discovery order (core first, then by group).
 * Kinds are looked up by Kind for the core/v1 and apps-style single-version kinds Orrery serves;
 * events.k8s.io Events share the Kind `Event` with core/v1, so `resourceTypeForKind('Event')`
 * answers the core/v1 entry.
 */
const RESOURCE_TYPES: readonly ResourceType[] = Object.freeze([
  namespaceType,
  nodeType,
  podType,
  serviceType,
  endpointsType,
  eventType,
  configMapType,
  secretType,
  serviceAccountType,
  podTemplateType,
  replicationControllerType,
  resourceQuotaType,
  persistentVolumeType,
  persistentVolumeClaimType,
  limitRangeType,
  deploymentType,
  replicaSetType,
  daemonSetType,
  statefulSetType,
  controllerRevisionType,
  jobType,
  cronJobType,
  horizontalPodAutoscalerType,
  podDisruptionBudgetType,
  ingressType,
  ingressClassType,
  networkPolicyType,
  leaseType,
  endpointSliceType,
  storageClassType,
  eventsV1Type,
  roleType,
  roleBindingType,
  clusterRoleType,
  clusterRoleBindingType,
  priorityClassType,
  customResourceDefinitionType,
  selfSubjectAccessReviewType,
  selfSubjectRulesReviewType,
  selfSubjectReviewType,
  // metrics.k8s.io last: `pods` and `nodes` stay the core kinds for kubectl's unqualified names.
  podMetricsType,
  nodeMetricsType,
]);

const byKind = new Map<string, ResourceType>();
const byGroupPlural = new Map<string, ResourceType>();
for (const type of RESOURCE_TYPES) {
  if (!byKind.has(type.kind)) byKind.set(type.kind, type);
  byGroupPlural.set(`${type.group}/${type.plural}`, type);
}

export function allResourceTypes(): readonly ResourceType[] {
  return RESOURCE_TYPES;
}

export function resourceTypeForKind(kind: string): ResourceType | undefined {
  return byKind.get(kind);
}

export function resourceTypeForPlural(group: string, plural: string): ResourceType | undefined {
  return byGroupPlural.get(`${group}/${plural}`);
}

function matchesName(type: ResourceType, name: string): boolean {
  return type.plural === name || type.singular === name || type.shortNames.includes(name) || type.kind.toLowerCase() === name;
}

/**
 * What kubectl resolves a resource argument to: plural, singular, short name or Kind (any case),
 * optionally qualified by group (`deploy.apps`, `deployments.apps`) or by version and group
 * (`deployments.v1.apps`). Unqualified names prefer the core group, then registry order, as
 * kubectl's RESTMapper priorities do (so `events` is core/v1).
 */
export function resolveResourceName(name: string, types: readonly ResourceType[] = RESOURCE_TYPES): ResourceType | undefined {
  const text = name.trim().toLowerCase();
  if (!text) return undefined;
  const direct = types.find((type) => matchesName(type, text));
  if (direct) return direct;
  const dot = text.indexOf('.');
  if (dot < 0) return undefined;
  const resource = text.slice(0, dot);
  const rest = text.slice(dot + 1);
  const candidates = types.filter((type) => matchesName(type, resource));
  const exact = candidates.find((type) => type.group === rest);
  if (exact) return exact;
  // `deployments.v1.apps`: version then group.
  const versionDot = rest.indexOf('.');
  if (versionDot > 0) {
    const version = rest.slice(0, versionDot);
    const group = rest.slice(versionDot + 1);
    const versioned = candidates.find((type) => type.group === group && (type.version === version || type.alsoServedAs?.includes(version)));
    if (versioned) return versioned;
  }
  // `pods.v1` (core group, version given).
  return candidates.find((type) => type.group === '' && (type.version === rest || type.alsoServedAs?.includes(rest)));
}
