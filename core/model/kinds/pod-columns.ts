import type { KubeObject } from '../object.ts';
import type { TableColumn } from '../resource-type.ts';
import { ageColumn, column, nameColumn, timestampSince } from './columns.ts';

const isRestartableInitContainer = (container: any) => container?.restartPolicy === 'Always';

function hasPodReadyCondition(conditions: any[] | undefined): boolean {
  return (conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function isPodInitializedConditionTrue(status: any): boolean {
  return (status?.conditions ?? []).some((c: any) => c.type === 'Initialized' && c.status === 'True');
}

const laterOf = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : Date.parse(b) > Date.parse(a) ? b : a);

export interface PodSummary {
  ready: string;
  status: string;
  restarts: number;
  /** finishedAt of the most recent restart counted in `restarts`, if any. */
  lastRestart?: string;
}

/** kubectl's printPod, step for step: the READY, STATUS and RESTARTS cells. */
export function summarizePod(pod: KubeObject): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initContainerSpecs = new Map<string, any>((spec.initContainers ?? []).map((c: any) => [c.name, c]));
  let totalContainers = (spec.containers ?? []).length + (spec.initContainers ?? []).filter(isRestartableInitContainer).length;
  let readyContainers = 0;
  let restarts = 0;
  let restartableInitRestarts = 0;
  let lastRestart: string | undefined;
  let lastRestartableInitRestart: string | undefined;

  let reason: string = status.reason || status.phase || '';
  for (const condition of status.conditions ?? []) {
    if (condition.type === 'PodScheduled' && condition.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i];
    restarts += container.restartCount ?? 0;
    const finishedAt = container.lastState?.terminated?.finishedAt;
    if (finishedAt) lastRestart = laterOf(lastRestart, finishedAt);
    const restartable = isRestartableInitContainer(initContainerSpecs.get(container.name));
    if (restartable) {
      restartableInitRestarts += container.restartCount ?? 0;
      if (finishedAt) lastRestartableInitRestart = laterOf(lastRestartableInitRestart, finishedAt);
    }
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && container.started) {
      if (container.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      else reason = `Init:${terminated.reason}`;
    } else if (waiting && waiting.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isPodInitializedConditionTrue(status)) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i];
      restarts += container.restartCount ?? 0;
      const finishedAt = container.lastState?.terminated?.finishedAt;
      if (finishedAt) lastRestart = laterOf(lastRestart, finishedAt);
      const waiting = container.state?.waiting;
      const terminated = container.state?.terminated;
      if (waiting && waiting.reason) reason = waiting.reason;
      else if (terminated && terminated.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (container.ready && container.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasPodReadyCondition(status.conditions) ? 'Running' : 'NotReady';
  }

  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';

  totalContainers = Math.max(totalContainers, 0);
  const summary: PodSummary = { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts };
  if (lastRestart) summary.lastRestart = lastRestart;
  return summary;
}

function readinessGates(pod: KubeObject): string {
  const gates: any[] = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueConditions = 0;
  for (const gate of gates) {
    const condition = (pod.status?.conditions ?? []).find((c: any) => c.type === gate.conditionType);
    if (condition?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

export const podColumns: TableColumn[] = [
  nameColumn,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.', (pod) => summarizePod(pod).ready),
  column('Status', 'string', 'The aggregate status of the containers in this pod.', (pod) => summarizePod(pod).status),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', (pod, context) => {
    const { restarts, lastRestart } = summarizePod(pod);
    return restarts !== 0 && lastRestart ? `${restarts} (${timestampSince(lastRestart, context.now)} ago)` : String(restarts);
  }),
  ageColumn,
  column('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', (pod) => pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>', 1),
  column('Node', 'string', "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.", (pod) => pod.spec?.nodeName || '<none>', 1),
  column('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', (pod) => pod.status?.nominatedNodeName || '<none>', 1),
  column('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', readinessGates, 1),
];
