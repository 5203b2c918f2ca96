import type { PodExplanation } from './api.ts';
import { h } from './dom.ts';

/**
 * The scheduler's decision for a pod as a nodes × plugins table: each node's filter verdict (the
 * plugin that rejected it and Kubernetes' reason) and each score plugin's score, the chosen node
 * highlighted and the deciding plugin's column marked.
 */
export function schedulingTable(explanation: PodExplanation): HTMLElement {
  const { plugins, nodes, chosen, decidedBy, decision } = explanation;
  const best = new Map<string, number>();
  for (const plugin of plugins) best.set(plugin, Math.max(...nodes.map((n) => n.scores?.[plugin] ?? -Infinity)));
  const sorted = [...nodes].sort((a, b) => Number(b.node === chosen) - Number(a.node === chosen) || (b.total ?? -1) - (a.total ?? -1) || a.node.localeCompare(b.node));
  const header = h(
    'tr',
    {},
    h('th', {}, 'node'),
    h('th', {}, 'filter'),
    plugins.map((plugin) => h('th', { class: plugin === decidedBy ? 'decider' : '', title: plugin === decidedBy ? `${plugin} decided: its score separated the winner from the runner-up` : plugin }, plugin.replace(/(?<=[a-z])(?=[A-Z])/g, '\u200b'))),
    h('th', {}, 'total'),
  );
  const rows = sorted.map((verdict) =>
    h(
      'tr',
      { class: verdict.node === chosen ? 'chosen' : verdict.failure ? 'rejected' : 'feasible', 'data-node': verdict.node },
      h('td', { class: 'node-cell' }, verdict.node, verdict.node === chosen ? h('span', { class: 'chosen-badge' }, 'chosen') : null),
      h('td', { class: 'verdict' }, verdict.failure ? h('span', { class: 'fail' }, h('b', {}, verdict.plugin ?? 'filter'), `: ${verdict.failure}`) : h('span', { class: 'pass' }, 'passed')),
      plugins.map((plugin) => {
        const score = verdict.scores?.[plugin];
        const top = score !== undefined && score === best.get(plugin) && nodes.length > 1;
        return h('td', { class: `score${plugin === decidedBy ? ' decider' : ''}${top ? ' top' : ''}` }, score === undefined ? '' : String(score));
      }),
      h('td', { class: 'score total' }, verdict.total === undefined ? '' : String(verdict.total)),
    ),
  );
  return h(
    'div',
    { class: 'scheduling', 'data-testid': 'scheduling' },
    h(
      'p',
      { class: 'decision-line' },
      h('b', {}, explanation.pod),
      chosen ? [' → ', h('b', { class: 'chosen-node' }, chosen)] : ' was not scheduled',
      ` at #${explanation.position} · ${decision.feasible}/${decision.evaluated} nodes feasible`,
      decidedBy ? [' · decided by ', h('b', {}, decidedBy)] : '',
      explanation.recomputed ? ' · (verdicts recomputed: the record was truncated)' : '',
    ),
    explanation.message ? h('p', { class: 'message' }, explanation.message) : null,
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid' }, h('thead', {}, header), h('tbody', {}, rows))),
  );
}
