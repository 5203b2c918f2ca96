import { stringify } from 'yaml';

/** An object as `kubectl get -o yaml` shows it. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, indentSeq: false }).trimEnd();
}

/** A field value in a diff cell. */
export function shortValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
