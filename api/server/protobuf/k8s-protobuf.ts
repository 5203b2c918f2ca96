import protobuf from 'protobufjs';
import { apiErrors } from '../../../core/errors.ts';

/**
 * Kubernetes' protobuf wire format, as typed clients (`kubectl create namespace|configmap|secret|
 * service|deployment|job|cronjob|pdb|quota|serviceaccount|ingress|role|rolebinding|clusterrole|
 * clusterrolebinding|priorityclass`, drain's evictions and deletes,
 * `kubectl auth`'s reviews, `kubectl create token`'s TokenRequest) send it: the magic `k8s\0`, then a
 * runtime.Unknown whose `raw` holds the object's own message. Only the messages (and, within them,
 * the fields) those clients send are described, with Kubernetes' field numbers; fields not
 * described here are skipped by the decoder.
 */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const schema = `
syntax = "proto2";
package k8s;
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message IntOrString { optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3; }
message Quantity { optional string string = 1; }
message OwnerReference { optional string kind = 1; optional string name = 3; optional string uid = 4; optional string apiVersion = 5; optional bool controller = 6; optional bool blockOwnerDeletion = 7; }
message ObjectMeta {
  optional string name = 1; optional string generateName = 2; optional string namespace = 3; optional string selfLink = 4;
  optional string uid = 5; optional string resourceVersion = 6; optional int64 generation = 7;
  optional Time creationTimestamp = 8; optional Time deletionTimestamp = 9; optional int64 deletionGracePeriodSeconds = 10;
  map<string, string> labels = 11; map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14;
}
message LabelSelectorRequirement { optional string key = 1; optional string operator = 2; repeated string values = 3; }
message LabelSelector { map<string, string> matchLabels = 1; repeated LabelSelectorRequirement matchExpressions = 2; }
message Preconditions { optional string uid = 1; optional string resourceVersion = 2; }
message DeleteOptions {
  optional int64 gracePeriodSeconds = 1; optional Preconditions preconditions = 2; optional bool orphanDependents = 3;
  optional string propagationPolicy = 4; repeated string dryRun = 5;
}
message NamespaceSpec { repeated string finalizers = 1; }
message NamespaceStatus { optional string phase = 1; }
message Namespace { optional ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; optional NamespaceStatus status = 3; }
message Eviction { optional ObjectMeta metadata = 1; optional DeleteOptions deleteOptions = 2; }
message ConfigMap { optional ObjectMeta metadata = 1; map<string, string> data = 2; map<string, bytes> binaryData = 3; optional bool immutable = 4; }
message Secret { optional ObjectMeta metadata = 1; map<string, bytes> data = 2; optional string type = 3; map<string, string> stringData = 4; optional bool immutable = 5; }
message ServicePort { optional string name = 1; optional string protocol = 2; optional int32 port = 3; optional IntOrString targetPort = 4; optional int32 nodePort = 5; optional string appProtocol = 6; }
message ServiceSpec {
  repeated ServicePort ports = 1; map<string, string> selector = 2; optional string clusterIP = 3; optional string type = 4;
  repeated string externalIPs = 5; optional string sessionAffinity = 7; optional string externalName = 10;
}
message Service { optional ObjectMeta metadata = 1; optional ServiceSpec spec = 2; }
message ContainerPort { optional string name = 1; optional int32 hostPort = 2; optional int32 containerPort = 3; optional string protocol = 4; optional string hostIP = 5; }
message EnvVar { optional string name = 1; optional string value = 2; }
message ResourceRequirements { map<string, Quantity> limits = 1; map<string, Quantity> requests = 2; }
message Container {
  optional string name = 1; optional string image = 2; repeated string command = 3; repeated string args = 4; optional string workingDir = 5;
  repeated ContainerPort ports = 6; repeated EnvVar env = 7; optional ResourceRequirements resources = 8;
  optional string terminationMessagePath = 13; optional string imagePullPolicy = 14;
  optional bool stdin = 16; optional bool stdinOnce = 17; optional bool tty = 18; optional string terminationMessagePolicy = 20;
}
message PodSpec {
  repeated Container containers = 2; optional string restartPolicy = 3; optional int64 terminationGracePeriodSeconds = 4;
  optional int64 activeDeadlineSeconds = 5; optional string dnsPolicy = 6; map<string, string> nodeSelector = 7;
  optional string serviceAccountName = 8; optional string nodeName = 10; optional string hostname = 16; optional string schedulerName = 19;
  repeated Container initContainers = 20; optional string priorityClassName = 24; optional int32 priority = 25;
}
message PodTemplateSpec { optional ObjectMeta metadata = 1; optional PodSpec spec = 2; }
message Pod { optional ObjectMeta metadata = 1; optional PodSpec spec = 2; }
message RollingUpdateDeployment { optional IntOrString maxUnavailable = 1; optional IntOrString maxSurge = 2; }
message DeploymentStrategy { optional string type = 1; optional RollingUpdateDeployment rollingUpdate = 2; }
message DeploymentSpec {
  optional int32 replicas = 1; optional LabelSelector selector = 2; optional PodTemplateSpec template = 3; optional DeploymentStrategy strategy = 4;
  optional int32 minReadySeconds = 5; optional int32 revisionHistoryLimit = 6; optional bool paused = 7; optional int32 progressDeadlineSeconds = 9;
}
message Deployment { optional ObjectMeta metadata = 1; optional DeploymentSpec spec = 2; }
message JobSpec {
  optional int32 parallelism = 1; optional int32 completions = 2; optional int64 activeDeadlineSeconds = 3; optional LabelSelector selector = 4;
  optional bool manualSelector = 5; optional PodTemplateSpec template = 6; optional int32 backoffLimit = 7; optional int32 ttlSecondsAfterFinished = 8;
  optional string completionMode = 9; optional bool suspend = 10;
}
message Job { optional ObjectMeta metadata = 1; optional JobSpec spec = 2; }
message JobTemplateSpec { optional ObjectMeta metadata = 1; optional JobSpec spec = 2; }
message CronJobSpec {
  optional string schedule = 1; optional int64 startingDeadlineSeconds = 2; optional string concurrencyPolicy = 3; optional bool suspend = 4;
  optional JobTemplateSpec jobTemplate = 5; optional int32 successfulJobsHistoryLimit = 6; optional int32 failedJobsHistoryLimit = 7; optional string timeZone = 8;
}
message CronJob { optional ObjectMeta metadata = 1; optional CronJobSpec spec = 2; }
message CrossVersionObjectReference { optional string kind = 1; optional string name = 2; optional string apiVersion = 3; }
message HorizontalPodAutoscalerSpecV1 { optional CrossVersionObjectReference scaleTargetRef = 1; optional int32 minReplicas = 2; optional int32 maxReplicas = 3; optional int32 targetCPUUtilizationPercentage = 4; }
message HorizontalPodAutoscalerV1 { optional ObjectMeta metadata = 1; optional HorizontalPodAutoscalerSpecV1 spec = 2; }
message MetricTarget { optional string type = 1; optional Quantity value = 2; optional Quantity averageValue = 3; optional int32 averageUtilization = 4; }
message ResourceMetricSource { optional string name = 1; optional MetricTarget target = 2; }
message ContainerResourceMetricSource { optional string name = 1; optional MetricTarget target = 2; optional string container = 3; }
message MetricSpec { optional string type = 1; optional ResourceMetricSource resource = 4; optional ContainerResourceMetricSource containerResource = 7; }
message HPAScalingPolicy { optional string type = 1; optional int32 value = 2; optional int32 periodSeconds = 3; }
message HPAScalingRules { optional string selectPolicy = 1; repeated HPAScalingPolicy policies = 2; optional int32 stabilizationWindowSeconds = 3; }
message HorizontalPodAutoscalerBehavior { optional HPAScalingRules scaleUp = 1; optional HPAScalingRules scaleDown = 2; }
message HorizontalPodAutoscalerSpec {
  optional CrossVersionObjectReference scaleTargetRef = 1; optional int32 minReplicas = 2; optional int32 maxReplicas = 3;
  repeated MetricSpec metrics = 4; optional HorizontalPodAutoscalerBehavior behavior = 5;
}
message HorizontalPodAutoscaler { optional ObjectMeta metadata = 1; optional HorizontalPodAutoscalerSpec spec = 2; }
message ResourceAttributes {
  optional string namespace = 1; optional string verb = 2; optional string group = 3; optional string version = 4;
  optional string resource = 5; optional string subresource = 6; optional string name = 7;
}
message NonResourceAttributes { optional string path = 1; optional string verb = 2; }
message SelfSubjectAccessReviewSpec { optional ResourceAttributes resourceAttributes = 1; optional NonResourceAttributes nonResourceAttributes = 2; }
message SelfSubjectAccessReview { optional ObjectMeta metadata = 1; optional SelfSubjectAccessReviewSpec spec = 2; }
message SelfSubjectRulesReviewSpec { optional string namespace = 1; }
message SelfSubjectRulesReview { optional ObjectMeta metadata = 1; optional SelfSubjectRulesReviewSpec spec = 2; }
message SelfSubjectReview { optional ObjectMeta metadata = 1; }
message PodDisruptionBudgetSpec {
  optional IntOrString minAvailable = 1; optional LabelSelector selector = 2; optional IntOrString maxUnavailable = 3; optional string unhealthyPodEvictionPolicy = 4;
}
message PodDisruptionBudget { optional ObjectMeta metadata = 1; optional PodDisruptionBudgetSpec spec = 2; }
message ScopedResourceSelectorRequirement { optional string scopeName = 1; optional string operator = 2; repeated string values = 3; }
message ScopeSelector { repeated ScopedResourceSelectorRequirement matchExpressions = 1; }
message ResourceQuotaSpec { map<string, Quantity> hard = 1; repeated string scopes = 2; optional ScopeSelector scopeSelector = 3; }
message ResourceQuota { optional ObjectMeta metadata = 1; optional ResourceQuotaSpec spec = 2; }
message LocalObjectReference { optional string name = 1; }
message ServiceAccount { optional ObjectMeta metadata = 1; repeated LocalObjectReference imagePullSecrets = 3; optional bool automountServiceAccountToken = 4; }
message ServiceBackendPort { optional string name = 1; optional int32 number = 2; }
message IngressServiceBackend { optional string name = 1; optional ServiceBackendPort port = 2; }
message IngressBackend { optional IngressServiceBackend service = 4; }
message HTTPIngressPath { optional string path = 1; optional IngressBackend backend = 2; optional string pathType = 3; }
message HTTPIngressRuleValue { repeated HTTPIngressPath paths = 1; }
message IngressRuleValue { optional HTTPIngressRuleValue http = 1; }
message IngressRule { optional string host = 1; optional IngressRuleValue ingressRuleValue = 2; }
message IngressTLS { repeated string hosts = 1; optional string secretName = 2; }
message IngressSpec { optional IngressBackend defaultBackend = 1; repeated IngressTLS tls = 2; repeated IngressRule rules = 3; optional string ingressClassName = 4; }
message Ingress { optional ObjectMeta metadata = 1; optional IngressSpec spec = 2; }
message PolicyRule { repeated string verbs = 1; repeated string apiGroups = 2; repeated string resources = 3; repeated string resourceNames = 4; repeated string nonResourceURLs = 5; }
message AggregationRule { repeated LabelSelector clusterRoleSelectors = 1; }
message Role { optional ObjectMeta metadata = 1; repeated PolicyRule rules = 2; }
message ClusterRole { optional ObjectMeta metadata = 1; repeated PolicyRule rules = 2; optional AggregationRule aggregationRule = 3; }
message Subject { optional string kind = 1; optional string apiGroup = 2; optional string name = 3; optional string namespace = 4; }
message RoleRef { optional string apiGroup = 1; optional string kind = 2; optional string name = 3; }
message RoleBinding { optional ObjectMeta metadata = 1; repeated Subject subjects = 2; optional RoleRef roleRef = 3; }
message ClusterRoleBinding { optional ObjectMeta metadata = 1; repeated Subject subjects = 2; optional RoleRef roleRef = 3; }
message BoundObjectReference { optional string kind = 1; optional string apiVersion = 2; optional string name = 3; optional string uid = 4; }
message TokenRequestSpec { repeated string audiences = 1; optional BoundObjectReference boundObjectRef = 3; optional int64 expirationSeconds = 4; }
message TokenRequest { optional ObjectMeta metadata = 1; optional TokenRequestSpec spec = 2; }
message PriorityClass { optional ObjectMeta metadata = 1; optional int32 value = 2; optional bool globalDefault = 3; optional string description = 4; optional string preemptionPolicy = 5; }
`;

