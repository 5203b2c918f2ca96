import type { KubeObject } from '../../../core/model/object.ts';
import { type Selector, matches } from '../../../core/model/labels.ts';
import { compiledSelector } from '../compiled-selector.ts';
import { POD_TEMPLATE_HASH_LABEL, computeHash } from '../../../core/model/pod-template-hash.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command, CommandMeta } from '../../commands.ts';
import { getObject, listObjects, ownedBy } from '../../state/queries.ts';
import { qualifiedKey } from '../../state/indexes.ts';
import { jsonEqual } from '../../write-path/json-equal.ts';
import { claimVerdict, controllerOf, newControllerRef, withControllerRef, withoutOwner } from '../replicaset/controller-ref.ts';
import { splitKey } from '../replicaset/sync-replicaset.ts';
import {
  REVISION_ANNOTATION,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  maxRevision,
  newReplicaSetAnnotationsWouldChange,
  replicasAnnotationsNeedUpdate,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './annotations.ts';
import { type DeploymentCondition, REASONS, conditionTime, getCondition, newCondition, removeCondition, setCondition } from './conditions.ts';
import { type DeploymentStatus, calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut } from './deployment-status.ts';
import { type DeploymentSpec, deploymentSpec, maxSurge, maxUnavailable } from './deployment-spec.ts';
import {
  activeReplicaSets,
  availableReplicas,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  equalIgnoreHash,
  findNewReplicaSet,
  specReplicas,
  statusReplicas,
  sum,
} from './replica-sets.ts';
import { clonePlain } from '../../write-path/clone-json.ts';
import { withMeta } from '../with-meta.ts';

export interface DeploymentSyncContext {
  state: ClusterState;
  now: number;
  meta: CommandMeta;
}

export interface DeploymentSyncResult {
  commands: Command[];
  /** When the progress deadline would pass, if the rollout is still going. */
  wakeAt?: number;
  /** Recreate is waiting for old pods to go: pod removals in the namespace should resync it. */
  waitingForOldPods?: boolean;
}

/** A ReplicaSet create whose name is already taken by someone else's: bump collisionCount and stop. */
class HashCollision extends Error {}

const REPLICASET_PREFIX = qualifiedKey('ReplicaSet', '');

/**
 * One reconcile of one Deployment (`syncDeployment`, pkg/controller/deployment): the same steps and
 * decisions as Kubernetes, planned on working copies. Kubernetes writes as it goes and later steps
 * see the results; here every write lands in one ordered command list (a ReplicaSet touched twice
 * gets one update carrying both changes) and the Deployment's status is written once, at the end.
 */
export function syncDeployment(key: string, context: DeploymentSyncContext): DeploymentSyncResult {
  const [namespace, name] = splitKey(key);
  const current = getObject(context.state, 'Deployment', namespace, name);
  if (!current) return { commands: [] };
  return new DeploymentSync(current, context).run();
}

class DeploymentSync {
  private readonly d: KubeObject;
  private readonly spec: DeploymentSpec;
  private nowTextCache: string | undefined;
  private readonly commands: Command[] = [];
  /** ReplicaSet name → its pending create or update command, whose object is the working copy (made at the first write: most syncs write none). */
  private rsWrites: Map<string, Command> | undefined;
  /** ReplicaSets whose parts this sync may change in place (see writable; made when first needed). */
  private ownParts: Set<KubeObject> | undefined;
  /** The list findNewReplicaSet last looked at, and what it found. */
  private newRSList: readonly KubeObject[] | undefined;
  private newRSFound: KubeObject | undefined;
  /** The list last split into new and old ReplicaSets (and its length then: creating a ReplicaSet adds to it), the old ones, and the next revision. */
  private oldRSsOf: { list: readonly KubeObject[]; length: number; oldRSs: KubeObject[]; newRevision: number } | undefined;
  /**
   * The existing new ReplicaSet whose annotations and minReadySeconds this sync has brought in line
   * with the Deployment (for that revision): a second look (a rollout after isScalingEvent) finds
   * nothing more to change, since the sync changes neither the Deployment's copied annotations nor
   * that ReplicaSet's revision or copied annotations in between.
   */
  private newRSInLine: { rs: KubeObject; newRevision: number } | undefined;
  private waitingForOldPods = false;
  /** Whether this sync estimated progress (only then is a progress-deadline timer due). */
  private progressEstimated = false;

  constructor(
    private readonly original: KubeObject,
    private readonly context: DeploymentSyncContext,
  ) {
    this.d = deploymentCopy(original);
    // A sync sets the status's own fields and replaces its conditions list (never edits it), so a shallow copy is enough.
    this.d.status = { ...original.status };
    // Read from the state's spec object (the working copy's spec holds the same values), so that every sync of the Deployment shares one.
    this.spec = deploymentSpec(original);
  }

  /** Now as a condition's timestamp (most syncs write no condition). */
  private get nowText(): string {
    return (this.nowTextCache ??= toRfc3339(this.context.now));
  }

  run(): DeploymentSyncResult {
    const d = this.d;
    const selector = d.spec?.selector;
    if (!selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) {
      // Kubernetes refuses to act on a Deployment selecting everything; it only records that it saw it.
      if ((d.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) d.status.observedGeneration = d.metadata.generation;
      return this.finish();
    }
    const parsed: Selector | undefined = compiledSelector(selector);
    if (!parsed) return this.finish();
    try {
      const rsList = this.claimReplicaSets(parsed);
      if (d.metadata.deletionTimestamp) {
        const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, false);
        this.syncDeploymentStatus([...oldRSs, newRS], newRS);
        return this.finish();
      }
      this.checkPausedConditions();
      if (this.spec.paused) this.scaleOnly(rsList);
      else if (this.isScalingEvent(rsList)) this.scaleOnly(rsList);
      else if (this.spec.strategy === 'Recreate') this.rolloutRecreate(rsList);
      else this.rolloutRolling(rsList);
    } catch (error) {
      if (!(error instanceof HashCollision)) throw error;
    }
    return this.finish();
  }

  // ---- writes ---------------------------------------------------------------------------------

  /**
   * The ReplicaSet, its metadata, annotations and spec made this sync's own before a change to them
   * (once): until then a working copy shares them with the state (most syncs change no ReplicaSet).
   * The top-level object stays the same, so every list holding it sees the change.
   */
  private writable(rs: KubeObject): void {
    if (this.ownParts?.has(rs)) return;
    const { annotations } = rs.metadata;
    rs.metadata = annotations ? { ...rs.metadata, annotations: { ...annotations } } : { ...rs.metadata };
    if (rs.spec) rs.spec = { ...rs.spec };
    this.own(rs);
  }

  /** The ReplicaSet's parts are this sync's own (a copy or a new object): changed in place from now on. */
  private own(rs: KubeObject): void {
    (this.ownParts ??= new Set()).add(rs);
  }

  private updateReplicaSet(rs: KubeObject): void {
    const name = rs.metadata.name!;
    if (this.rsWrites?.has(name)) return;
    const command: Command = withMeta(this.context.meta, { type: 'update', object: rs });
    (this.rsWrites ??= new Map()).set(name, command);
    this.commands.push(command);
  }

  private createReplicaSet(rs: KubeObject): void {
    const command: Command = withMeta(this.context.meta, { type: 'create', object: rs });
    (this.rsWrites ??= new Map()).set(rs.metadata.name!, command);
    this.commands.push(command);
  }

  private finish(): DeploymentSyncResult {
    const commands = this.commands.map((command) => (command.type === 'update' || command.type === 'create' ? { ...command, object: withoutStatus(command.object) } : command));
    // Like Kubernetes, the revision annotation travels with the status write: the Deployment status
    // strategy keeps annotations (only spec and labels are reset), and a status write never bumps
    // the generation, whereas an annotation change through the main resource would.
    const status = this.d.status as DeploymentStatus;
    const annotations = this.d.metadata.annotations;
    if (!jsonEqual(status, this.original.status ?? {}) || !jsonEqual(annotations ?? {}, this.original.metadata.annotations ?? {})) {
      // The write path copies what it is given: the Deployment's other parts go as they stand in the state.
      // resourceVersion left out (undefined, which the write path reads as absent): an unconditional write. A spread is ~10x cheaper than a rest pattern.
      const metadata = { ...this.original.metadata, resourceVersion: undefined };
      if (annotations && Object.keys(annotations).length) metadata.annotations = annotations;
      const object: KubeObject = { ...this.original, metadata, status };
      commands.push(withMeta(this.context.meta, { type: 'update', subresource: 'status', object }));
    }
    const result: DeploymentSyncResult = { commands };
    const wakeAt = this.progressCheckTime(status);
    if (wakeAt !== undefined) result.wakeAt = wakeAt;
    if (this.waitingForOldPods) result.waitingForOldPods = true;
    return result;
  }

  /** `requeueStuckDeployment`: when to look again for a missed progress deadline. */
  private progressCheckTime(status: DeploymentStatus): number | undefined {
    if (!this.progressEstimated || this.spec.progressDeadlineSeconds === undefined || this.spec.paused) return undefined;
    const condition = getCondition(status, 'Progressing');
    if (!condition || condition.reason === REASONS.timedOut || condition.reason === REASONS.newReplicaSetAvailable) return undefined;
    if (deploymentComplete(this.d, this.spec, status)) return undefined;
    const deadline = conditionTime(condition.lastUpdateTime) + this.spec.progressDeadlineSeconds * 1000 + 1;
    return Math.max(deadline, this.context.now + 1);
  }

  // ---- ReplicaSet ownership ----------------------------------------------------------------------

  /** `getReplicaSetsForDeployment`: adopt matching orphans, release owned ones that stopped matching. */
  private claimReplicaSets(selector: Selector): KubeObject[] {
    const owned: KubeObject[] = [];
    for (const rs of this.claimCandidates(selector)) {
      switch (claimVerdict(this.d, rs, matches(selector, rs.metadata.labels))) {
        case 'owned':
          owned.push(sharingCopy(rs));
          break;
        case 'adopt': {
          const adopted = withControllerRef(rs, this.d);
          this.own(adopted);
          this.updateReplicaSet(adopted);
          owned.push(adopted);
          break;
        }
        case 'release':
          this.updateReplicaSet(withoutOwner(rs, this.d.metadata.uid ?? ''));
          break;
        case 'ignore':
          break;
      }
    }
    return owned;
  }

  /**
   * The ReplicaSets of the namespace that claiming can concern, in key order: those listing this
   * Deployment among their owners, and those with no controller that carry the label of one of
   * its selector's equality requirements (every orphan when it has none). claimVerdict ignores
   * all others (controlled by someone else, or not matched), so they need not be read: with many
   * Deployments in a namespace, scanning them all at each sync was the controller's main cost.
   */
  private claimCandidates(selector: Selector): KubeObject[] {
    const { state } = this.context;
    const namespace = this.d.metadata.namespace;
    // The state's indexes read unsorted (the sorted queries sort each list): sorted by name once, below.
    const replicaSets = state.objects.get('ReplicaSet');
    if (!replicaSets) return [];
    const found: KubeObject[] = [];
    const owned = state.byOwner.get(this.d.metadata.uid ?? '');
    if (owned) {
      for (const qualified of owned) {
        if (!qualified.startsWith(REPLICASET_PREFIX)) continue;
        const object = replicaSets.get(qualified.slice(REPLICASET_PREFIX.length));
        if (object && object.metadata.namespace === namespace) found.push(object);
      }
    }
    // Orphans: a name is one object, so one already found (listing this Deployment as an owner) is not added twice.
    const ownedCount = found.length;
    const equality = orphanLabelOf(selector);
    if (equality === undefined) {
      for (const rs of listObjects(state, 'ReplicaSet', namespace)) if (rs.metadata.namespace === namespace && !controllerOf(rs)) addOrphan(found, ownedCount, rs);
    } else {
      const labelled = state.byLabel.get('ReplicaSet')?.get(equality);
      if (labelled) {
        for (const key of labelled) {
          const rs = replicaSets.get(key);
          if (rs && rs.metadata.namespace === namespace && !controllerOf(rs)) addOrphan(found, ownedCount, rs);
        }
      }
    }
    if (found.length > 1) found.sort(byName);
    return found;
  }

  // ---- new and old ReplicaSets -------------------------------------------------------------------

  /**
   * `FindNewReplicaSet` over a list, remembered for the sync: a sync asks up to six times about the
   * same list, and neither the Deployment's template nor the ReplicaSets' templates change within it.
   */
  private findNewReplicaSet(rsList: readonly KubeObject[]): KubeObject | undefined {
    if (this.newRSList !== rsList) {
      this.newRSFound = findNewReplicaSet(this.d, rsList);
      this.newRSList = rsList;
    }
    return this.newRSFound;
  }

  private getAllReplicaSetsAndSyncRevision(rsList: KubeObject[], createIfNotExisted: boolean): { newRS: KubeObject | undefined; oldRSs: KubeObject[] } {
    let split = this.oldRSsOf;
    if (split?.list !== rsList || split.length !== rsList.length) {
      // `FindOldReplicaSets`: every ReplicaSet but the new one.
      const current = this.findNewReplicaSet(rsList);
      const oldRSs = rsList.filter((rs) => rs !== current);
      this.oldRSsOf = split = { list: rsList, length: rsList.length, oldRSs, newRevision: maxRevision(oldRSs) + 1 };
    }
    // Shared between the calls of a sync: its users copy before sorting, and none adds to it.
    const { oldRSs } = split;
    const newRS = this.getNewReplicaSet(rsList, oldRSs, split.newRevision, createIfNotExisted);
    return { newRS, oldRSs };
  }

  private getNewReplicaSet(rsList: KubeObject[], oldRSs: KubeObject[], newRevision: number, createIfNotExisted: boolean): KubeObject | undefined {
    const d = this.d;
    const spec = this.spec;
    const existing = this.findNewReplicaSet(rsList);
    const maxReplicas = spec.replicas + maxSurge(spec);

    if (existing) {
      const inLine = this.newRSInLine?.rs === existing && this.newRSInLine.newRevision === newRevision;
      this.newRSInLine = { rs: existing, newRevision };
      // Its own copy only when something of it would change: most syncs find it already in line.
      const annotationsMayChange = !inLine && newReplicaSetAnnotationsWouldChange(d, existing, newRevision);
      const minReadySecondsNeedsUpdate = !inLine && (existing.spec.minReadySeconds ?? 0) !== spec.minReadySeconds;
      if (annotationsMayChange || minReadySecondsNeedsUpdate) this.writable(existing);
      const annotationsUpdated = annotationsMayChange && setNewReplicaSetAnnotations(d, existing, newRevision, true, spec.replicas, maxReplicas);
      if (annotationsUpdated || minReadySecondsNeedsUpdate) {
        if (spec.minReadySeconds) existing.spec.minReadySeconds = spec.minReadySeconds;
        else delete existing.spec.minReadySeconds;
        this.updateReplicaSet(existing);
        return existing;
      }
      setDeploymentRevision(d, existing.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
      if (spec.progressDeadlineSeconds !== undefined && !getCondition(d.status, 'Progressing')) {
        setCondition(d.status, newCondition('Progressing', 'True', REASONS.foundNewReplicaSet, `Found new replica set "${existing.metadata.name}"`, this.nowText));
      }
      return existing;
    }
    if (!createIfNotExisted) return undefined;

    const template = clonePlain(d.spec.template ?? {});
    const hash = computeHash(template, d.status.collisionCount);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector = clonePlain(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const rsName = `${d.metadata.name}-${hash}`;
    const newRS: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: rsName, namespace: d.metadata.namespace, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d)] },
      spec: { replicas: 0, ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}), selector, template },
    };
    newRS.spec.replicas = newRSNewReplicas(spec, [...oldRSs, newRS], newRS);
    setNewReplicaSetAnnotations(d, newRS, newRevision, false, spec.replicas, maxReplicas);

    const taken = getObject(this.context.state, 'ReplicaSet', d.metadata.namespace, rsName);
    if (taken) {
      if (controllerOf(taken)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, taken.spec?.template)) {
        const adopted = clonePlain(taken);
        this.own(adopted);
        rsList.push(adopted);
        setDeploymentRevision(d, String(newRevision));
        return adopted;
      }
      d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
      throw new HashCollision();
    }
    this.own(newRS);
    this.createReplicaSet(newRS);
    rsList.push(newRS);
    setDeploymentRevision(d, String(newRevision));
    if (spec.progressDeadlineSeconds !== undefined) {
      setCondition(d.status, newCondition('Progressing', 'True', REASONS.newReplicaSetCreated, `Created new replica set "${rsName}"`, this.nowText));
    }
    return newRS;
  }

  // ---- scaling -----------------------------------------------------------------------------------

  /** `scaleReplicaSetAndRecordEvent`: whether the size changed. */
  private scaleReplicaSetAndRecordEvent(rs: KubeObject, newScale: number): boolean {
    if (specReplicas(rs) === newScale) return false;
    return this.scaleReplicaSet(rs, newScale);
  }

  /** `scaleReplicaSet`: set the size and the desired/max annotations; whether the size changed. */
  private scaleReplicaSet(rs: KubeObject, newScale: number): boolean {
    const spec = this.spec;
    const max = spec.replicas + maxSurge(spec);
    const sizeNeedsUpdate = specReplicas(rs) !== newScale;
    if (sizeNeedsUpdate || replicasAnnotationsNeedUpdate(rs, spec.replicas, max)) {
      this.writable(rs);
      rs.spec.replicas = newScale;
      setReplicasAnnotations(rs, spec.replicas, max);
      this.updateReplicaSet(rs);
    }
    return sizeNeedsUpdate;
  }

  /** `isScalingEvent`: an active ReplicaSet was sized for a different spec.replicas. */
  private isScalingEvent(rsList: KubeObject[]): boolean {
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, false);
    for (const rs of activeReplicaSets([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== this.spec.replicas) return true;
    }
    return false;
  }

  /** `sync`: scaling events and paused Deployments; no rollout. */
  private scaleOnly(rsList: KubeObject[]): void {
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, false);
    this.scale(newRS, oldRSs);
    if (this.spec.paused) this.cleanupDeployment(oldRSs);
    this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** `scale`: proportional scaling across active ReplicaSets (pkg/controller/deployment/sync.go). */
  private scale(newRS: KubeObject | undefined, oldRSs: KubeObject[]): void {
    const spec = this.spec;
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (specReplicas(activeOrLatest) !== spec.replicas) this.scaleReplicaSetAndRecordEvent(activeOrLatest, spec.replicas);
      return;
    }
    if (isSaturated(spec, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) this.scaleReplicaSetAndRecordEvent(old, 0);
      return;
    }
    if (spec.strategy !== 'RollingUpdate') return;
    const allRSs = activeReplicaSets([...oldRSs, newRS]);
    const allowedSize = spec.replicas > 0 ? spec.replicas + maxSurge(spec) : 0;
    const toAdd = allowedSize - sum(allRSs, specReplicas);
    if (toAdd > 0) allRSs.sort(bySizeNewer);
    else if (toAdd < 0) allRSs.sort(bySizeOlder);
    let added = 0;
    const sizes = new Map<KubeObject, number>();
    for (const rs of allRSs) {
      if (toAdd !== 0) {
        const proportion = replicaSetProportion(rs, this.d, spec, toAdd, added);
        sizes.set(rs, specReplicas(rs) + proportion);
        added += proportion;
      } else sizes.set(rs, specReplicas(rs));
    }
    allRSs.forEach((rs, i) => {
      if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
      this.scaleReplicaSet(rs, sizes.get(rs)!);
    });
  }

  // ---- rollouts ----------------------------------------------------------------------------------

  /** `rolloutRolling` (rolling.go). */
  private rolloutRolling(rsList: KubeObject[]): void {
    const { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, true);
    const created = newRS!;
    const allRSs = [...oldRSs, created];
    if (this.reconcileNewReplicaSet(allRSs, created)) return this.syncRolloutStatus(allRSs, created);
    if (this.reconcileOldReplicaSets(allRSs, activeReplicaSets(oldRSs), created)) return this.syncRolloutStatus(allRSs, created);
    if (deploymentComplete(this.d, this.spec, this.d.status)) this.cleanupDeployment(oldRSs);
    this.syncRolloutStatus(allRSs, created);
  }

  private reconcileNewReplicaSet(allRSs: KubeObject[], newRS: KubeObject): boolean {
    const replicas = this.spec.replicas;
    if (specReplicas(newRS) === replicas) return false;
    if (specReplicas(newRS) > replicas) return this.scaleReplicaSetAndRecordEvent(newRS, replicas);
    return this.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(this.spec, allRSs, newRS));
  }

  private reconcileOldReplicaSets(allRSs: KubeObject[], oldRSs: KubeObject[], newRS: KubeObject): boolean {
    if (sum(oldRSs, specReplicas) === 0) return false;
    const allPodsCount = sum(allRSs, specReplicas);
    const minAvailable = this.spec.replicas - maxUnavailable(this.spec);
    const newRSUnavailablePodCount = specReplicas(newRS) - availableReplicas(newRS);
    const maxScaledDown = allPodsCount - minAvailable - newRSUnavailablePodCount;
    if (maxScaledDown <= 0) return false;
    const cleanupCount = this.cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
    const scaledDownCount = this.scaleDownOldReplicaSetsForRollingUpdate([...oldRSs, newRS], oldRSs);
    return cleanupCount + scaledDownCount > 0;
  }

  /** Scale old ReplicaSets down by their unavailable pods first: deleting those costs no availability. */
  private cleanupUnhealthyReplicas(oldRSs: KubeObject[], maxCleanupCount: number): number {
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= maxCleanupCount) break;
      if (specReplicas(rs) === 0) continue;
      if (specReplicas(rs) === availableReplicas(rs)) continue;
      const count = Math.min(maxCleanupCount - total, specReplicas(rs) - availableReplicas(rs));
      this.scaleReplicaSetAndRecordEvent(rs, specReplicas(rs) - count);
      total += count;
    }
    return total;
  }

  private scaleDownOldReplicaSetsForRollingUpdate(allRSs: KubeObject[], oldRSs: KubeObject[]): number {
    const minAvailable = this.spec.replicas - maxUnavailable(this.spec);
    const available = sum(allRSs, availableReplicas);
    if (available <= minAvailable) return 0;
    const target = available - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= target) break;
      if (specReplicas(rs) === 0) continue;
      const count = Math.min(specReplicas(rs), target - total);
      this.scaleReplicaSetAndRecordEvent(rs, specReplicas(rs) - count);
      total += count;
    }
    return total;
  }

  /** `rolloutRecreate` (recreate.go): old ReplicaSets to 0, wait for their pods to be gone, then the new one. */
  private rolloutRecreate(rsList: KubeObject[]): void {
    let { newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, false);
    let allRSs = [...oldRSs, newRS];
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if (this.scaleReplicaSetAndRecordEvent(rs, 0)) scaledDown = true;
    if (scaledDown) {
      this.waitingForOldPods = true;
      return this.syncRolloutStatus(allRSs, newRS);
    }
    if (this.oldPodsRunning(newRS, oldRSs)) {
      this.waitingForOldPods = true;
      return this.syncRolloutStatus(allRSs, newRS);
    }
    if (!newRS) {
      ({ newRS, oldRSs } = this.getAllReplicaSetsAndSyncRevision(rsList, true));
      allRSs = [...oldRSs, newRS];
    }
    this.scaleReplicaSetAndRecordEvent(newRS!, this.spec.replicas);
    if (deploymentComplete(this.d, this.spec, this.d.status)) this.cleanupDeployment(oldRSs);
    this.syncRolloutStatus(allRSs, newRS);
  }

  private oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[]): boolean {
    if (sum(oldRSs, statusReplicas) > 0) return true;
    const selector = compiledSelector(this.d.spec.selector)!;
    for (const rs of oldRSs) {
      if (!rs.metadata.uid || rs.metadata.uid === newRS?.metadata.uid) continue;
      for (const pod of ownedBy(this.context.state, rs.metadata.uid)) {
        if (pod.kind !== 'Pod' || controllerOf(pod)?.uid !== rs.metadata.uid || !matches(selector, pod.metadata.labels)) continue;
        const phase = pod.status?.phase;
        if (phase !== 'Failed' && phase !== 'Succeeded') return true;
      }
    }
    return false;
  }

  // ---- history, pause, status --------------------------------------------------------------------

  /** `cleanupDeployment`: delete the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private cleanupDeployment(oldRSs: KubeObject[]): void {
    const limit = this.spec.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if (statusReplicas(rs) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || !rs.metadata.uid) continue;
      this.commands.push(
        withMeta(this.context.meta, {
          type: 'delete',
          ref: { kind: 'ReplicaSet', namespace: rs.metadata.namespace!, name: rs.metadata.name!, uid: rs.metadata.uid },
          preconditions: { uid: rs.metadata.uid },
        }),
      );
    }
  }

  /** `checkPausedConditions`: Progressing=Unknown DeploymentPaused / DeploymentResumed. */
  private checkPausedConditions(): void {
    if (this.spec.progressDeadlineSeconds === undefined) return;
    const condition = getCondition(this.d.status, 'Progressing');
    if (condition?.reason === REASONS.timedOut) return;
    const pausedConditionExists = condition?.reason === REASONS.paused;
    if (this.spec.paused && !pausedConditionExists) {
      setCondition(this.d.status, newCondition('Progressing', 'Unknown', REASONS.paused, 'Deployment is paused', this.nowText));
    } else if (!this.spec.paused && pausedConditionExists) {
      setCondition(this.d.status, newCondition('Progressing', 'Unknown', REASONS.resumed, 'Deployment is resumed', this.nowText));
    }
  }

  /** `syncDeploymentStatus`: counts and Available only. */
  private syncDeploymentStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined): void {
    this.d.status = calculateStatus(present(allRSs), newRS, this.d, this.spec, this.nowText);
  }

  /** `syncRolloutStatus` (progress.go): counts, Available, and the Progressing condition. */
  private syncRolloutStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined): void {
    const d = this.d;
    const spec = this.spec;
    this.progressEstimated = true;
    const status = calculateStatus(present(allRSs), newRS, d, spec, this.nowText);
    if (spec.progressDeadlineSeconds === undefined) removeCondition(status, 'Progressing');
    const currentCond = getCondition(d.status, 'Progressing');
    const isCompleteDeployment = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && currentCond?.reason === REASONS.newReplicaSetAvailable;
    if (spec.progressDeadlineSeconds !== undefined && !isCompleteDeployment) {
      const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, spec, status)) {
        setCondition(status, newCondition('Progressing', 'True', REASONS.newReplicaSetAvailable, `${subject} has successfully progressed.`, this.nowText));
      } else if (deploymentProgressing(d, status)) {
        const condition: DeploymentCondition = newCondition('Progressing', 'True', REASONS.replicaSetUpdated, `${subject} is progressing.`, this.nowText);
        if (currentCond) {
          if (currentCond.status === 'True') condition.lastTransitionTime = currentCond.lastTransitionTime;
          removeCondition(status, 'Progressing');
        }
        setCondition(status, condition);
      } else if (deploymentTimedOut(spec, status, this.context.now)) {
        setCondition(status, newCondition('Progressing', 'False', REASONS.timedOut, `${subject} has timed out progressing.`, this.nowText));
      }
    }
    const failure = replicaFailure(allRSs, newRS);
    if (failure) setCondition(status, failure);
    else removeCondition(status, 'ReplicaFailure');
    d.status = status;
  }
}

