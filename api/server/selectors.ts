import { apiErrors } from '../../core/errors.ts';
import { isSelectorParseError, matches, parseSelector, type Selector } from '../../core/model/labels.ts';
import type { KubeObject } from '../../core/model/object.ts';

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** `?labelSelector=` parsed, 400 BadRequest with Kubernetes' wording when malformed. */
export function parseLabelSelectorParam(text: string | undefined): Selector | undefined {
  if (!text) return undefined;
  try {
    return parseSelector(text);
  } catch (error) {
    if (isSelectorParseError(error)) throw apiErrors.badRequest(`unable to parse requirement: ${error.message}`);
    throw error;
  }
}

/** `?fieldSelector=a=b,c!=d,e==f` (fields.ParseSelector), escaping `\,` `\=` `\\` as Kubernetes does. */
export function parseFieldSelectorParam(text: string | undefined): FieldRequirement[] | undefined {
  if (!text) return undefined;
  const requirements: FieldRequirement[] = [];
  for (const part of splitUnescaped(text, ',')) {
    if (part.trim() === '') continue;
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(part);
    if (!match) throw apiErrors.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    requirements.push({ field: match[1]!.trim(), operator: match[2] === '!=' ? '!=' : '=', value: unescape(match[3]!) });
  }
  return requirements;
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      current += char + text[i + 1];
      i++;
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** The value a field selector compares: a dotted path into the object, '' when absent. */
export function fieldValue(object: KubeObject, field: string): string {
  let value: unknown = object;
  for (const segment of field.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[segment];
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export interface ObjectFilter {
  namespace?: string;
  name?: string;
  labels?: Selector;
  fields?: FieldRequirement[];
}

export function objectMatches(object: KubeObject, filter: ObjectFilter): boolean {
  if (filter.namespace !== undefined && object.metadata.namespace !== filter.namespace) return false;
  if (filter.name !== undefined && object.metadata.name !== filter.name) return false;
  if (filter.labels && !matches(filter.labels, object.metadata.labels)) return false;
  if (filter.fields) {
    for (const requirement of filter.fields) {
      const actual = fieldValue(object, requirement.field);
      if (requirement.operator === '=' ? actual !== requirement.value : actual === requirement.value) return false;
    }
  }
  return true;
}