const root = protobuf.parse(schema, { keepCase: true }).root;
const Unknown = root.lookupType('k8s.Unknown');
const DECODABLE = [
  'Namespace', 'DeleteOptions', 'Eviction', 'ConfigMap', 'Secret', 'Service', 'Pod', 'Deployment', 'Job', 'CronJob',
  'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SelfSubjectReview', 'PodDisruptionBudget', 'ResourceQuota', 'ServiceAccount', 'Ingress',
  'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'PriorityClass', 'TokenRequest',
];
const messagesByKind: Record<string, protobuf.Type> = Object.fromEntries(DECODABLE.map((kind) => [kind, root.lookupType(`k8s.${kind}`)]));

/** Kinds whose message differs between versions of their group (`kubectl autoscale` may send either HPA version). */
const messagesByVersionKind: Record<string, protobuf.Type> = {
  'autoscaling/v1/HorizontalPodAutoscaler': root.lookupType('k8s.HorizontalPodAutoscalerV1'),
  'autoscaling/v2/HorizontalPodAutoscaler': root.lookupType('k8s.HorizontalPodAutoscaler'),
};

export const PROTOBUF_DECODABLE_KINDS = [...Object.keys(messagesByKind), 'HorizontalPodAutoscaler'];

/** Decodes a protobuf-encoded Kubernetes object into the JSON shape the rest of the API uses. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw apiErrors.badRequest('provided object is not protobuf encoded: missing the k8s\\0 prefix');
  }
  let envelope: { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array };
  try {
    envelope = Unknown.toObject(Unknown.decode(body.subarray(4)), { defaults: false }) as typeof envelope;
  } catch (error) {
    throw apiErrors.badRequest(`unable to decode protobuf body: ${(error as Error).message}`);
  }
  const kind = envelope.typeMeta?.kind ?? '';
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const message = messagesByVersionKind[`${apiVersion}/${kind}`] ?? messagesByKind[kind];
  if (!message) {
    throw apiErrors.unsupportedMediaType(`application/vnd.kubernetes.protobuf (kind ${kind || 'unknown'}; send ${kind || 'it'} as application/json)`);
  }
  let decoded: Record<string, unknown>;
  try {
    decoded = message.toObject(message.decode(envelope.raw ?? new Uint8Array()), { longs: Number, bytes: String, defaults: false, arrays: false, objects: false }) as Record<string, unknown>;
  } catch (error) {
    throw apiErrors.badRequest(`unable to decode protobuf ${kind}: ${(error as Error).message}`);
  }
  return { apiVersion, kind, ...(normalize(decoded) as Record<string, unknown>) };
}

const TIME_FIELDS = new Set(['creationTimestamp', 'deletionTimestamp']);
const INT_OR_STRING_FIELDS = new Set(['targetPort', 'maxUnavailable', 'maxSurge', 'minAvailable']);
/**
 * Go's generated marshallers write every non-pointer field, so "" and 0 and false arrive even where
 * JSON (omitempty) would leave them out. These pointer fields are the ones where a zero is meant.
 */
