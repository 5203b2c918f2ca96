import type { FilterPlugin } from './filter.ts';
import { interPodAffinity } from './inter-pod-affinity.ts';
import { nodeAffinity } from './node-affinity.ts';
import { nodeName } from './node-name.ts';
import { nodePorts } from './node-ports.ts';
import { nodeResourcesFit } from './node-resources-fit.ts';
import { nodeUnschedulable } from './node-unschedulable.ts';
import { podTopologySpreadFilter } from './pod-topology-spread.ts';
import { taintToleration } from './taint-toleration.ts';

/** kube-scheduler's default filter order (volume filters not modelled); the first plugin to reject a node is its verdict. */
export const DEFAULT_FILTERS: readonly FilterPlugin[] = [nodeUnschedulable, nodeName, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit, podTopologySpreadFilter, interPodAffinity];
