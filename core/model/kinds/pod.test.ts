import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../object.ts';
import { podType } from './pod.ts';
import { imageTag } from './pod-spec.ts';

function newPod(spec: any): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec };
}

describe('Pod defaults', () => {
  it('fills what the API server fills on create', () => {
    const pod = podType.defaults(newPod({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] }));
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
    expect(pod.spec.containers[0]).toEqual({
      name: 'web',
      image: 'nginx',
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
      ports: [{ containerPort: 80, protocol: 'TCP' }],
    });
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('gives the status its phase and QoS class in that order, keeping whatever else it holds', () => {
    const spec = { containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: '1', memory: '1Gi' } } }] };
    expect(JSON.stringify(podType.defaults({ ...newPod(structuredClone(spec)), status: {} }).status)).toBe('{"phase":"Pending","qosClass":"Guaranteed"}');
    expect(JSON.stringify(podType.defaults({ ...newPod(structuredClone(spec)), status: { phase: 'Running' } }).status)).toBe('{"phase":"Running","qosClass":"Guaranteed"}');
    const held = { message: 'm', phase: 'Running' };
    const pod = podType.defaults({ ...newPod(structuredClone(spec)), status: held });
    expect(JSON.stringify(pod.status)).toBe('{"message":"m","phase":"Running","qosClass":"Guaranteed"}');
    expect(JSON.stringify(podType.defaults({ ...newPod(structuredClone(spec)), status: { qosClass: 'BestEffort' } }).status)).toBe('{"qosClass":"BestEffort","phase":"Pending"}');
  });

  it('picks imagePullPolicy from the image tag', () => {
    expect(imageTag('nginx')).toBe('latest');
    expect(imageTag('nginx:1.25')).toBe('1.25');
    expect(imageTag('registry:5000/team/app')).toBe('latest');
    expect(imageTag('registry:5000/team/app:v2')).toBe('v2');
    expect(imageTag('nginx@sha256:abc')).toBe('');
    const pod = podType.defaults(newPod({ containers: [{ name: 'a', image: 'nginx:1.25' }, { name: 'b', image: 'nginx:latest' }, { name: 'c', image: 'x@sha256:00' }] }));
    expect(pod.spec.containers.map((c: any) => c.imagePullPolicy)).toEqual(['IfNotPresent', 'Always', 'IfNotPresent']);
  });

  it('keeps tolerations the pod already has for the node-lifecycle taints', () => {
    const pod = podType.defaults(newPod({ containers: [{ name: 'a', image: 'x' }], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] }));
    expect(pod.spec.tolerations).toHaveLength(2);
    expect(pod.spec.tolerations.find((t: any) => t.key === 'node.kubernetes.io/unreachable').tolerationSeconds).toBe(10);
    const tolerateAll = podType.defaults(newPod({ containers: [{ name: 'a', image: 'x' }], tolerations: [{ operator: 'Exists' }] }));
    expect(tolerateAll.spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('defaults requests from limits and derives the QoS class', () => {
    const pod = podType.defaults(newPod({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '500m', memory: '128Mi' } } }] }));
    expect(pod.spec.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '128Mi' });
    expect(pod.status.qosClass).toBe('Guaranteed');
    const burstable = podType.defaults(newPod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '100m' } } }] }));
    expect(burstable.status.qosClass).toBe('Burstable');
  });

  it('is idempotent', () => {
    const once = podType.defaults(newPod({ containers: [{ name: 'a', image: 'x' }] }));
    const twice = podType.defaults(structuredClone(once));
    expect(twice).toEqual(once);
  });
});

