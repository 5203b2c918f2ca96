import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import { fieldErrors } from '../field-errors.ts';
import { labelSelectorAsSelector, matches, isSelectorParseError, type LabelSelector } from '../labels.ts';
import { validateAnnotations, validateLabels } from '../object-meta-validation.ts';
import { defaultPodSpec, validatePodSpec } from './pod-spec.ts';
import { sameCanonicalJson } from '../canonical-json.ts';

const LABEL_SELECTOR_OPERATORS = ['DoesNotExist', 'Exists', 'In', 'NotIn'];

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(selector: LabelSelector | undefined, path: string): StatusCause[] {
  if (!selector) return [];
  const causes = validateLabels(selector.matchLabels, `${path}.matchLabels`);
  for (const [i, expression] of (selector.matchExpressions ?? []).entries()) {
    const at = `${path}.matchExpressions[${i}]`;
    if (!LABEL_SELECTOR_OPERATORS.includes(expression.operator)) causes.push(fieldErrors.notSupported(`${at}.operator`, expression.operator, LABEL_SELECTOR_OPERATORS));
    const values = expression.values ?? [];
    if ((expression.operator === 'In' || expression.operator === 'NotIn') && values.length === 0) {
      causes.push(fieldErrors.required(`${at}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    }
    if ((expression.operator === 'Exists' || expression.operator === 'DoesNotExist') && values.length > 0) {
      causes.push(fieldErrors.forbidden(`${at}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
    }
    causes.push(...validateLabels({ [expression.key]: '' }, `${at}.key`).map((c) => ({ ...c, message: c.message })));
  }
  return causes;
}

/** Defaults a workload's pod template the way Kubernetes defaults a Pod's spec. */
export function defaultPodTemplate(template: any): void {
  if (!template) return;
  template.metadata ??= {};
  template.spec ??= {};
  defaultPodSpec(template.spec);
}

export interface WorkloadValidationOptions {
  /** How the empty-selector message names the kind (Kubernetes says "deployment" for ReplicaSets too). */
  noun: 'deployment' | 'daemonset' | 'statefulset';
  /** The Kind named in "activeDeadlineSeconds in <Kind> is not Supported". */
  kindName: 'ReplicaSet' | 'DaemonSet' | 'StatefulSet';
  /** StatefulSets check only the template's labels and annotations (volumes come from claim templates). */
  validatePodSpec?: boolean;
}

/**
 * The checks Deployments, ReplicaSets, DaemonSets and StatefulSets share (ValidateReplicaSetSpec,
 * ValidatePodTemplateSpecForReplicaSet and their siblings): a non-empty selector that matches the
 * template's labels, a valid pod template, restartPolicy Always and no activeDeadlineSeconds.
 */
export function validateSelectorAndTemplate(object: KubeObject, options: WorkloadValidationOptions): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = object.spec ?? {};
  const selector: LabelSelector | undefined = spec.selector ?? undefined;
  // DaemonSets do not require a selector up front: a missing one simply matches nothing below.
  if (!selector) {
    if (options.noun !== 'daemonset') causes.push(fieldErrors.required('spec.selector'));
  } else {
    causes.push(...validateLabelSelector(selector, 'spec.selector'));
    if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
      causes.push(fieldErrors.invalid('spec.selector', selector, `empty selector is invalid for ${options.noun}`));
    }
  }
  const template = spec.template ?? {};
  const templateLabels = template.metadata?.labels ?? {};
  try {
    // A missing selector selects nothing, so Kubernetes reports the mismatch too; an empty one selects everything.
    const parsed = labelSelectorAsSelector(selector);
    if (!matches(parsed, templateLabels)) {
      causes.push(fieldErrors.invalid('spec.template.metadata.labels', templateLabels, '`selector` does not match template `labels`'));
    }
  } catch (error) {
    if (!isSelectorParseError(error)) throw error;
    if (options.noun !== 'daemonset') causes.push(fieldErrors.invalid('spec.selector', selector, 'invalid label selector'));
  }
  causes.push(...validateLabels(template.metadata?.labels, 'spec.template.metadata.labels'));
  causes.push(...validateAnnotations(template.metadata?.annotations, 'spec.template.metadata.annotations'));
  if (options.validatePodSpec !== false) causes.push(...validatePodSpec(template.spec ?? {}, 'spec.template.spec'));
  // Defaulting sets restartPolicy Always on any template, so unset counts as Always.
  const restartPolicy = template.spec?.restartPolicy ?? 'Always';
  if (restartPolicy !== 'Always') causes.push(fieldErrors.notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null) {
    causes.push(fieldErrors.forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${options.kindName} is not Supported`));
  }
  return causes;
}

export function validateNonNegative(value: unknown, path: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value)) return [fieldErrors.invalid(path, value, 'must be an integer')];
  return value < 0 ? [fieldErrors.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

export function immutableField(next: unknown, previous: unknown, path: string): StatusCause[] {
  return sameCanonicalJson(next, previous) ? [] : [fieldErrors.invalid(path, next, 'field is immutable')];
}
