import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../object.ts';
import { daemonSetType, deploymentType, replicaSetType, statefulSetType } from './apps.ts';
import { cronJobType, jobType } from './batch.ts';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } });

function deployment(spec: any): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, spec };
}

const messages = (causes: { field?: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('Deployment', () => {
  it('defaults replicas, strategy, history, deadline and the pod template', () => {
    const d = deploymentType.defaults(deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
    expect(d.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' });
    expect(d.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    // Admission-only pod fields are not put on templates.
    expect(d.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(d.spec.template.spec.tolerations).toBeUndefined();
    expect(deploymentType.validate(d)).toEqual([]);
  });

  it('requires a selector that matches the template labels', () => {
    // A missing selector selects nothing, so Kubernetes reports the mismatch as well.
    expect(messages(deploymentType.validate(deploymentType.defaults(deployment({ template: template({ app: 'web' }) }))))).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
    expect(messages(deploymentType.validate(deploymentType.defaults(deployment({ selector: { matchLabels: { app: 'api' } }, template: template({ app: 'web' }) }))))).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
    expect(messages(deploymentType.validate(deploymentType.defaults(deployment({ selector: {}, template: template({ app: 'web' }) }))))).toEqual([
      'spec.selector: Invalid value: {}: empty selector is invalid for deployment',
    ]);
  });

  it('rejects negative replicas and bad strategies', () => {
    const d = deploymentType.defaults(deployment({ replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), strategy: { type: 'Canary' } }));
    expect(messages(deploymentType.validate(d))).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.strategy: Unsupported value: map[string]string{"type":"Canary"}: supported values: "Recreate", "RollingUpdate"',
    ]);
    const zero = deploymentType.defaults(deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }));
    expect(messages(deploymentType.validate(zero))).toEqual(['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
  });

  it('makes spec.selector immutable', () => {
    const old = deploymentType.defaults(deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', v: '1' }) }));
    const next = structuredClone(old);
    next.spec.selector = { matchLabels: { app: 'web', v: '1' } };
    expect(messages(deploymentType.validate(next, old))).toEqual(['spec.selector: Invalid value: {"matchLabels":{"app":"web","v":"1"}}: field is immutable']);
    const scaled = structuredClone(old);
    scaled.spec.replicas = 5;
    expect(deploymentType.validate(scaled, old)).toEqual([]);
  });

  it('prints READY, UP-TO-DATE, AVAILABLE, AGE and the wide columns', () => {
    const d = deploymentType.defaults(deployment({ replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
    d.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    expect(deploymentType.columns.map((c) => c.name)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    expect(deploymentType.columns.map((c) => c.cell(d, { now: NOW }))).toEqual(['web', '2/3', 3, 2, '60m', 'web', 'nginx:1.25', 'app=web']);
  });
});

describe('ReplicaSet, DaemonSet, StatefulSet', () => {
  const rs = (): KubeObject =>
    replicaSetType.defaults({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d59d67564', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } });

  it('validates replica sets and prints their columns', () => {
    const set = rs();
    expect(replicaSetType.validate(set)).toEqual([]);
    set.status = { replicas: 2, readyReplicas: 1 };
    expect(replicaSetType.columns.slice(0, 4).map((c) => c.cell(set, { now: NOW }))).toEqual(['web-5d59d67564', 2, 2, 1]);
    const never = rs();
    never.spec.template.spec.restartPolicy = 'Never';
    expect(messages(replicaSetType.validate(never))).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  });

  it('defaults daemon set and stateful set strategies', () => {
    const ds = daemonSetType.defaults({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) } });
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    const sts = statefulSetType.defaults({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) } });
    expect(sts.spec).toMatchObject({ replicas: 1, podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } });
    expect(statefulSetType.validate(sts)).toEqual([]);
    const changed = structuredClone(sts);
    changed.spec.serviceName = 'other';
    expect(statefulSetType.validate(changed, sts)[0]!.message).toMatch(/^Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template'/);
  });
});

describe('Job and CronJob', () => {
  const jobTemplate = (restartPolicy?: string) => ({ spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'work', image: 'busybox' }] } });

  it('defaults completions/parallelism/backoffLimit and requires OnFailure or Never', () => {
    const job = jobType.defaults({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { template: jobTemplate('Never') } });
    expect(job.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
    expect(jobType.validate(job)).toEqual([]);
    const workQueue = jobType.defaults({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'q', namespace: 'default' }, spec: { parallelism: 3, template: jobTemplate('Never') } });
    expect(workQueue.spec.completions).toBeUndefined();
    const always = jobType.defaults({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { template: jobTemplate() } });
    expect(messages(jobType.validate(always))).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  });

  it('prints job status and completions', () => {
    const job = jobType.defaults({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { completions: 3, template: jobTemplate('Never') } });
    job.status = { succeeded: 3, startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:00:42Z', conditions: [{ type: 'Complete', status: 'True' }] };
    expect(jobType.columns.slice(0, 4).map((c) => c.cell(job, { now: NOW }))).toEqual(['pi', 'Complete', '3/3', '42s']);
  });

  it('checks cron schedules and defaults history limits', () => {
    const cj = cronJobType.defaults({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'default' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: jobTemplate('OnFailure') } } } });
    expect(cj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(cronJobType.validate(cj)).toEqual([]);
    cj.spec.schedule = 'every minute';
    expect(messages(cronJobType.validate(cj))).toEqual(['spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]']);
  });
});

describe('Job selector generation', () => {
  it('labels pods with job-name and controller-uid and selects the uid, as the Job strategy does', () => {
    const job = jobType.defaults({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'u-1' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } } });
    expect(job.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    expect(job.spec.template.metadata.labels).toEqual({ 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'batch.kubernetes.io/controller-uid': 'u-1' });
    expect(jobType.validate(job)).toEqual([]);
    const manual = jobType.defaults({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'm', namespace: 'default', uid: 'u-2' }, spec: { manualSelector: true, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'b' }] } } } });
    expect(messages(jobType.validate(manual))).toEqual(['spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`']);
  });
});