/** The ReplicaSets of a list that may hold an absent new one; the list itself when none is absent (callers only read it). */
function present(list: ReadonlyArray<KubeObject | undefined>): readonly KubeObject[] {
  return list.includes(undefined) ? list.filter((rs): rs is KubeObject => !!rs) : (list as readonly KubeObject[]);
}

/**
 * A ReplicaSet create or update as sent: the server owns status. A shallow copy: the write path
 * copies what it is given, and the sync changes none of the working copy's parts once it has ended.
 */
function withoutStatus(object: KubeObject): KubeObject {
  const copy: Record<string, unknown> = {};
  for (const key in object) if (key !== 'status') copy[key] = object[key as keyof KubeObject];
  return copy as KubeObject;
}

/**
 * A ReplicaSet from the state to plan changes on: a new top-level object sharing every part with
 * the state until `writable` gives it its own metadata, annotations and spec: most syncs change no
 * ReplicaSet, so copying those parts of each at every sync was allocation for nothing (a deep copy
 * of each, before that, was a quarter of the controller's time).
 */
function sharingCopy(rs: KubeObject): KubeObject {
  return { ...rs };
}

/**
 * The Deployment to plan changes on: a sync changes only its annotations (the revision) and its
 * status (copied by the caller), so only its metadata and annotations are copied; the rest (spec,
 * pod template, selector) is shared with the state and only read.
 */
