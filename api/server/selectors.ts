import { apiErrors } from '../../core/errors.ts';
import { type FieldRequirement, fieldSelectorMatchesKind, isFieldSelectorError, parseFieldSelector, validateFieldSelectorFor } from '../../core/model/field-selectors.ts';
import { isSelectorParseError, matches, parseSelector, type Selector } from '../../core/model/labels.ts';
import type { KubeObject } from '../../core/model/object.ts';
import type { ResourceType } from '../../core/model/resource-type.ts';

export type { FieldRequirement } from '../../core/model/field-selectors.ts';

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

/**
 * `?fieldSelector=a=b,c!=d,e==f` (fields.ParseSelector, core/model/field-selectors.ts), checked
 * against the kind's field labels when a kind is given; 400 BadRequest with Kubernetes' wording.
 */
export function parseFieldSelectorParam(text: string | undefined, type?: ResourceType): FieldRequirement[] | undefined {
  if (!text) return undefined;
  try {
    const selector = parseFieldSelector(text);
    if (type) validateFieldSelectorFor(type, selector);
    return selector.requirements;
  } catch (error) {
    if (isFieldSelectorError(error)) throw apiErrors.badRequest(error.message);
    throw error;
  }
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
  if (filter.fields && !fieldSelectorMatchesKind(object.kind, { requirements: filter.fields }, object)) return false;
  return true;
}
