import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, encodeKubernetesProtobuf } from './k8s-protobuf.ts';

describe('Kubernetes protobuf bodies', () => {
  it('decodes the runtime.Unknown envelope into the JSON shape of the object', () => {
    const body = encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { owner: 'x' }, creationTimestamp: '2026-01-02T03:04:05Z' } });
    expect(body.subarray(0, 4).toString('latin1')).toBe('k8s\0');
    expect(decodeKubernetesProtobuf(body)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { owner: 'x' }, creationTimestamp: '2026-01-02T03:04:05Z' } });
  });

  it('turns IntOrString, Quantity and omitempty zeros into what JSON would carry, keeping meaningful zeros', () => {
    const decoded = decodeKubernetesProtobuf(
      encodeKubernetesProtobuf({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: '' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'd' } },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
          template: { spec: { containers: [{ name: 'c', image: 'nginx', stdin: false, ports: [{ containerPort: 80, hostPort: 0 }], resources: { limits: { cpu: { string: '500m' } } } }] } },
        },
      }),
    ) as any;
    expect(decoded.metadata).toEqual({ name: 'd' });
    expect(decoded.spec.replicas).toBe(0);
    expect(decoded.spec.strategy.rollingUpdate).toEqual({ maxSurge: '25%', maxUnavailable: 1 });
    expect(decoded.spec.template.spec.containers[0]).toEqual({ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '500m' } } });
  });

  it('decodes DeleteOptions and Eviction as drain sends them', () => {
    expect(decodeKubernetesProtobuf(encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, orphanDependents: false, preconditions: { uid: 'u1' } }))).toEqual({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      orphanDependents: false,
      preconditions: { uid: 'u1' },
    });
    const eviction = decodeKubernetesProtobuf(encodeKubernetesProtobuf({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'ns' }, deleteOptions: { gracePeriodSeconds: 5 } }));
    expect(eviction).toEqual({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'ns' }, deleteOptions: { gracePeriodSeconds: 5 } });
  });

  it('keeps the zeros and false a typed client means (pointer fields) and inlines an Ingress rule\'s value', () => {
    const pdb = decodeKubernetesProtobuf(encodeKubernetesProtobuf({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { minAvailable: 0, selector: { matchLabels: { app: 'x' } } } }));
    expect(pdb.spec).toEqual({ minAvailable: 0, selector: { matchLabels: { app: 'x' } } });
    const account = decodeKubernetesProtobuf(encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, automountServiceAccountToken: false }));
    expect(account).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, automountServiceAccountToken: false });
    const quota = decodeKubernetesProtobuf(encodeKubernetesProtobuf({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: { string: '10' } } } }));
    expect(quota.spec).toEqual({ hard: { pods: '10' } });
    const ingress = decodeKubernetesProtobuf(
      encodeKubernetesProtobuf({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'i' },
        spec: { rules: [{ host: 'a.example', ingressRuleValue: { http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } } }] },
      }),
    );
    expect(ingress.spec).toEqual({ rules: [{ host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] });
  });

  it('rejects bodies without the prefix (400) and kinds it cannot decode (415)', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Pod"}'))).toThrow(expect.objectContaining({ code: 400 }));
    const unknownKind = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, 0x0c, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x06, 0x57, 0x69, 0x64, 0x67, 0x65, 0x74])]);
    expect(() => decodeKubernetesProtobuf(unknownKind)).toThrow(expect.objectContaining({ code: 415 }));
  });
});
