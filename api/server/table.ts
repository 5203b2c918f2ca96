import type { KubeObject } from '../../core/model/object.ts';
import type { ResourceType, TableContext } from '../../core/model/resource-type.ts';

/** Whether the Accept header asks for a meta.k8s.io Table (what kubectl get sends), and which version. */
export function wantsTable(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim().toLowerCase());
    if (params[0] !== 'application/json' || !params.includes('as=table') || !params.includes('g=meta.k8s.io')) continue;
    if (params.includes('v=v1')) return 'v1';
    if (params.includes('v=v1beta1')) return 'v1beta1';
  }
  return undefined;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectOf(value: string | undefined): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function columnDefinitions(type: ResourceType) {
  return type.columns.map((column) => {
    const definition: Record<string, unknown> = { name: column.name, type: column.type, format: column.format ?? '', description: column.description, priority: column.priority };
    if (column.name === 'Name') definition.format = 'name';
    return definition;
  });
}

export function tableRow(type: ResourceType, object: KubeObject, context: TableContext, include: IncludeObject) {
  const cells = type.columns.map((column) => {
    const value = column.cell(object, context);
    return value === null || value === undefined ? '<none>' : value;
  });
  const row: Record<string, unknown> = { cells };
  if (include === 'Object') row.object = object;
  else if (include === 'Metadata') {
    row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: withoutManagedFields(object.metadata) };
  }
  return row;
}

function withoutManagedFields(metadata: KubeObject['metadata']): KubeObject['metadata'] {
  if (!metadata.managedFields) return metadata;
  const { managedFields: _managed, ...rest } = metadata;
  return rest;
}

/** A meta.k8s.io Table of objects, as `kubectl get` asks for it. */
export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  options: { version: 'v1' | 'v1beta1'; context: TableContext; include: IncludeObject; resourceVersion?: string; continueToken?: string; withColumns?: boolean },
) {
  const metadata: Record<string, unknown> = {};
  if (options.resourceVersion !== undefined) metadata.resourceVersion = options.resourceVersion;
  if (options.continueToken) metadata.continue = options.continueToken;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata,
    columnDefinitions: options.withColumns === false ? [] : columnDefinitions(type),
    rows: objects.map((object) => tableRow(type, object, options.context, options.include)),
  };
}
