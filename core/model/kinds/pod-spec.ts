import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';

/** Kubernetes' SetDefaults_PodSpec and friends (filled in below). */
export function defaultPodSpec(spec: any): any {
  return spec;
}

export function validatePodSpec(_spec: any, _path: string): StatusCause[] {
  return [];
}

export function validatePodUpdate(_pod: KubeObject, _old: KubeObject): StatusCause[] {
  return [];
}
