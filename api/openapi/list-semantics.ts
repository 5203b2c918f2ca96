/**
 * How Kubernetes merges each list field: the `+listType`/`+listMapKey` (server-side apply) and
 * `patchStrategy`/`patchMergeKey` (strategic merge patch) tags of the Go types. client-node's
 * models drop these tags, so they are kept here by hand, keyed `ClientNodeClass.jsonField`.
 * A list not named here is atomic (replaced whole), which is Kubernetes' default for lists too.
 */
export interface ListSemantics {
  listType: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  patchStrategy?: 'merge' | 'merge,retainKeys' | 'replace';
  patchMergeKey?: string;
}

const byName = (key = 'name', patchStrategy: ListSemantics['patchStrategy'] = 'merge'): ListSemantics => ({
  listType: 'map',
  listMapKeys: [key],
  patchStrategy,
  patchMergeKey: key,
});
const conditions: ListSemantics = byName('type');
const atomic: ListSemantics = { listType: 'atomic' };

const containerLists: Record<string, ListSemantics> = {
  ports: { listType: 'map', listMapKeys: ['containerPort', 'protocol'], patchStrategy: 'merge', patchMergeKey: 'containerPort' },
  env: byName('name'),
  volumeMounts: byName('mountPath'),
  volumeDevices: byName('devicePath'),
  command: atomic,
  args: atomic,
  envFrom: atomic,
  resizePolicy: atomic,
};

function fieldsOf(className: string, fields: Record<string, ListSemantics>): [string, ListSemantics][] {
  return Object.entries(fields).map(([field, semantics]) => [`${className}.${field}`, semantics]);
}

export const listSemanticsTable: ReadonlyMap<string, ListSemantics> = new Map<string, ListSemantics>([
  ...fieldsOf('V1ObjectMeta', {
    finalizers: { listType: 'set', patchStrategy: 'merge' },
    ownerReferences: byName('uid'),
    managedFields: atomic,
  }),
  ...fieldsOf('V1PodSpec', {
    containers: byName('name'),
    initContainers: byName('name'),
    ephemeralContainers: byName('name'),
    volumes: byName('name', 'merge,retainKeys'),
    imagePullSecrets: byName('name'),
    hostAliases: byName('ip'),
    topologySpreadConstraints: {
      listType: 'map',
      listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
      patchStrategy: 'merge',
      patchMergeKey: 'topologyKey',
    },
    resourceClaims: byName('name', 'merge,retainKeys'),
    schedulingGates: byName('name'),
    tolerations: atomic,
    readinessGates: atomic,
  }),
  ...fieldsOf('V1Container', containerLists),
  ...fieldsOf('V1EphemeralContainer', containerLists),
  ...fieldsOf('V1PodStatus', {
    conditions,
    podIPs: byName('ip'),
    hostIPs: byName('ip'),
    containerStatuses: atomic,
    initContainerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: byName('name', 'merge,retainKeys'),
  }),
  ...fieldsOf('V1PodSecurityContext', { supplementalGroups: atomic, sysctls: atomic }),
  ...fieldsOf('V1ServiceSpec', {
    ports: { listType: 'map', listMapKeys: ['port', 'protocol'], patchStrategy: 'merge', patchMergeKey: 'port' },
    externalIPs: atomic,
    clusterIPs: atomic,
    ipFamilies: atomic,
    loadBalancerSourceRanges: atomic,
  }),
  ...fieldsOf('V1ServiceStatus', { conditions }),
  ...fieldsOf('V1ServiceAccount', { secrets: byName('name'), imagePullSecrets: atomic }),
  ...fieldsOf('V1NodeSpec', { podCIDRs: { listType: 'set', patchStrategy: 'merge' }, taints: atomic }),
  ...fieldsOf('V1NodeStatus', { conditions, addresses: byName('type'), images: atomic, volumesInUse: atomic, volumesAttached: atomic }),
  ...fieldsOf('V1NamespaceStatus', { conditions }),
  ...fieldsOf('V1PersistentVolumeClaimStatus', { conditions }),
  ...fieldsOf('V1DeploymentStatus', { conditions }),
  ...fieldsOf('V1ReplicaSetStatus', { conditions }),
  ...fieldsOf('V1StatefulSetStatus', { conditions }),
  ...fieldsOf('V1DaemonSetStatus', { conditions }),
  ...fieldsOf('V1ReplicationControllerStatus', { conditions }),
  ...fieldsOf('V1PodDisruptionBudgetStatus', { conditions }),
  ...fieldsOf('V2HorizontalPodAutoscalerStatus', { conditions, currentMetrics: atomic }),
  ...fieldsOf('V1CustomResourceDefinitionStatus', { conditions }),
  // Job conditions are atomic for apply but merge by type for strategic merge patch.
  ...fieldsOf('V1JobStatus', { conditions: { listType: 'atomic', patchStrategy: 'merge', patchMergeKey: 'type' } }),
  ...fieldsOf('V1StatefulSetSpec', { volumeClaimTemplates: atomic }),
  ...fieldsOf('V1LabelSelector', { matchExpressions: atomic }),
  ...fieldsOf('V1LabelSelectorRequirement', { values: atomic }),
  ...fieldsOf('V1NodeSelector', { nodeSelectorTerms: atomic }),
  ...fieldsOf('V1Capabilities', { add: atomic, drop: atomic }),
]);

