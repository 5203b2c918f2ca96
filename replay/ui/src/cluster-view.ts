import type { KubeObject, NodeSummary, PodSummary, StateSummary } from './api.ts';
import type { ObjectSelection } from './debugger-state.ts';
import { clockTime, h } from './dom.ts';

const MAX_NODES = 400;

export const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

function podChip(pod: PodSummary, select: (selection: ObjectSelection) => void, selected: ObjectSelection | undefined): HTMLElement {
  const isSelected = selected?.kind === 'Pod' && selected.namespace === pod.namespace && selected.name === pod.name;
  const classes = ['pod', `phase-${pod.phase}`];
  if (pod.deleting) classes.push('deleting');
  if (!pod.ready && pod.phase === 'Running') classes.push('unready');
  if (isSelected) classes.push('selected');
  return h(
    'button',
    {
      class: classes.join(' '),
      'data-pod': `${pod.namespace}/${pod.name}`,
      'data-phase': pod.phase,
      title: `${pod.namespace}/${pod.name}\nphase ${pod.phase}${pod.ready ? ', ready' : ''}${pod.deleting ? ', terminating' : ''}${pod.owner ? `\nowner ${pod.owner}` : ''}`,
      onclick: () => select({ kind: 'Pod', namespace: pod.namespace, name: pod.name }),
    },
    h('span', { class: 'dot' }),
    h('span', { class: 'pod-name' }, pod.name),
    h('span', { class: 'pod-phase' }, pod.deleting ? 'Terminating' : pod.phase),
  );
}

function nodeCard(node: NodeSummary, select: (selection: ObjectSelection) => void, selected: ObjectSelection | undefined): HTMLElement {
  const isSelected = selected?.kind === 'Node' && selected.name === node.name;
  const classes = ['node', node.ready ? 'ready' : 'not-ready'];
  if (node.unschedulable) classes.push('cordoned');
  if (isSelected) classes.push('selected');
  const status = node.ready ? 'Ready' : 'NotReady';
  return h(
    'div',
    { class: classes.join(' '), 'data-node': node.name },
    h(
      'header',
      { onclick: () => select({ kind: 'Node', name: node.name }), title: `Node ${node.name}` },
      h('span', { class: 'node-name' }, node.name),
      h('span', { class: `badge ${node.ready ? 'ok' : 'bad'}`, 'data-testid': 'node-status' }, node.unschedulable ? `${status},SchedulingDisabled` : status),
    ),
    h('div', { class: 'node-meta' }, `cpu ${node.allocatable.cpu ?? '?'} · mem ${node.allocatable.memory ?? '?'}`, node.taints.length ? ` · ${node.taints.length} taint${node.taints.length > 1 ? 's' : ''}` : '', ` · ${node.pods.length} pod${node.pods.length === 1 ? '' : 's'}`),
    h('div', { class: 'pods' }, node.pods.map((pod) => podChip(pod, select, selected))),
  );
}

/** Objects of one kind at the cursor, listed under the summary when the user opens that kind. */
export interface KindListing {
  kind: string;
  items: KubeObject[];
}

export interface ClusterViewOptions {
  selected?: ObjectSelection | undefined;
  /** Makes the per-kind counts buttons that open a listing of that kind. */
  onKind?: (kind: string) => void;
  listing?: KindListing | undefined;
}

function kindListing(listing: KindListing, select: (selection: ObjectSelection) => void, selected: ObjectSelection | undefined): HTMLElement {
  return h(
    'div',
    { class: 'kind-objects', 'data-kind': listing.kind },
    h('b', {}, `${listing.kind}:`),
    listing.items.length === 0 ? h('span', { class: 'note' }, ' none at this position') : null,
    listing.items.slice(0, 300).map((object) => {
      const namespace = object.metadata.namespace;
      const name = object.metadata.name ?? '';
      const isSelected = selected?.kind === listing.kind && selected.name === name && (selected.namespace ?? '') === (namespace ?? '');
      return h(
        'button',
        { class: `object-chip${isSelected ? ' selected' : ''}`, onclick: () => select(namespace ? { kind: listing.kind, namespace, name } : { kind: listing.kind, name }) },
        namespace ? `${namespace}/${name}` : name,
      );
    }),
  );
}

/** The cluster at one position: nodes with their pods coloured by phase, and the pods no node took. */
export function renderCluster(state: StateSummary, select: (selection: ObjectSelection) => void, options: ClusterViewOptions = {}): HTMLElement {
  const { selected, onKind, listing } = options;
  const pods = [...state.nodes.flatMap((node) => node.pods), ...state.unscheduled];
  const byPhase = new Map<string, number>();
  for (const pod of pods) byPhase.set(pod.phase, (byPhase.get(pod.phase) ?? 0) + 1);
  const counts = Object.entries(state.counts)
    .filter(([kind]) => !['Namespace', 'Event', 'Lease'].includes(kind))
    .sort(([a], [b]) => a.localeCompare(b));
  const shown = state.nodes.slice(0, MAX_NODES);
  return h(
    'div',
    { class: 'cluster', 'data-position': state.position },
    h(
      'div',
      { class: 'cluster-summary' },
      h('span', { class: 'at' }, `at #${state.position} · ${clockTime(state.time)}`),
      h('span', { class: 'nodes-count', 'data-testid': 'nodes-ready' }, `${state.nodes.filter((n) => n.ready).length}/${state.nodes.length} nodes ready`),
      PHASES.filter((phase) => byPhase.get(phase)).map((phase) => h('span', { class: `phase-count phase-${phase}`, 'data-phase-count': phase }, h('span', { class: 'dot' }), `${byPhase.get(phase)} ${phase}`)),
      h(
        'span',
        { class: 'kinds' },
        counts.map(([kind, n]) =>
          onKind ? h('button', { class: `kind-count${listing?.kind === kind ? ' active' : ''}`, 'data-kind': kind, onclick: () => onKind(kind) }, `${kind} ${n}`) : h('span', { class: 'kind-count' }, `${kind} ${n}`),
        ),
      ),
    ),
    listing ? kindListing(listing, select, selected) : null,
    h(
      'div',
      { class: 'nodes' },
      shown.map((node) => nodeCard(node, select, selected)),
      state.nodes.length > shown.length ? h('div', { class: 'node more' }, `… ${state.nodes.length - shown.length} more nodes`) : null,
    ),
    state.unscheduled.length
      ? h('div', { class: 'unscheduled' }, h('h3', {}, `Not scheduled (${state.unscheduled.length})`), h('div', { class: 'pods' }, state.unscheduled.map((pod) => podChip(pod, select, selected))))
      : null,
  );
}
