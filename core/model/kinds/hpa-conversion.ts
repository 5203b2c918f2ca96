import type { KubeObject } from '../object.ts';

/**
 * autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscalers. v1 knows only a CPU utilization target;
 * like Kubernetes, the v2-only parts (other metrics, current metrics, conditions, behavior) travel
 * in `autoscaling.alpha.kubernetes.io/*` annotations on the v1 form, so a round trip loses nothing.
 * (Kubernetes writes those annotations in the v2beta1 shape; Orrery writes the v2 shape.)
 */
const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const CONVERSION_ANNOTATIONS = [METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR];

const isCpuUtilization = (metric: any) => metric?.type === 'Resource' && metric.resource?.name === 'cpu' && metric.resource?.target?.type === 'Utilization';
const isCpuCurrent = (metric: any) => metric?.type === 'Resource' && metric.resource?.name === 'cpu' && metric.resource?.current?.averageUtilization !== undefined;

function withoutConversionAnnotations(metadata: KubeObject['metadata']): KubeObject['metadata'] {
  if (!metadata.annotations) return { ...metadata };
  const annotations = Object.fromEntries(Object.entries(metadata.annotations).filter(([k]) => !CONVERSION_ANNOTATIONS.includes(k)));
  const { annotations: _dropped, ...rest } = metadata;
  return Object.keys(annotations).length === 0 ? rest : { ...rest, annotations };
}

function parseAnnotation(metadata: KubeObject['metadata'], key: string): any {
  const text = metadata.annotations?.[key];
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function hpaToV1(hpa: KubeObject): KubeObject {
  const spec = hpa.spec ?? {};
  const status = hpa.status;
  const metrics: any[] = spec.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  const annotations: Record<string, string> = { ...(hpa.metadata.annotations ?? {}) };
  if (others.length) annotations[METRICS] = JSON.stringify(others);
  if (spec.behavior) annotations[BEHAVIOR] = JSON.stringify(spec.behavior);
  const currentMetrics: any[] = status?.currentMetrics ?? [];
  const currentCpu = currentMetrics.find(isCpuCurrent);
  const otherCurrent = currentMetrics.filter((m) => m !== currentCpu);
  if (otherCurrent.length) annotations[CURRENT_METRICS] = JSON.stringify(otherCurrent);
  if (status?.conditions?.length) annotations[CONDITIONS] = JSON.stringify(status.conditions);

  const v1Spec: any = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
  if (spec.minReplicas !== undefined) v1Spec.minReplicas = spec.minReplicas;
  if (cpu) v1Spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const result: KubeObject = { ...hpa, apiVersion: 'autoscaling/v1', metadata: { ...hpa.metadata }, spec: v1Spec };
  if (Object.keys(annotations).length) result.metadata.annotations = annotations;
  if (status) {
    const v1Status: any = { currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0 };
    if (status.observedGeneration !== undefined) v1Status.observedGeneration = status.observedGeneration;
    if (status.lastScaleTime !== undefined) v1Status.lastScaleTime = status.lastScaleTime;
    if (currentCpu) v1Status.currentCPUUtilizationPercentage = currentCpu.resource.current.averageUtilization;
    result.status = v1Status;
  }
  return result;
}

export function hpaToV2(hpa: KubeObject): KubeObject {
  const spec = hpa.spec ?? {};
  const status = hpa.status;
  const metrics: any[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined && spec.targetCPUUtilizationPercentage !== null) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...(parseAnnotation(hpa.metadata, METRICS) ?? []));
  const v2Spec: any = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
  if (spec.minReplicas !== undefined) v2Spec.minReplicas = spec.minReplicas;
  if (metrics.length) v2Spec.metrics = metrics;
  const behavior = parseAnnotation(hpa.metadata, BEHAVIOR);
  if (behavior) v2Spec.behavior = behavior;
  const result: KubeObject = { ...hpa, apiVersion: 'autoscaling/v2', metadata: withoutConversionAnnotations(hpa.metadata), spec: v2Spec };
  if (status) {
    const v2Status: any = { currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0 };
    if (status.observedGeneration !== undefined) v2Status.observedGeneration = status.observedGeneration;
    if (status.lastScaleTime !== undefined) v2Status.lastScaleTime = status.lastScaleTime;
    const current: any[] = [];
    if (status.currentCPUUtilizationPercentage !== undefined && status.currentCPUUtilizationPercentage !== null) {
      current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
    }
    current.push(...(parseAnnotation(hpa.metadata, CURRENT_METRICS) ?? []));
    if (current.length) v2Status.currentMetrics = current;
    const conditions = parseAnnotation(hpa.metadata, CONDITIONS);
    if (conditions) v2Status.conditions = conditions;
    result.status = v2Status;
  }
  return result;
}

/** ResourceType.convert for HorizontalPodAutoscalers. */
export function convertHpa(hpa: KubeObject, version: string): KubeObject {
  const from = hpa.apiVersion === 'autoscaling/v1' ? 'v1' : 'v2';
  if (from === version) return hpa;
  if (version === 'v1') return hpaToV1(hpa);
  if (version === 'v2') return hpaToV2(hpa);
  throw new Error(`autoscaling/${version} is not a served version of HorizontalPodAutoscaler`);
}
