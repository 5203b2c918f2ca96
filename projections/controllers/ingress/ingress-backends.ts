import type { KubeObject } from '../../../core/model/object.ts';

/** Every Service an Ingress sends traffic to: the default backend and each rule path's backend. */
export function ingressServiceNames(ingress: KubeObject): string[] {
  const names = new Set<string>();
  const add = (backend: { service?: { name?: string } } | undefined) => {
    if (backend?.service?.name) names.add(backend.service.name);
  };
  add(ingress.spec?.defaultBackend);
  for (const rule of (ingress.spec?.rules ?? []) as Array<{ http?: { paths?: Array<{ backend?: { service?: { name?: string } } }> } }>) {
    for (const path of rule.http?.paths ?? []) add(path.backend);
  }
  return [...names].sort();
}
