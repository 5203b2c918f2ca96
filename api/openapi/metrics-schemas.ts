import type { Schema } from './component-schemas.ts';

/**
 * The schemas metrics-server publishes for metrics.k8s.io/v1beta1 (k8s.io/metrics'
 * PodMetrics, NodeMetrics, ContainerMetrics and their lists, with their field docs), which
 * client-node does not generate: `kubectl explain podmetrics` reads them.
 */

const PKG = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const DURATION = `${META}.Duration`;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const gvk = (kind: string) => [{ group: 'metrics.k8s.io', version: 'v1beta1', kind }];

const API_VERSION = {
  description:
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
  type: 'string',
};
const KIND = {
  description:
    'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
  type: 'string',
};
const OBJECT_META = { description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", allOf: [ref(`${META}.ObjectMeta`)], default: {} };
const LIST_META = { description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', allOf: [ref(`${META}.ListMeta`)], default: {} };
const TIMESTAMP = { description: 'The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].', allOf: [ref(`${META}.Time`)] };
const WINDOW = { allOf: [ref(DURATION)] };
const USAGE = { description: 'The memory usage is the memory working set.', type: 'object', additionalProperties: ref(QUANTITY) };

function list(kind: string, description: string): Schema {
  return {
    description: `${kind}List is a list of ${kind}.`,
    type: 'object',
    required: ['items'],
    properties: { apiVersion: API_VERSION, items: { description, type: 'array', items: { allOf: [ref(`${PKG}.${kind}`)], default: {} } }, kind: KIND, metadata: LIST_META },
    'x-kubernetes-group-version-kind': gvk(`${kind}List`),
  };
}

/** Schema name → schema. */
export const metricsSchemas: Record<string, Schema> = {
  [DURATION]: {
    description: 'Duration is a wrapper around time.Duration which supports correct marshaling to YAML and JSON. In particular, it marshals into strings, which can be used as map keys in json.',
    type: 'string',
  },
  [`${PKG}.ContainerMetrics`]: {
    description: 'ContainerMetrics sets resource usage metrics of a container.',
    type: 'object',
    required: ['name', 'usage'],
    properties: { name: { description: 'Container name corresponding to the one from pod.spec.containers.', type: 'string', default: '' }, usage: USAGE },
  },
  [`${PKG}.PodMetrics`]: {
    description: 'PodMetrics sets resource usage metrics of a pod.',
    type: 'object',
    required: ['timestamp', 'window', 'containers'],
    properties: {
      apiVersion: API_VERSION,
      containers: {
        description: 'Metrics for all containers are collected within the same time window.',
        type: 'array',
        items: { allOf: [ref(`${PKG}.ContainerMetrics`)], default: {} },
        'x-kubernetes-list-type': 'atomic',
      },
      kind: KIND,
      metadata: OBJECT_META,
      timestamp: TIMESTAMP,
      window: WINDOW,
    },
    'x-kubernetes-group-version-kind': gvk('PodMetrics'),
  },
  [`${PKG}.PodMetricsList`]: list('PodMetrics', 'List of pod metrics.'),
  [`${PKG}.NodeMetrics`]: {
    description: 'NodeMetrics sets resource usage metrics of a node.',
    type: 'object',
    required: ['timestamp', 'window', 'usage'],
    properties: { apiVersion: API_VERSION, kind: KIND, metadata: OBJECT_META, timestamp: TIMESTAMP, usage: USAGE, window: WINDOW },
    'x-kubernetes-group-version-kind': gvk('NodeMetrics'),
  },
  [`${PKG}.NodeMetricsList`]: list('NodeMetrics', 'List of node metrics.'),
};