const ZERO_MEANT = new Set([
  'replicas', 'parallelism', 'completions', 'backoffLimit', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'revisionHistoryLimit',
  'progressDeadlineSeconds', 'ttlSecondsAfterFinished', 'startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit',
  'gracePeriodSeconds', 'priority', 'orphanDependents', 'immutable', 'manualSelector', 'suspend',
  'minReplicas', 'averageUtilization', 'targetCPUUtilizationPercentage', 'stabilizationWindowSeconds',
  'minAvailable', 'maxUnavailable', 'maxSurge', 'automountServiceAccountToken', 'value', 'expirationSeconds',
]);
const QUANTITY_FIELDS = new Set(['value', 'averageValue']);

function isOmittedZero(field: string, value: unknown): boolean {
  if (value === '') return true;
  return (value === 0 || value === false) && !ZERO_MEANT.has(field);
}

/**
 * Gives decoded messages their JSON shape: Time as RFC 3339 (a zero Time, which typed clients
 * always send, as absent), IntOrString as a number or a string, Quantity as its string.
 */
function normalize(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => normalize(item));
  if (!value || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (TIME_FIELDS.has(key)) return record.seconds ? new Date(Number(record.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
  if (INT_OR_STRING_FIELDS.has(key)) return Number(record.type ?? 0) === 1 ? (record.strVal ?? '') : (record.intVal ?? 0);
  if (QUANTITY_FIELDS.has(key)) return (record as { string?: string }).string ?? '0';
  if (key === 'limits' || key === 'requests' || key === 'hard') {
    return Object.fromEntries(Object.entries(record).map(([name, quantity]) => [name, (quantity as { string?: string }).string ?? '0']));
  }
  const out: Record<string, unknown> = {};
  for (const [field, entry] of Object.entries(record)) {
    const isMap = key === 'labels' || key === 'annotations' || key === 'data' || key === 'stringData' || key === 'binaryData' || key === 'selector' || key === 'nodeSelector' || key === 'matchLabels';
    if (isMap) {
      out[field] = entry;
      continue;
    }
    const normalized = normalize(entry, field);
    // IngressRuleValue is inlined in JSON (`rules[].http`).
    if (field === 'ingressRuleValue' && normalized && typeof normalized === 'object') Object.assign(out, normalized);
    else if (normalized !== undefined && !isOmittedZero(field, normalized)) out[field] = normalized;
  }
  return out;
}

/** Encodes an object the way a typed client would (used by tests and to document the format). */
export function encodeKubernetesProtobuf(object: { apiVersion: string; kind: string; [key: string]: unknown }): Buffer {
  const message = messagesByKind[object.kind];
  if (!message) throw new Error(`no protobuf message for ${object.kind}`);
  const { apiVersion, kind, ...rest } = object;
  const raw = message.encode(message.fromObject(denormalize(rest) as Record<string, unknown>)).finish();
  const unknown = Unknown.encode(Unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })).finish();
  return Buffer.concat([PROTOBUF_MAGIC, Buffer.from(unknown)]);
}

function denormalize(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && TIME_FIELDS.has(key)) return { seconds: Math.floor(Date.parse(value) / 1000) };
  if (INT_OR_STRING_FIELDS.has(key)) return typeof value === 'string' ? { type: 1, strVal: value } : { type: 0, intVal: value };
  if (Array.isArray(value)) return value.map((v) => denormalize(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'labels' || k === 'annotations' ? v : denormalize(v, k);
    return out;
  }
  return value;
}