describe('generation semantics', () => {
  it('bumps a Deployment on spec or annotation changes only', () => {
    const d = deploymentType.defaults(deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
    const relabeled = structuredClone(d);
    relabeled.metadata.labels = { team: 'a' };
    expect(deploymentType.specChanged!(d, relabeled)).toBe(false);
    const annotated = structuredClone(d);
    annotated.metadata.annotations = { note: 'x' };
    expect(deploymentType.specChanged!(d, annotated)).toBe(true);
    const scaled = structuredClone(d);
    scaled.spec.replicas = 4;
    expect(deploymentType.specChanged!(d, scaled)).toBe(true);
    const reordered = { ...structuredClone(d), spec: Object.fromEntries(Object.entries(d.spec).reverse()) };
    expect(deploymentType.specChanged!(d, reordered)).toBe(false);
  });
});

describe('workload validation details', () => {
  it('checks DaemonSet rolling updates and StatefulSet names as Kubernetes does', () => {
    const ds = daemonSetType.defaults({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) } });
    expect(daemonSetType.validate(ds)).toEqual([]);
    ds.spec.updateStrategy.rollingUpdate = { maxUnavailable: 1, maxSurge: 1 };
    expect(messages(daemonSetType.validate(ds))).toEqual(['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero']);
    ds.spec.updateStrategy.rollingUpdate = { maxUnavailable: 0, maxSurge: 0 };
    expect(messages(daemonSetType.validate(ds))).toEqual(['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
    const sts = statefulSetType.defaults({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db.primary', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) } });
    expect(messages(statefulSetType.validate(sts))[0]).toMatch(/^metadata\.name: Invalid value: "db\.primary": a lowercase RFC 1123 label/);
  });

  it('lets StatefulSet containers mount claim-template volumes and rejects activeDeadlineSeconds on ReplicaSets', () => {
    const sts = statefulSetType.defaults({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } }, volumeClaimTemplates: [{ metadata: { name: 'data' } }] },
    });
    expect(statefulSetType.validate(sts)).toEqual([]);
    const rs = replicaSetType.defaults({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'r' } }, template: { ...template({ app: 'r' }), spec: { ...template({}).spec, activeDeadlineSeconds: 5 } } } });
    expect(messages(replicaSetType.validate(rs))).toEqual(['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported']);
  });

  it('does not scale percentages by replicas when checking maxSurge and maxUnavailable', () => {
    const d = deploymentType.defaults(deployment({ replicas: 1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '25%' } } }));
    expect(deploymentType.validate(d)).toEqual([]);
    d.spec.strategy.rollingUpdate.maxUnavailable = '150%';
    expect(messages(deploymentType.validate(d))).toEqual(['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%']);
  });
});
