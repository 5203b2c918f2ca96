import { JSONPath } from 'jsonpath-plus';
import type { KubeObject } from '../object.ts';
import type { TableColumn } from '../resource-type.ts';
import { ageColumn, column, nameColumn, timestampSince } from '../kinds/columns.ts';
import type { PrinterColumn } from '../kinds/apiextensions.ts';

type Cell = ReturnType<TableColumn['cell']>;

/** The first value a Kubernetes JSONPath (`.spec.replicas`, `.status.conditions[?(@.type=="Ready")].status`) finds. */
function firstValue(object: KubeObject, jsonPath: string): unknown {
  const path = jsonPath.startsWith('{') && jsonPath.endsWith('}') ? jsonPath.slice(1, -1) : jsonPath;
  try {
    const found = JSONPath({ path: `$${path.startsWith('.') || path.startsWith('[') ? '' : '.'}${path}`, json: object, wrap: true }) as unknown[];
    return found[0];
  } catch {
    return undefined;
  }
}

/** A cell as the apiserver's CustomResource table convertor types it: a value of the wrong type is empty. */
function typedCell(value: unknown, type: string, now: number): Cell {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? value : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? timestampSince(value, now) : null;
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/**
 * A custom resource's table: Name, then the version's additionalPrinterColumns (priority above 0
 * only with `-o wide`), or Name and Age when it declares none, as the apiserver prints them.
 */
export function customResourceColumns(printers: readonly PrinterColumn[] | undefined): TableColumn[] {
  if (!printers || printers.length === 0) return [nameColumn, ageColumn];
  return [
    nameColumn,
    ...printers.map((printer) => {
      // Dates are sent as ages, which kubectl prints as they come.
      const type = printer.type === 'date' ? 'string' : (printer.type as TableColumn['type']);
      const printed = column(printer.name, type, printer.description ?? '', (object, context) => typedCell(firstValue(object, printer.jsonPath), printer.type, context.now), (printer.priority ?? 0) > 0 ? 1 : 0);
      if (printer.format) printed.format = printer.format;
      return printed;
    }),
  ];
}
