import type { KubeObject } from '../../../core/model/object.ts';
import type { ClusterState } from '../../cluster-state.ts';
import { getObject } from '../../state/queries.ts';

/** Why a container cannot be created yet: a volume that cannot be set up, or its own configuration. */
export interface ConfigProblem {
  /** `MountVolume.SetUp failed for volume "x" : configmap "y" not found` (the pod's FailedMount Event). */
  mount?: string;
  /** `configmap "y" not found` (the container's CreateContainerConfigError). */
  container?: string;
}

type Source = 'ConfigMap' | 'Secret';

function missing(source: Source, name: string): string {
  return `${source === 'ConfigMap' ? 'configmap' : 'secret'} "${name}" not found`;
}

function lookup(state: ClusterState, source: Source, namespace: string | undefined, name: string): KubeObject | undefined {
  return getObject(state, source, namespace, name);
}

function hasKey(object: KubeObject, key: string): boolean {
  const record = object as KubeObject & { data?: Record<string, unknown>; binaryData?: Record<string, unknown>; stringData?: Record<string, unknown> };
  return !!(record.data && key in record.data) || !!(record.binaryData && key in record.binaryData) || !!(record.stringData && key in record.stringData);
}

/** The first volume of the pod whose ConfigMap or Secret (directly or projected) is missing and not optional. */
function mountProblem(state: ClusterState, pod: KubeObject): string | undefined {
  const namespace = pod.metadata.namespace;
  for (const volume of (pod.spec?.volumes ?? []) as any[]) {
    const sources: Array<{ source: Source; name: string; optional?: boolean }> = [];
    if (volume.configMap) sources.push({ source: 'ConfigMap', name: volume.configMap.name, optional: volume.configMap.optional });
    if (volume.secret) sources.push({ source: 'Secret', name: volume.secret.secretName, optional: volume.secret.optional });
    for (const projected of volume.projected?.sources ?? []) {
      if (projected.configMap) sources.push({ source: 'ConfigMap', name: projected.configMap.name, optional: projected.configMap.optional });
      if (projected.secret) sources.push({ source: 'Secret', name: projected.secret.name, optional: projected.secret.optional });
    }
    for (const ref of sources) {
      if (ref.optional || !ref.name || lookup(state, ref.source, namespace, ref.name)) continue;
      return `MountVolume.SetUp failed for volume "${volume.name}" : ${missing(ref.source, ref.name)}`;
    }
  }
  return undefined;
}

/** `makeEnvironmentVariables`: envFrom first, then env valueFrom, each missing non-optional reference an error. */
function containerProblem(state: ClusterState, pod: KubeObject, container: any): string | undefined {
  const namespace = pod.metadata.namespace;
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ? { source: 'ConfigMap' as const, ...from.configMapRef } : from.secretRef ? { source: 'Secret' as const, ...from.secretRef } : undefined;
    if (!ref || ref.optional || lookup(state, ref.source, namespace, ref.name)) continue;
    return missing(ref.source, ref.name);
  }
  for (const env of container.env ?? []) {
    const keyRef = env.valueFrom?.configMapKeyRef ? { source: 'ConfigMap' as const, ...env.valueFrom.configMapKeyRef } : env.valueFrom?.secretKeyRef ? { source: 'Secret' as const, ...env.valueFrom.secretKeyRef } : undefined;
    if (!keyRef || keyRef.optional) continue;
    const object = lookup(state, keyRef.source, namespace, keyRef.name);
    if (!object) return missing(keyRef.source, keyRef.name);
    if (!hasKey(object, keyRef.key)) return `couldn't find key ${keyRef.key} in ${keyRef.source} ${namespace}/${keyRef.name}`;
  }
  return undefined;
}

/**
 * What keeps a container of the pod from being created, as the kubelet words it: a volume whose
 * ConfigMap or Secret does not exist (the whole pod waits in ContainerCreating), or an env/envFrom
 * reference to a missing ConfigMap, Secret or key (CreateContainerConfigError). Optional references
 * are skipped, as Kubernetes does.
 */
export function configProblemOf(state: ClusterState, pod: KubeObject, containerName: string): ConfigProblem | undefined {
  const mount = mountProblem(state, pod);
  if (mount) return { mount };
  const container = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c: { name: string }) => c.name === containerName);
  const problem = container ? containerProblem(state, pod, container) : undefined;
  return problem ? { container: problem } : undefined;
}
