import type { StoredEvent, Taint } from '../../core/events.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';

export interface TaintInPlace {
  taint: Taint;
  /** Virtual time it appeared. */
  since: number;
}

/**
 * The NoExecute taints of every node and since when each has been there, as the log shows them.
 * Taints change through the node lifecycle controller's NodeTaintsChanged and through the API
 * (`kubectl taint`: the Node replaced), so they are read from the node after any event on its stream.
 */
export class NoExecuteTaints {
  /** node → taint key → the taint and when it appeared; only nodes that have one. */
  readonly byNode = new Map<string, Map<string, TaintInPlace>>();

  /** Takes in one event; true when it was a Node's (whatever it changed). */
  observe(event: StoredEvent, state: ClusterState): boolean {
    if (!event.stream.startsWith('Node/')) return false;
    const name = event.stream.slice('Node/'.length);
    const taints = ((state.objects.get('Node')?.get(name)?.spec?.taints as Taint[] | undefined) ?? []).filter((taint) => taint.effect === 'NoExecute');
    const previous = this.byNode.get(name);
    if (taints.length === 0) {
      this.byNode.delete(name);
      return true;
    }
    const next = new Map<string, TaintInPlace>();
    for (const taint of taints) next.set(taint.key, { taint, since: previous?.get(taint.key)?.since ?? event.metadata.time });
    this.byNode.set(name, next);
    return true;
  }
}
