import type { StoredEvent } from '../../../core/events.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { resourceTypeOfKind } from '../../state/served-types.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import type { ClusterState } from '../../cluster-state.ts';
import type { Command } from '../../commands.ts';
import type { Controller, ControllerOutput, ReconcileInput } from '../../engine/controller.ts';
import { getObject, listObjects } from '../../state/queries.ts';
import { reconcileEach } from '../../engine/reconcile-each.ts';

export const NAMESPACE_CONTROLLER_NAME = 'namespace-controller';
export const NAMESPACE_FINALIZER = 'kubernetes';

interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/**
 * Kubernetes' namespace controller: a Terminating namespace has everything in it deleted; while
 * anything remains it reports so in its status conditions (NamespaceContentRemaining,
 * NamespaceFinalizersRemaining, …, in Kubernetes' wording); once empty, its `kubernetes` finalizer
 * is removed and the namespace goes.
 */
export function createNamespaceController(): Controller {
  return {
    name: NAMESPACE_CONTROLLER_NAME,
    interest: { events: ['ObjectCreated', 'ObjectReplaced', 'ObjectDeletionRequested', 'ObjectRemoved'] },
    // A fresh instance per subscription of the engine (a restart gets a new one).
    reconcile: (input$) => {
      const controller = createNamespaceDeleter();
      return input$.pipe(reconcileEach((input) => controller.handle(input)));
    },
  };
}

/** Every namespaced object in `namespace`, in kind then key order. */
export function namespaceContents(state: ClusterState, namespace: string): KubeObject[] {
  const prefix = `${namespace}/`;
  const found: KubeObject[] = [];
  for (const kind of [...state.objects.keys()].sort()) {
    const objects = state.objects.get(kind)!;
    const keys: string[] = [];
    for (const key of objects.keys()) if (key.startsWith(prefix)) keys.push(key);
    keys.sort();
    for (const key of keys) found.push(objects.get(key)!);
  }
  return found;
}

function groupResource(state: ClusterState, kind: string): string {
  const type = resourceTypeOfKind(state, kind);
  if (!type) return `${kind.toLowerCase()}s`;
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function countBy(items: string[]): string[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts.keys()].sort().map((k) => `${k}\u0000${counts.get(k)}`);
}

/** The deletion conditions Kubernetes' namespaced resources deleter writes, for what is left. */
export function namespaceDeletionConditions(state: ClusterState, remaining: readonly KubeObject[]): Array<Omit<NamespaceCondition, 'lastTransitionTime'>> {
  const resources = countBy(remaining.map((o) => groupResource(state, o.kind))).map((e) => {
    const [resource, n] = e.split('\u0000');
    return `${resource} has ${n} resource instances`;
  });
  const finalizers = countBy(remaining.flatMap((o) => o.metadata.finalizers ?? [])).map((e) => {
    const [finalizer, n] = e.split('\u0000');
    return `${finalizer} in ${n} resource instances`;
  });
  return [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    resources.length
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${resources.join(', ')}` }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
    finalizers.length
      ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}` }
      : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
  ];
}

function createNamespaceDeleter() {
  /** Terminating namespaces → keys (`Kind:ns/name`) of the contents still present when last looked. */
  const terminating = new Map<string, Set<string>>();
  /** Per terminating namespace, the kinds of content left at the last full pass. */
  const kindsSeen = new Map<string, string>();
  let started = false;
  let out: ControllerOutput[] = [];
  let state: ClusterState;
  let event: StoredEvent;

  function meta() {
    return { actor: NAMESPACE_CONTROLLER_NAME, causationId: event.position, ...(event.metadata.correlationId ? { correlationId: event.metadata.correlationId } : {}) };
  }

  function sync(name: string, now: number): void {
    const namespace = getObject(state, 'Namespace', undefined, name);
    if (!namespace || !namespace.metadata.deletionTimestamp) {
      terminating.delete(name);
      kindsSeen.delete(name);
      return;
    }
    const contents = namespaceContents(state, name);
    const remaining = new Set(contents.map((o) => `${o.kind}:${o.metadata.name}`));
    terminating.set(name, remaining);
    kindsSeen.set(name, kindsOf(remaining));
    for (const object of contents) {
      if (object.metadata.deletionTimestamp) continue;
      out.push({
        type: 'delete',
        ...meta(),
        ref: { kind: object.kind, namespace: name, name: object.metadata.name ?? '' },
        propagationPolicy: 'Background',
        preconditions: { uid: object.metadata.uid ?? '' },
      } satisfies Command);
    }
    const conditions = withTimes(namespace.status?.conditions as NamespaceCondition[] | undefined, namespaceDeletionConditions(state, contents), toRfc3339(now));
    if (JSON.stringify(conditions) !== JSON.stringify(namespace.status?.conditions ?? [])) {
      out.push({ type: 'update', ...meta(), subresource: 'status', object: { ...namespace, status: { ...namespace.status, conditions } } } satisfies Command);
    }
    if (contents.length === 0) {
      const finalizers = ((namespace.spec?.finalizers as string[] | undefined) ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
      // The finalize subresource's effect: the namespace's own finalizer comes off, and with none left it goes.
      out.push({
        type: 'update',
        ...meta(),
        object: { ...namespace, metadata: { ...namespace.metadata, resourceVersion: undefined }, spec: { ...namespace.spec, finalizers } },
      } satisfies Command);
      terminating.delete(name);
      kindsSeen.delete(name);
    }
  }

  function onEvent(now: number): void {
    switch (event.type) {
      case 'ObjectDeletionRequested':
        if (event.data.ref.kind === 'Namespace') sync(event.data.ref.name, now);
        return;
      case 'ObjectRemoved': {
        const { ref } = event.data;
        if (!ref.namespace) return;
        const remaining = terminating.get(ref.namespace);
        if (!remaining) return;
        remaining.delete(`${ref.kind}:${ref.name}`);
        // A full pass when the namespace may be empty, or when a whole kind of content is gone
        // (what the conditions name changes); not on every removal.
        if (remaining.size === 0 || kindsOf(remaining) !== kindsSeen.get(ref.namespace)) sync(ref.namespace, now);
        return;
      }
      case 'ObjectCreated': {
        const namespace = event.data.object.metadata.namespace;
        if (namespace && terminating.has(namespace)) sync(namespace, now);
        return;
      }
      case 'ObjectReplaced': {
        // Content losing a finalizer changes what the conditions report.
        const namespace = event.data.object.metadata.namespace;
        if (namespace && terminating.has(namespace)) sync(namespace, now);
        return;
      }
      default:
        return;
    }
  }

  return {
    handle(input: ReconcileInput): ControllerOutput[] {
      state = input.state;
      event = input.event;
      out = [];
      const now = Math.max(state.time, event.metadata.time);
      if (!started) {
        started = true;
        // Resuming on an existing log: namespaces already Terminating are taken up again.
        if (event.type !== 'ClusterInitialized') for (const ns of listObjects(state, 'Namespace')) if (ns.metadata.deletionTimestamp) sync(ns.metadata.name ?? '', now);
      }
      onEvent(now);
      return out;
    },
  };
}

function kindsOf(keys: Set<string>): string {
  return [...new Set([...keys].map((k) => k.slice(0, k.indexOf(':'))))].sort().join(',');
}

function withTimes(previous: NamespaceCondition[] | undefined, next: Array<Omit<NamespaceCondition, 'lastTransitionTime'>>, now: string): NamespaceCondition[] {
  return next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    return { type: c.type, status: c.status, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now, reason: c.reason, message: c.message };
  });
}