function deploymentCopy(d: KubeObject): KubeObject {
  const { annotations } = d.metadata;
  return { ...d, metadata: annotations ? { ...d.metadata, annotations: { ...annotations } } : { ...d.metadata } };
}

/** An orphan among the claim candidates, unless already there among the first `ownedCount` (found through the owner index). */
function addOrphan(found: KubeObject[], ownedCount: number, rs: KubeObject): void {
  for (let i = 0; i < ownedCount; i++) if (found[i] === rs) return;
  found.push(rs);
}

/** By name, as strings compare (the candidates of one namespace: one object per name). */
function byName(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.name!;
  const bn = b.metadata.name!;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** Each compiled selector's first equality requirement as a label index key (`key=value`), or null when it has none. */
const orphanLabels = new WeakMap<Selector, string | null>();

/** The label whose index finds every orphan the selector can match (compiled selectors are cached and never changed, so once per selector). */
function orphanLabelOf(selector: Selector): string | undefined {
  let label = orphanLabels.get(selector);
  if (label === undefined) {
    const equality = selector.requirements.find((r) => r.operator === 'Equals' || r.operator === 'DoubleEquals' || (r.operator === 'In' && r.values.length === 1));
    orphanLabels.set(selector, (label = equality ? `${equality.key}=${equality.values[0]!}` : null));
  }
  return label ?? undefined;
}

/** A ReplicaSet condition as a Deployment condition (module level: a closure per sync costs a keepNames call under tsx). */
function convert(c: any): DeploymentCondition {
  return {
    type: c.type,
    status: c.status,
    lastUpdateTime: c.lastTransitionTime,
    lastTransitionTime: c.lastTransitionTime,
    reason: c.reason,
    message: c.message,
  };
}

/** `getReplicaFailures`: a ReplicaFailure condition of the new ReplicaSet, else of any. */
function replicaFailure(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined): DeploymentCondition | undefined {
  const fromNew = newRS && replicaFailureOf(newRS);
  if (fromNew) return convert(fromNew);
  for (const rs of allRSs) {
    const found = rs && replicaFailureOf(rs);
    if (found) return convert(found);
  }
  return undefined;
}

function replicaFailureOf(rs: KubeObject): any {
  const conditions = rs.status?.conditions as any[] | undefined;
  if (!conditions) return undefined;
  for (const c of conditions) if (c.type === 'ReplicaFailure') return c;
  return undefined;
}

/** `NewRSNewReplicas`: how far the new ReplicaSet may grow now. */
export function newRSNewReplicas(spec: DeploymentSpec, allRSs: readonly KubeObject[], newRS: KubeObject): number {
  if (spec.strategy === 'Recreate') return spec.replicas;
  const maxTotalPods = spec.replicas + maxSurge(spec);
  const currentPodCount = sum(allRSs, specReplicas);
  if (currentPodCount >= maxTotalPods) return specReplicas(newRS);
  const scaleUpCount = Math.min(maxTotalPods - currentPodCount, spec.replicas - specReplicas(newRS));
  return specReplicas(newRS) + scaleUpCount;
}

/** `FindActiveOrLatest`: the only active ReplicaSet, or the newest when none is active; undefined when several are. */
function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** `IsSaturated`: the new ReplicaSet holds every desired replica, all available. */
function isSaturated(spec: DeploymentSpec, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return specReplicas(rs) === spec.replicas && desired === spec.replicas && availableReplicas(rs) === spec.replicas;
}

/** `GetReplicaSetProportion`. */
function replicaSetProportion(rs: KubeObject, d: KubeObject, spec: DeploymentSpec, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d, spec);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** `getReplicaSetFraction`: the ReplicaSet's share of the new size, relative to the size it was made for. */
function replicaSetFraction(rs: KubeObject, d: KubeObject, spec: DeploymentSpec): number {
  if (spec.replicas === 0) return -specReplicas(rs);
  const deploymentReplicas = spec.replicas + maxSurge(spec);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  const newSize = (specReplicas(rs) * deploymentReplicas) / annotated;
  return roundHalfAwayFromZero(newSize) - specReplicas(rs);
}

function roundHalfAwayFromZero(value: number): number {
  return value < 0 ? -Math.round(-value) : Math.round(value);
}