/**
 * Map fields whose values are resource.Quantity; client-node types them as plain strings.
 * Keyed like the table above.
 */
export const quantityFields: ReadonlySet<string> = new Set([
  'V1ResourceRequirements.limits',
  'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits',
  'V1VolumeResourceRequirements.requests',
  'V1NodeStatus.capacity',
  'V1NodeStatus.allocatable',
  'V1PodSpec.overhead',
  'V1EmptyDirVolumeSource.sizeLimit',
  'V1ResourceFieldSelector.divisor',
  'V1ResourceQuotaSpec.hard',
  'V1ResourceQuotaStatus.hard',
  'V1ResourceQuotaStatus.used',
  'V1LimitRangeItem.max',
  'V1LimitRangeItem.min',
  'V1LimitRangeItem.default',
  'V1LimitRangeItem.defaultRequest',
  'V1LimitRangeItem.maxLimitRequestRatio',
  'V1PersistentVolumeSpec.capacity',
  'V1PersistentVolumeClaimStatus.capacity',
  'V1PersistentVolumeClaimStatus.allocatedResources',
  'V1ContainerStatus.allocatedResources',
  'V2MetricTarget.averageValue',
  'V2MetricTarget.value',
  'V2MetricValueStatus.averageValue',
  'V2MetricValueStatus.value',
  'V1CSIStorageCapacity.capacity',
  'V1CSIStorageCapacity.maximumVolumeSize',
  'V1RuntimeClass.overhead',
  'V1Overhead.podFixed',
]);

/** Date fields that are metav1.MicroTime rather than metav1.Time. */
export const microTimeFields: ReadonlySet<string> = new Set([
  'CoreV1Event.eventTime',
  'EventsV1Event.eventTime',
  'CoreV1EventSeries.lastObservedTime',
  'EventsV1EventSeries.lastObservedTime',
  'V1LeaseSpec.acquireTime',
  'V1LeaseSpec.renewTime',
]);

/** Structs Kubernetes marks `+structType=atomic` (`x-kubernetes-map-type: atomic`): owned and replaced whole by apply. */
export const atomicStructs: ReadonlySet<string> = new Set([
  'V1LabelSelector',
  'V1LocalObjectReference',
  'V1ObjectReference',
  'V1TypedLocalObjectReference',
  'V1ConfigMapKeySelector',
  'V1SecretKeySelector',
  'V1ObjectFieldSelector',
  'V1ResourceFieldSelector',
  'V1NodeSelector',
  'V1NodeSelectorTerm',
  'V1TopologySelectorTerm',
  'V1OwnerReference',
]);
