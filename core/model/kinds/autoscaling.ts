import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import { defineResourceType } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { fieldErrors } from '../field-errors.ts';
import { convertHpa } from './hpa-conversion.ts';

/** One metric's `current/target` text, as kubectl's formatHPAMetrics prints it. */
function formatMetric(spec: any, current: any): string {
  const unknown = '<unknown>';
  switch (spec.type) {
    case 'Resource':
    case 'ContainerResource': {
      const source = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const status = current?.[spec.type === 'Resource' ? 'resource' : 'containerResource'];
      const name = source?.name ?? '';
      if (source?.target?.averageValue !== undefined) {
        return `${name}: ${status?.current?.averageValue ?? unknown}/${source.target.averageValue}`;
      }
      const now = status?.current?.averageUtilization;
      const target = source?.target?.averageUtilization !== undefined ? `${source.target.averageUtilization}%` : '<auto>';
      return `${name}: ${now !== undefined ? `${now}%` : unknown}/${target}`;
    }
    case 'Pods': {
      const now = current?.pods?.current?.averageValue;
      return `${now ?? unknown}/${spec.pods?.target?.averageValue ?? ''}`;
    }
    case 'Object': {
      const target = spec.object?.target ?? {};
      if (target.type === 'AverageValue') return `${current?.object?.current?.averageValue ?? unknown}/${target.averageValue} (avg)`;
      return `${current?.object?.current?.value ?? unknown}/${target.value ?? ''}`;
    }
    case 'External': {
      const target = spec.external?.target ?? {};
      if (target.type === 'AverageValue') return `${current?.external?.current?.averageValue ?? unknown}/${target.averageValue} (avg)`;
      return `${current?.external?.current?.value ?? unknown}/${target.value ?? ''}`;
    }
  }
  return '<unknown type>';
}

export function formatHpaMetrics(hpa: KubeObject): string {
  const specs: any[] = hpa.spec?.metrics ?? [];
  if (specs.length === 0) return '<none>';
  const statuses: any[] = hpa.status?.currentMetrics ?? [];
  const list = specs.map((spec, i) => formatMetric(spec, statuses[i]?.type === spec.type ? statuses[i] : undefined));
  const max = 2;
  return list.length > max ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...` : list.join(', ');
}

export const horizontalPodAutoscalerType = defineResourceType({
  kind: 'HorizontalPodAutoscaler',
  group: 'autoscaling',
  version: 'v2',
  alsoServedAs: ['v1'],
  plural: 'horizontalpodautoscalers',
  shortNames: ['hpa'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status'],
  columns: [
    nameColumn,
    column('Reference', 'string', 'Reference to the scaled target', (hpa) => `${hpa.spec?.scaleTargetRef?.kind ?? ''}/${hpa.spec?.scaleTargetRef?.name ?? ''}`),
    column('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count', formatHpaMetrics),
    column('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.', (hpa) => (hpa.spec?.minReplicas === undefined ? '<unset>' : String(hpa.spec.minReplicas))),
    column('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.', (hpa) => hpa.spec?.maxReplicas ?? 0),
    column('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.', (hpa) => hpa.status?.currentReplicas ?? 0),
    ageColumn,
  ],
  defaults(hpa) {
    const spec = (hpa.spec ??= {});
    spec.minReplicas ??= 1;
    if (!spec.metrics || spec.metrics.length === 0) {
      spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    }
  },
  convert: convertHpa,
  validateSpec(hpa) {
    const spec = hpa.spec ?? {};
    const causes: StatusCause[] = [];
    const ref = spec.scaleTargetRef;
    if (!ref?.kind) causes.push(fieldErrors.required('spec.scaleTargetRef.kind'));
    if (!ref?.name) causes.push(fieldErrors.required('spec.scaleTargetRef.name'));
    if (spec.minReplicas !== undefined && spec.minReplicas < 1) causes.push(fieldErrors.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
    if (spec.maxReplicas === undefined || spec.maxReplicas < 1) causes.push(fieldErrors.invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
    else if (spec.minReplicas !== undefined && spec.maxReplicas < spec.minReplicas) causes.push(fieldErrors.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
    return causes;
  },
});
