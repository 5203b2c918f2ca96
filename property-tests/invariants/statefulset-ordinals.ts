import type { KubeObject } from '../../core/model/object.ts';
import type { ClusterState } from '../../projections/cluster-state.ts';
import { defineInvariant } from './invariant.ts';

function createdStatefulPod(event: { type: string; data: any }, state: ClusterState): { pod: KubeObject; sts: KubeObject; ordinal: number } | undefined {
  if (event.type !== 'ObjectCreated' || event.data.object.kind !== 'Pod') return undefined;
  const pod: KubeObject = event.data.object;
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'StatefulSet');
  if (!owner) return undefined;
  const sts = state.objects.get('StatefulSet')?.get(`${pod.metadata.namespace}/${owner.name}`);
  if (!sts || sts.metadata.uid !== owner.uid) return undefined;
  const ordinal = Number(pod.metadata.name!.slice(owner.name.length + 1));
  return { pod, sts, ordinal };
}

function siblings(state: ClusterState, sts: KubeObject): KubeObject[] {
  return [...(state.objects.get('Pod')?.values() ?? [])].filter((p) => p.metadata.namespace === sts.metadata.namespace && p.metadata.ownerReferences?.some((r) => r.controller && r.uid === sts.metadata.uid));
}

/** No two pods of a StatefulSet carry the same ordinal at the same time. */
export const statefulSetUniqueOrdinals = defineInvariant({
  name: 'statefulset-unique-ordinals',
  description: 'No two pods of a StatefulSet share an ordinal (apps.kubernetes.io/pod-index) at the same time.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        const created = createdStatefulPod(event, state);
        if (!created) return undefined;
        const index = created.pod.metadata.labels?.['apps.kubernetes.io/pod-index'];
        const twin = siblings(state, created.sts).find((p) => p.metadata.uid !== created.pod.metadata.uid && p.metadata.labels?.['apps.kubernetes.io/pod-index'] === index);
        return twin ? `StatefulSet ${created.sts.metadata.namespace}/${created.sts.metadata.name}: ${created.pod.metadata.name} and ${twin.metadata.name} both have ordinal ${index}` : undefined;
      },
    };
  },
});

/** OrderedReady: pod N is only created once every lower ordinal is Running and Ready. */
export const statefulSetOrderedCreation = defineInvariant({
  name: 'statefulset-ordered-creation',
  description: 'An OrderedReady StatefulSet creates a pod only when every pod with a lower ordinal is Running and Ready.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        const created = createdStatefulPod(event, state);
        if (!created || (created.sts.spec?.podManagementPolicy ?? 'OrderedReady') !== 'OrderedReady') return undefined;
        const start: number = created.sts.spec?.ordinals?.start ?? 0;
        const pods = new Map(siblings(state, created.sts).map((p) => [p.metadata.name, p]));
        for (let ordinal = start; ordinal < created.ordinal; ordinal++) {
          const lower = pods.get(`${created.sts.metadata.name}-${ordinal}`);
          const ready = lower?.status?.phase === 'Running' && (lower.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
          if (!ready) return `StatefulSet ${created.sts.metadata.namespace}/${created.sts.metadata.name} created ${created.pod.metadata.name} while ${created.sts.metadata.name}-${ordinal} was ${lower ? 'not Running and Ready' : 'missing'}`;
        }
        return undefined;
      },
    };
  },
});
