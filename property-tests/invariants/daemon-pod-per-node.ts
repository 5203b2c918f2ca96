import { defineInvariant } from './invariant.ts';

/** A DaemonSet never has two live pods bound to the same node (maxSurge 0, the default). */
export const daemonPodPerNode = defineInvariant({
  name: 'daemon-pod-per-node',
  description: 'No DaemonSet has two live (not terminating, not finished) pods bound to the same node.',
  category: 'safety',
  start() {
    return {
      onEvent(event, state) {
        if (event.type !== 'PodScheduled') return undefined;
        const pods = state.objects.get('Pod');
        const pod = pods?.get(`${event.data.ref.namespace}/${event.data.ref.name}`);
        const owner = pod?.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'DaemonSet');
        if (!pod || !owner) return undefined;
        const ds = state.objects.get('DaemonSet')?.get(`${pod.metadata.namespace}/${owner.name}`);
        if (ds?.spec?.updateStrategy?.rollingUpdate?.maxSurge && ds.spec.updateStrategy.rollingUpdate.maxSurge !== 0) return undefined;
        for (const other of pods!.values()) {
          if (other === pod || other.spec?.nodeName !== pod.spec?.nodeName || other.metadata.deletionTimestamp) continue;
          if (other.status?.phase === 'Succeeded' || other.status?.phase === 'Failed') continue;
          if (other.metadata.ownerReferences?.some((r) => r.controller && r.uid === owner.uid)) {
            return `DaemonSet ${pod.metadata.namespace}/${owner.name} has ${other.metadata.name} and ${pod.metadata.name} both on ${pod.spec?.nodeName}`;
          }
        }
        return undefined;
      },
    };
  },
});
