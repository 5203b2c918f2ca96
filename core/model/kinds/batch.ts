import type { StatusCause } from '../../errors.ts';
import { deepEqual } from '../canonical-json.ts';
import type { KubeObject } from '../object.ts';
import { isSelectorParseError, labelSelectorAsSelector, matches } from '../labels.ts';
import { defineResourceType } from './define.ts';
import { cronJobColumns, jobColumns } from './workload-columns.ts';
import { defaultPodTemplate, immutableField, validateLabelSelector, validateNonNegative } from './workload-validation.ts';
import { fieldErrors } from '../field-errors.ts';
import { validatePodSpec } from './pod-spec.ts';
import { validateLabels } from '../object-meta-validation.ts';
import { isDns1123Subdomain } from '../names.ts';

export const JOB_NAME_LABELS = ['job-name', 'batch.kubernetes.io/job-name'];
export const CONTROLLER_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

/**
 * The Job strategy's generateSelector: unless `manualSelector` is set, pods get the job-name and
 * controller-uid labels and the Job selects `batch.kubernetes.io/controller-uid=<uid>`.
 */
export function generateJobSelector(job: KubeObject): void {
  const spec = job.spec;
  const uid = job.metadata.uid;
  if (!spec?.template || spec.manualSelector === true || !uid || !job.metadata.name) return;
  spec.template.metadata ??= {};
  const labels = (spec.template.metadata.labels ??= {});
  for (const key of JOB_NAME_LABELS) labels[key] ??= job.metadata.name;
  for (const key of CONTROLLER_UID_LABELS) labels[key] ??= uid;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels['batch.kubernetes.io/controller-uid'] ??= uid;
}

function validateJobSpec(spec: any, path: string): StatusCause[] {
  const causes = [
    ...validateNonNegative(spec.parallelism, `${path}.parallelism`),
    ...validateNonNegative(spec.completions, `${path}.completions`),
    ...validateNonNegative(spec.backoffLimit, `${path}.backoffLimit`),
    ...validateNonNegative(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`),
    ...validateNonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`),
    ...validateLabelSelector(spec.selector, `${path}.selector`),
  ];
  const mode = spec.completionMode ?? 'NonIndexed';
  if (!['Indexed', 'NonIndexed'].includes(mode)) causes.push(fieldErrors.notSupported(`${path}.completionMode`, mode, ['Indexed', 'NonIndexed']));
  if (mode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) causes.push(fieldErrors.required(`${path}.completions`, 'when completion mode is Indexed'));
  const template = spec.template;
  if (!template) {
    causes.push(fieldErrors.required(`${path}.template`));
    return causes;
  }
  causes.push(...validateLabels(template.metadata?.labels, `${path}.template.metadata.labels`));
  if (spec.selector) {
    try {
      if (!matches(labelSelectorAsSelector(spec.selector), template.metadata?.labels ?? {})) {
        causes.push(fieldErrors.invalid(`${path}.template.metadata.labels`, template.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
      }
    } catch (error) {
      if (!isSelectorParseError(error)) throw error;
    }
  }
  causes.push(...validatePodSpec(template.spec ?? {}, `${path}.template.spec`));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    causes.push(fieldErrors.notSupported(`${path}.template.spec.restartPolicy`, restartPolicy ?? '', ['OnFailure', 'Never']));
  }
  return causes;
}

export const jobType = defineResourceType({
  kind: 'Job',
  group: 'batch',
  version: 'v1',
  plural: 'jobs',
  categories: ['all'],
  namespaced: true,
  subresources: ['status'],
  columns: jobColumns,
  defaults(job) {
    const spec = (job.spec ??= {});
    const completionsUnset = spec.completions === undefined || spec.completions === null;
    const parallelismUnset = spec.parallelism === undefined || spec.parallelism === null;
    // SetDefaults_Job: both unset → 1 and 1; only parallelism set → completions stays unset (work queue).
    if (completionsUnset && parallelismUnset) spec.completions = 1;
    if (parallelismUnset) spec.parallelism = 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= 'TerminatingOrFailed';
    defaultPodTemplate(spec.template);
    generateJobSelector(job);
  },
  validateSpec(job, old) {
    const causes = validateJobSpec(job.spec ?? {}, 'spec');
    if (old) {
      causes.push(...immutableField(job.spec?.completions, old.spec?.completions, 'spec.completions'));
      causes.push(...immutableField(job.spec?.selector, old.spec?.selector, 'spec.selector'));
      causes.push(...immutableField(job.spec?.completionMode, old.spec?.completionMode, 'spec.completionMode'));
      if (!deepEqual(job.spec?.template, old.spec?.template) && !job.spec?.suspend) {
        causes.push(fieldErrors.invalid('spec.template', job.spec?.template, 'field is immutable'));
      }
    }
    return causes;
  },
});

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

export const cronJobType = defineResourceType({
  kind: 'CronJob',
  group: 'batch',
  version: 'v1',
  plural: 'cronjobs',
  shortNames: ['cj'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status'],
  columns: cronJobColumns,
  nameRule: (name) => {
    // CronJob names become Job names plus an 11-character suffix, so they are capped at 52.
    const errors = [];
    if (name.length > 52) errors.push('must be no more than 52 characters');
    return [...errors, ...isDns1123Subdomain(name)];
  },
  defaults(cj) {
    const spec = (cj.spec ??= {});
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    spec.jobTemplate ??= {};
    spec.jobTemplate.spec ??= {};
    const jobSpec = spec.jobTemplate.spec;
    const completionsUnset = jobSpec.completions === undefined || jobSpec.completions === null;
    if (completionsUnset && (jobSpec.parallelism === undefined || jobSpec.parallelism === null)) jobSpec.completions = 1;
    jobSpec.parallelism ??= 1;
    jobSpec.backoffLimit ??= 6;
    jobSpec.completionMode ??= 'NonIndexed';
    jobSpec.suspend ??= false;
    jobSpec.podReplacementPolicy ??= 'TerminatingOrFailed';
    defaultPodTemplate(jobSpec.template);
  },
  validateSpec(cj) {
    const spec = cj.spec ?? {};
    const causes: StatusCause[] = [];
    if (!spec.schedule) causes.push(fieldErrors.required('spec.schedule'));
    else {
      const problem = cronScheduleProblem(spec.schedule);
      if (problem) causes.push(fieldErrors.invalid('spec.schedule', spec.schedule, problem));
    }
    const policy = spec.concurrencyPolicy ?? 'Allow';
    if (!CONCURRENCY_POLICIES.includes(policy)) causes.push(fieldErrors.notSupported('spec.concurrencyPolicy', policy, CONCURRENCY_POLICIES));
    causes.push(...validateNonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
    causes.push(...validateNonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
    causes.push(...validateNonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
    causes.push(...validateJobSpec(spec.jobTemplate?.spec ?? {}, 'spec.jobTemplate.spec'));
    return causes;
  },
});

const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** A light check of a 5-field cron expression (robfig/cron's standard parser); undefined when it parses. */
export function cronScheduleProblem(schedule: string): string | undefined {
  const text = schedule.trim().replace(/^(CRON_)?TZ=\S+\s+/, '');
  if (text.startsWith('@')) {
    if (CRON_MACROS.includes(text) || /^@every\s+\S+$/.test(text)) return undefined;
    return `unrecognized descriptor: ${text}`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  const field = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
  for (const part of fields) if (!field.test(part)) return `failed to parse int from ${part}`;
  return undefined;
}