describe('Pod validation', () => {
  const fields = (pod: KubeObject, old?: KubeObject) => podType.validate(pod, old).map((c) => `${c.field}: ${c.message}`);

  it('accepts a defaulted valid pod', () => {
    expect(podType.validate(podType.defaults(newPod({ containers: [{ name: 'a', image: 'nginx' }] })))).toEqual([]);
  });

  it('requires containers, names and images, with Kubernetes field paths', () => {
    expect(fields(newPod({}))).toEqual(['spec.containers: Required value']);
    const causes = podType.validate(newPod({ containers: [{ name: 'a' }, { image: 'x' }, { name: 'a', image: 'y' }] }));
    expect(causes).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.containers[0].image', message: 'Required value' },
      { reason: 'FieldValueRequired', field: 'spec.containers[1].name', message: 'Required value' },
      { reason: 'FieldValueDuplicate', field: 'spec.containers[2].name', message: 'Duplicate value: "a"' },
    ]);
  });

  it('checks container names, ports, policies and resources', () => {
    expect(fields(newPod({ containers: [{ name: 'Web_1', image: 'x' }] }))[0]).toMatch(/^spec\.containers\[0\]\.name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of/);
    expect(fields(newPod({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }, { containerPort: 80, protocol: 'HTTP' }] }] }))).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    expect(fields(newPod({ restartPolicy: 'Sometimes', containers: [{ name: 'a', image: 'x' }] }))).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    expect(fields(newPod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2', memory: 'lots' }, limits: { cpu: '1' } } }] }))).toEqual([
      "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]);
    expect(fields(newPod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '-1' } } }] }))).toEqual([
      'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
    expect(fields(newPod({ containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] }))).toEqual([
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ]);
  });

  it('checks metadata: name syntax, namespace, labels', () => {
    const pod = newPod({ containers: [{ name: 'a', image: 'x' }] });
    pod.metadata = { name: 'Web', namespace: 'default', labels: { 'bad key': 'v', ok: 'bad value' } };
    const messages = fields(pod);
    expect(messages[0]).toMatch(/^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character \(e\.g\. 'example\.com', regex used for validation is/);
    expect(messages[1]).toMatch(/^metadata\.labels: Invalid value: "bad key": name part must consist of alphanumeric characters/);
    expect(messages[2]).toMatch(/^metadata\.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters/);
    expect(fields({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default' }, spec: { containers: [{ name: 'a', image: 'x' }] } })).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ]);
  });

  it('forbids changing the spec on update except images, deadlines and added tolerations', () => {
    const old = podType.defaults(newPod({ containers: [{ name: 'a', image: 'nginx:1' }] }));
    const newImage = structuredClone(old);
    newImage.spec.containers[0].image = 'nginx:2';
    newImage.spec.tolerations.push({ key: 'x', operator: 'Exists', effect: 'NoSchedule' });
    newImage.spec.activeDeadlineSeconds = 100;
    expect(podType.validate(newImage, old)).toEqual([]);
    const moved = structuredClone(old);
    moved.spec.nodeName = 'node-2';
    moved.spec.restartPolicy = 'Never';
    const causes = podType.validate(moved, old);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ reason: 'FieldValueForbidden', field: 'spec' });
    expect(causes[0]!.message).toMatch(
      /^Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)/,
    );
    expect(causes[0]!.message).toContain('spec.nodeName, spec.restartPolicy');
  });
});

describe('Pod probes, sidecars and volumes', () => {
  const fields = (pod: KubeObject) => podType.validate(pod).map((c) => `${c.field}: ${c.message}`);

  it('checks probe handlers and thresholds', () => {
    const pod = podType.defaults(newPod({ containers: [{ name: 'a', image: 'x', livenessProbe: { periodSeconds: 5, successThreshold: 2 }, readinessProbe: { httpGet: { path: '/', port: 8080 } } }] }));
    expect(fields(pod)).toEqual(['spec.containers[0].livenessProbe: Required value: must specify a handler type', 'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']);
    expect(pod.spec.containers[0].readinessProbe).toMatchObject({ timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, httpGet: { scheme: 'HTTP' } });
  });

  it('allows restartPolicy Always only on init containers (sidecars)', () => {
    expect(fields(podType.defaults(newPod({ initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }], containers: [{ name: 'a', image: 'x' }] })))).toEqual([]);
    expect(fields(podType.defaults(newPod({ containers: [{ name: 'a', image: 'x', restartPolicy: 'Always' }] })))).toEqual(['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers']);
  });

  it('defaults a volume without a source to emptyDir', () => {
    const pod = podType.defaults(newPod({ volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }], containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }] }] }));
    expect(pod.spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } }]);
    expect(podType.validate(pod)).toEqual([]);
  });
});
