import { defineResourceType } from './define.ts';
import { deepEqual } from '../canonical-json.ts';
import { column, containerImages, containerNames, nameColumn } from './columns.ts';
import { replicationControllerColumns } from './workload-columns.ts';
import { defaultPodTemplate, validateNonNegative } from './workload-validation.ts';
import { fieldErrors } from '../field-errors.ts';
import { formatLabels, selectorFromSet, matches } from '../labels.ts';
import { validateLabels } from '../object-meta-validation.ts';
import { validatePodSpec } from './pod-spec.ts';

export const replicationControllerType = defineResourceType({
  kind: 'ReplicationController',
  group: '',
  version: 'v1',
  plural: 'replicationcontrollers',
  shortNames: ['rc'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status', 'scale'],
  columns: replicationControllerColumns,
  defaults(rc) {
    const spec = (rc.spec ??= {});
    spec.replicas ??= 1;
    defaultPodTemplate(spec.template);
    // An RC without a selector selects its template's labels, and gets them as its own labels.
    const templateLabels = spec.template?.metadata?.labels;
    if (templateLabels) {
      if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
      if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...templateLabels };
    }
  },
  validateSpec(rc) {
    const spec = rc.spec ?? {};
    const causes = [...validateNonNegative(spec.replicas, 'spec.replicas'), ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
    const selector = spec.selector ?? {};
    if (Object.keys(selector).length === 0) causes.push(fieldErrors.required('spec.selector'));
    else causes.push(...validateLabels(selector, 'spec.selector'));
    if (!spec.template) causes.push(fieldErrors.required('spec.template'));
    else {
      const labels = spec.template.metadata?.labels ?? {};
      if (Object.keys(selector).length && !matches(selectorFromSet(selector), labels)) {
        causes.push(fieldErrors.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
      }
      causes.push(...validatePodSpec(spec.template.spec ?? {}, 'spec.template.spec'));
      const restartPolicy = spec.template.spec?.restartPolicy ?? 'Always';
      if (restartPolicy !== 'Always') causes.push(fieldErrors.notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
    }
    return causes;
  },
});

export const podTemplateType = defineResourceType({
  kind: 'PodTemplate',
  group: '',
  version: 'v1',
  plural: 'podtemplates',
  namespaced: true,
  columns: [
    nameColumn,
    column('Containers', 'string', 'Names of each container in the template.', (pt) => containerNames((pt.template as any)?.spec ?? {})),
    column('Images', 'string', 'Images referenced by each container in the template.', (pt) => containerImages((pt.template as any)?.spec ?? {})),
    column('Pod Labels', 'string', 'The labels for the pod template.', (pt) => formatLabels((pt.template as any)?.metadata?.labels)),
  ],
  defaults(pt) {
    defaultPodTemplate(pt.template);
  },
  validateSpec(pt) {
    const template = pt.template as any;
    if (!template) return [fieldErrors.required('template')];
    return [...validateLabels(template.metadata?.labels, 'template.metadata.labels'), ...validatePodSpec(template.spec ?? {}, 'template.spec')];
  },
  specChanged: (a, b) => !deepEqual(a.template, b.template),
});
