import type { StatusCause } from '../errors.ts';
import type { KubeObject } from './object.ts';

/** One printed column, as Kubernetes' TableColumnDefinition plus how to fill it. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0 = shown by default, 1 = only with `-o wide`. */
  priority: 0 | 1;
  cell(object: KubeObject, context: TableContext): string | number | boolean | null;
}

/** What a column may need beyond the object itself. */
export interface TableContext {
  /** Current virtual time, for AGE columns. */
  now: number;
}

/**
 * One entry of the resource registry. This single description drives discovery, OpenAPI,
 * routing, defaulting, validation and table printing: a new kind is one entry plus its controller.
 */
export interface ResourceType {
  kind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  /** Other versions served for the same objects (autoscaling/v1 beside v2), oldest last. */
  alsoServedAs?: string[];
  plural: string;
  singular: string;
  shortNames: string[];
  categories?: string[];
  namespaced: boolean;
  verbs: string[];
  /** Subresources beyond the object itself: 'status', 'scale', 'binding', 'eviction', 'log'. */
  subresources: string[];
  columns: TableColumn[];
  /** Fills in what Kubernetes defaults (mutates and returns the object). */
  defaults(object: KubeObject): KubeObject;
  /** Returns field errors, Kubernetes-worded; empty when valid. `old` is set on update. */
  validate(object: KubeObject, old?: KubeObject): StatusCause[];
  /**
   * Checks a status-subresource update: metadata only, as Kubernetes' status strategies do (the
   * spec cannot change through it, so it is not validated again). Default: `validate`.
   */
  validateStatusUpdate?(object: KubeObject, old: KubeObject): StatusCause[];
  /**
   * A status written through the status subresource, pruned and defaulted (custom resources: by
   * their schema), as a copy: the one given may share parts with the stored object.
   */
  defaultsStatus?(status: Record<string, unknown>): Record<string, unknown>;
  /** Whether a change between two objects counts as a spec change (bumps metadata.generation). */
  specChanged?(previous: KubeObject, next: KubeObject): boolean;
  /**
   * Converts an object of this kind, in any served version, to `version` (one of `version` or
   * `alsoServedAs`), apiVersion included. Absent when every served version has the same shape.
   */
  convert?(object: KubeObject, version: string): KubeObject;
  /**
   * Review kinds (SelfSubjectAccessReview and the like): a create is answered with this, once
   * `validate` passes, and nothing is stored or appended.
   */
  answer?(review: KubeObject, requester: Requester): KubeObject;
  /**
   * Where the scale subresource reads and writes (a CustomResourceDefinition's `.spec.…` paths);
   * absent: `.spec.replicas`, `.status.replicas` and the spec's selector, as the workloads have them.
   */
  scalePaths?: { specReplicas: string; statusReplicas: string; labelSelector?: string };
  /** Field labels a field selector may name besides `metadata.name` and `metadata.namespace` (a CRD's `selectableFields`). */
  fieldLabels?: string[];
  /** Versions served with a deprecation warning (a CRD's `deprecated` versions), by version. */
  deprecatedVersions?: Record<string, string>;
  /** For a kind a CustomResourceDefinition adds: that definition's name. */
  definedBy?: string;
  /**
   * Fields of `object` its schema does not declare (fieldValidation), for kinds whose schema is not
   * among the built-in OpenAPI components (custom resources).
   */
  unknownFields?(object: KubeObject): string[];
  /** The OpenAPI v3 schema of its objects, for kinds the built-in OpenAPI components lack (custom resources). */
  openApiSchema?: Record<string, unknown>;
  /**
   * Kinds computed from the cluster state when read and never stored (metrics.k8s.io's PodMetrics
   * and NodeMetrics): the API's reads compute them (api/server/metrics/), and the write path refuses
   * them as it refuses reviews.
   */
  computed?: boolean;
}

/** Who sent a request, as a review answers it. */
export interface Requester {
  username: string;
  groups: readonly string[];
}

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}
