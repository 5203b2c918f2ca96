import type { StatusCause } from '../../errors.ts';
import type { KubeObject } from '../object.ts';
import { defineResourceType } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { fieldErrors } from '../field-errors.ts';
import { loadBalancerStatusString } from './service.ts';
import { formatLabelSelector } from '../labels.ts';

/** kubectl's formatHosts: the first three rule hosts (`*` when none has one), then ` + N more...` counting rules. */
export function formatHosts(ingress: KubeObject): string {
  const rules: any[] = ingress.spec?.rules ?? [];
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - max} more...` : list.join(',');
}

export const ingressType = defineResourceType({
  kind: 'Ingress',
  group: 'networking.k8s.io',
  version: 'v1',
  plural: 'ingresses',
  shortNames: ['ing'],
  namespaced: true,
  subresources: ['status'],
  columns: [
    nameColumn,
    column('Class', 'string', 'The name of the IngressClass cluster resource.', (ing) => ing.spec?.ingressClassName ?? '<none>'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule', formatHosts),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer', (ing) => loadBalancerStatusString(ing.status?.loadBalancer, true)),
    column('Ports', 'string', 'Ports of TLS configurations that open', (ing) => ((ing.spec?.tls ?? []).length ? '80, 443' : '80')),
    ageColumn,
  ],
  validateSpec(ing) {
    const spec = ing.spec ?? {};
    const causes: StatusCause[] = [];
    if (!spec.defaultBackend && (spec.rules ?? []).length === 0) causes.push(fieldErrors.invalid('spec.rules', spec.rules ?? [], 'either `defaultBackend` or `rules` must be specified'));
    for (const [i, rule] of ((spec.rules ?? []) as any[]).entries()) {
      for (const [j, path] of ((rule.http?.paths ?? []) as any[]).entries()) {
        const at = `spec.rules[${i}].http.paths[${j}]`;
        const types = ['Exact', 'ImplementationSpecific', 'Prefix'];
        if (!path.pathType) causes.push(fieldErrors.required(`${at}.pathType`, 'pathType must be specified'));
        else if (!types.includes(path.pathType)) causes.push(fieldErrors.notSupported(`${at}.pathType`, path.pathType, types));
        if (!path.backend) causes.push(fieldErrors.required(`${at}.backend`));
      }
    }
    return causes;
  },
});

export const ingressClassType = defineResourceType({
  kind: 'IngressClass',
  group: 'networking.k8s.io',
  version: 'v1',
  plural: 'ingressclasses',
  namespaced: false,
  columns: [
    nameColumn,
    column('Controller', 'string', 'controller refers to the name of the controller that should handle this class.', (ic) => ic.spec?.controller ?? ''),
    column('Parameters', 'string', 'parameters is a link to a custom resource containing additional configuration for the controller.', (ic) => {
      const p = ic.spec?.parameters;
      if (!p) return '<none>';
      const kind = p.apiGroup ? `${p.kind}.${p.apiGroup}` : p.kind;
      return `${kind}/${p.name}`;
    }),
    ageColumn,
  ],
  validateSpec(ic, old) {
    const causes: StatusCause[] = [];
    if (!ic.spec?.controller) causes.push(fieldErrors.required('spec.controller'));
    if (old && old.spec?.controller !== ic.spec?.controller) causes.push(fieldErrors.invalid('spec.controller', ic.spec?.controller, 'field is immutable'));
    return causes;
  },
});

const POLICY_TYPES = ['Ingress', 'Egress'];

/**
 * NetworkPolicy, stored so that manifests carrying one apply. Simulated pods exchange no traffic,
 * so nothing enforces it (as on a cluster whose network plugin does not).
 */
export const networkPolicyType = defineResourceType({
  kind: 'NetworkPolicy',
  group: 'networking.k8s.io',
  version: 'v1',
  plural: 'networkpolicies',
  shortNames: ['netpol'],
  namespaced: true,
  columns: [
    nameColumn,
    column('Pod-Selector', 'string', 'podSelector selects the pods to which this NetworkPolicy object applies.', (policy) => formatLabelSelector(policy.spec?.podSelector) || '<none>'),
    ageColumn,
  ],
  validateSpec(policy) {
    const causes: StatusCause[] = [];
    const types = (policy.spec?.policyTypes ?? []) as unknown[];
    types.forEach((type, i) => {
      if (!POLICY_TYPES.includes(type as string)) causes.push(fieldErrors.notSupported(`spec.policyTypes[${i}]`, type, POLICY_TYPES));
    });
    return causes;
  },
});
