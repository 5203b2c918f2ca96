/** A small YAML writer for showing objects as kubectl -o yaml would (display only, not a parser). */

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    if (value === '' || /^[\s\-?:,[\]{}#&*!|>'"%@`]|[:#]\s|\s$|^(true|false|null|yes|no|~)$|^[\d.+-]/i.test(value) || value.includes('\n')) return JSON.stringify(value);
    return value;
  }
  return String(value);
}

function isEmptyCollection(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
}

function lines(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null && !isEmptyCollection(item)) {
        const nested: string[] = [];
        lines(item, `${indent}  `, nested);
        out.push(`${indent}- ${nested[0]!.trimStart()}`, ...nested.slice(1));
      } else out.push(`${indent}- ${isEmptyCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
    }
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item === 'object' && item !== null && !isEmptyCollection(item)) {
      out.push(`${indent}${key}:`);
      lines(item, Array.isArray(item) ? indent : `${indent}  `, out);
    } else out.push(`${indent}${key}: ${isEmptyCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
  }
}

export function toYaml(value: unknown): string {
  if (typeof value !== 'object' || value === null) return scalar(value);
  const out: string[] = [];
  lines(value, '', out);
  return out.join('\n');
}

/** A field value in a diff cell. */
export function shortValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
