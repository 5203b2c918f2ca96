import { budgetStatusCurrent } from './budget-status-current.ts';
import { containersStartWithConfig } from './containers-start-with-config.ts';
import { cronJobRunsOnSchedule } from './cronjob-schedule.ts';
import { daemonPodPerNode } from './daemon-pod-per-node.ts';
import { endpointsFollowPods } from './endpoints-follow-pods.ts';
import { ingressAddressesUnique } from './ingress-addresses-unique.ts';
import { evictionRespectsToleration } from './eviction-respects-toleration.ts';
import { rebuildEqualsLive, snapshotPlusTailEqualsReplay } from './event-sourcing.ts';
import type { Invariant } from './invariant.ts';
import { hpaWithinBounds } from './hpa-within-bounds.ts';
import { jobWithinParallelism } from './job-parallelism.ts';
import { noExecuteTaintsEvict } from './no-execute-taints-evict.ts';
import { noSchedulingOntoUnreadyNodes } from './no-scheduling-onto-unready-nodes.ts';
import { ownerReferencesLive } from './owner-references-live.ts';
import { podBoundOnce } from './pod-bound-once.ts';
import { quotaRespected } from './quota-respected.ts';
import { replicationControllersConverge } from './replication-controllers-converge.ts';
import { requestsWithinAllocatable } from './requests-within-allocatable.ts';
import { resourceVersionsIncrease } from './resource-versions-increase.ts';
import { serviceAllocationsUnique } from './service-allocations-unique.ts';
import { statefulSetOrderedCreation, statefulSetUniqueOrdinals } from './statefulset-ordinals.ts';
import { rollingUpdateWithinBounds } from './rolling-update-bounds.ts';
import { volumeBoundOnce } from './volume-bound-once.ts';
import { workloadsConverge } from './workloads-converge.ts';

export type { Invariant, InvariantChecker, RunEnd, Violation } from './invariant.ts';
export { defineInvariant } from './invariant.ts';

/** Every built-in invariant. Determinism (re-running reproduces the log) is checked by the runner itself. */
export const builtInInvariants: readonly Invariant[] = [
  podBoundOnce,
  requestsWithinAllocatable,
  noSchedulingOntoUnreadyNodes,
  evictionRespectsToleration,
  noExecuteTaintsEvict,
  rollingUpdateWithinBounds,
  ownerReferencesLive,
  resourceVersionsIncrease,
  ingressAddressesUnique,
  workloadsConverge,
  serviceAllocationsUnique,
  endpointsFollowPods,
  daemonPodPerNode,
  statefulSetUniqueOrdinals,
  statefulSetOrderedCreation,
  jobWithinParallelism,
  cronJobRunsOnSchedule,
  budgetStatusCurrent,
  hpaWithinBounds,
  containersStartWithConfig,
  volumeBoundOnce,
  quotaRespected,
  replicationControllersConverge,
  rebuildEqualsLive,
  snapshotPlusTailEqualsReplay,
];

export function invariantByName(name: string): Invariant | undefined {
  return builtInInvariants.find((invariant) => invariant.name === name);
}
