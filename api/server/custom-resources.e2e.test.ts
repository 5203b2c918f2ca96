import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../core/model/object.ts';
import { type KubectlHarness, eventually, startKubectlHarness } from './testing/kubectl-harness.ts';

// Real processes and a wall-clock cluster: generous limits, for a busy machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

/** The real kubectl (v1.32) defining a CustomResourceDefinition and working with its objects against a real server. */
let harness: KubectlHarness;

beforeAll(async () => {
  harness = await startKubectlHarness('crd');
});

afterAll(async () => {
  await harness?.close();
});

const kubectl = (args: string[]) => harness.kubectl(args);
const ok = (args: string[]) => harness.ok(args);
const state = () => harness.server.cluster.state;
const held = (kind: string, key: string): KubeObject | undefined => state().objects.get(kind)?.get(key);

async function applyText(name: string, text: string, ...flags: string[]) {
  const file = join(harness.dir, name);
  await writeFile(file, text);
  return kubectl(['apply', '-f', file, ...flags]);
}

const crontabs = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct], categories: [all]}
  versions:
    - name: v1beta1
      served: true
      storage: false
      deprecated: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            # As controller-gen writes them: the standard fields declared, metadata as a bare object.
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              required: [cronSpec]
              properties:
                cronSpec: {type: string, pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'}
                image: {type: string, description: The image the job runs.}
                replicas: {type: integer, minimum: 1, maximum: 10, default: 1}
                tier: {type: string, enum: [web, batch]}
                # At least a start or an end; and an int-or-string as controller-gen writes one.
                window: {type: object, properties: {start: {type: string}, end: {type: string}}, anyOf: [{required: [start]}, {required: [end]}]}
                port: {anyOf: [{type: integer}, {type: string}], x-kubernetes-int-or-string: true}
            status:
              type: object
              properties:
                replicas: {type: integer}
                selector: {type: string}
      selectableFields:
        - {jsonPath: .spec.image}
      subresources:
        status: {}
        scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
      additionalPrinterColumns:
        - {name: Spec, type: string, jsonPath: .spec.cronSpec}
        - {name: Replicas, type: integer, jsonPath: .spec.replicas}
        - {name: Image, type: string, jsonPath: .spec.image, priority: 1}
        - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
`;

const crontab = (name: string, spec: string) => `apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: ${name}, namespace: default}
spec: ${spec}
`;

describe('kubectl with CustomResourceDefinitions', () => {
  it('a CRD applies, is Established at once, and lists as kubectl get crd prints it', async () => {
    const applied = await applyText('crd.yaml', crontabs);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created');
    expect((await ok(['wait', '--for', 'condition=established', 'crd/crontabs.stable.example.com', '--timeout=10s'])).trim()).toBe(
      'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com condition met',
    );
    expect(await ok(['get', 'crd'])).toMatch(/^NAME\s+CREATED AT\ncrontabs\.stable\.example\.com\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    const crd = held('CustomResourceDefinition', 'crontabs.stable.example.com')!;
    expect(crd.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    expect(crd.status!.acceptedNames).toEqual({ plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'], categories: ['all'] });
    expect(crd.status!.storedVersions).toEqual(['v1']);
    const resources = await ok(['api-resources', '--api-group=stable.example.com']);
    expect(resources).toMatch(/crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab/);
  });

  it('objects are defaulted, printed with the printer columns, and read through any served version', async () => {
    expect((await applyText('daily.yaml', crontab('daily', '{cronSpec: "0 3 * * *", image: backup:1}'))).stdout.trim()).toBe('crontab.stable.example.com/daily created');
    expect(held('CronTab', 'default/daily')!.spec).toEqual({ cronSpec: '0 3 * * *', image: 'backup:1', replicas: 1 });
    // Labels pass strict validation, and a re-apply's patch is computed without a warning.
    const relabelled = await applyText('daily.yaml', crontab('daily', '{cronSpec: "0 3 * * *", image: backup:1}').replace('namespace: default}', 'namespace: default, labels: {tier: ops}}'));
    expect(relabelled.stderr).toBe('');
    expect(relabelled.stdout.trim()).toBe('crontab.stable.example.com/daily configured');
    expect(held('CronTab', 'default/daily')!.metadata.labels).toEqual({ tier: 'ops' });
    expect(await ok(['get', 'ct'])).toMatch(/^NAME\s+SPEC\s+REPLICAS\s+AGE\ndaily\s+0 3 \* \* \*\s+1\s+\d+s\n$/);
    expect(await ok(['get', 'crontabs', '-o', 'wide'])).toMatch(/^NAME\s+SPEC\s+REPLICAS\s+IMAGE\s+AGE\ndaily\s+0 3 \* \* \*\s+1\s+backup:1\s+\d+s\n$/);
    // The `all` category the definition names.
    expect(await ok(['get', 'all'])).toContain('crontab.stable.example.com/daily');
    const beta = await kubectl(['get', 'crontabs.v1beta1.stable.example.com', 'daily', '-o', 'name']);
    expect(beta.stderr).toBe('Warning: stable.example.com/v1beta1 CronTab is deprecated\n');
    const asBeta = JSON.parse(await ok(['get', '--raw', '/apis/stable.example.com/v1beta1/namespaces/default/crontabs/daily']));
    expect(asBeta.apiVersion).toBe('stable.example.com/v1beta1');
    expect(asBeta.spec.image).toBe('backup:1');
    expect((await ok(['explain', 'crontab.spec.image'])).replace(/\s+/g, ' ')).toContain('FIELD: image <string> DESCRIPTION: The image the job runs.');
    // selectableFields: the declared field selects; any other is the apiserver's 400.
    expect(await ok(['get', 'ct', '--field-selector', 'spec.image=backup:1', '-o', 'name'])).toBe('crontab.stable.example.com/daily\n');
    expect(await ok(['get', 'ct', '--field-selector', 'spec.image!=backup:1', '-o', 'name'])).toBe('');
    expect((await kubectl(['get', 'ct', '--field-selector', 'spec.cronSpec=x'])).stderr).toContain('field label not supported: spec.cronSpec');
  });

  it('invalid objects get the apiserver\'s errors and append nothing', async () => {
    const before = state().position;
    const tooMany = await applyText('bad1.yaml', crontab('bad', '{cronSpec: "* * * * *", replicas: 20}'));
    expect(tooMany.stderr.trim()).toBe('The CronTab "bad" is invalid: spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10');
    const wrongType = await applyText('bad2.yaml', crontab('bad', '{cronSpec: "* * * * *", replicas: "two"}'));
    expect(wrongType.stderr.trim()).toBe('The CronTab "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"');
    const missing = await applyText('bad3.yaml', crontab('bad', '{image: x, tier: cron}'));
    expect(missing.stderr.trim()).toBe('The CronTab "bad" is invalid: \n* spec.cronSpec: Required value\n* spec.tier: Unsupported value: "cron": supported values: "web", "batch"');
    const noWindow = await applyText('bad6.yaml', crontab('bad', '{cronSpec: "* * * * *", window: {}}'));
    expect(noWindow.stderr.trim()).toBe('The CronTab "bad" is invalid: \n* <nil>: Invalid value: "": must validate at least one schema (anyOf)\n* spec.window.start: Required value');
    const pattern = await applyText('bad4.yaml', crontab('bad', '{cronSpec: "daily"}'));
    expect(pattern.stderr).toContain('spec.cronSpec: Invalid value: "daily": spec.cronSpec in body should match');
    // kubectl validates strictly by default: an undeclared field is refused; without validation it is pruned.
    const unknown = await applyText('bad5.yaml', crontab('bad', '{cronSpec: "* * * * *", color: blue}'));
    expect(unknown.stderr.trim()).toBe('Error from server (BadRequest): error when creating "' + join(harness.dir, 'bad5.yaml') + '": CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.color"');
    expect(held('CronTab', 'default/bad')).toBeUndefined();
    expect(await harness.userWritesSince(before)).toEqual([]);
    await applyText('bad5.yaml', crontab('bad', '{cronSpec: "* * * * *", color: blue}'), '--validate=false');
    expect(held('CronTab', 'default/bad')!.spec).toEqual({ cronSpec: '* * * * *', replicas: 1 });
    await ok(['delete', 'ct', 'bad']);
  });

  it('the status and scale subresources: status only through status, generation only for spec, kubectl scale sets the spec path', async () => {
    await ok(['patch', 'ct', 'daily', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":1,"selector":"app=daily"}}']);
    await ok(['patch', 'ct', 'daily', '--type=merge', '-p', '{"status":{"replicas":9}}']);
    expect(held('CronTab', 'default/daily')!.status).toEqual({ replicas: 1, selector: 'app=daily' });
    expect(held('CronTab', 'default/daily')!.metadata.generation).toBe(1);
    // A status field the schema does not declare: refused under strict validation, pruned without it.
    const strict = await kubectl(['patch', 'ct', 'daily', '--subresource=status', '--type=merge', '-p', '{"status":{"stray":1}}']);
    expect(strict.stderr).toContain('unknown field "status.stray"');
    const stored = held('CronTab', 'default/daily')!;
    await harness.server.cluster.act({ type: 'update', subresource: 'status', actor: 'user:test', object: { ...stored, status: { ...stored.status, stray: 1 } } });
    expect(held('CronTab', 'default/daily')!.status).toEqual({ replicas: 1, selector: 'app=daily' });
    expect((await ok(['scale', 'ct', 'daily', '--replicas=3'])).trim()).toBe('crontab.stable.example.com/daily scaled');
    expect(held('CronTab', 'default/daily')!.spec!.replicas).toBe(3);
    expect(held('CronTab', 'default/daily')!.metadata.generation).toBe(2);
    const scale = JSON.parse(await ok(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs/daily/scale']));
    expect(scale.spec).toEqual({ replicas: 3 });
    expect(scale.status).toEqual({ replicas: 1, selector: 'app=daily' });
  });

  it('a definition whose names are taken, or whose shape is wrong, is refused', async () => {
    const before = state().position;
    const clash = await applyText('clash.yaml', crontabs.replaceAll('crontabs', 'jobs').replace('kind: CronTab', 'kind: Job').replace('shortNames: [ct]', 'shortNames: [jb]'));
    expect(clash.stderr.trim()).toBe('The CustomResourceDefinition "jobs.stable.example.com" is invalid: spec.names.kind: Invalid value: "Job": is already served by batch/v1: Orrery holds one kind per name');
    const misnamed = await applyText('misnamed.yaml', crontabs.replace('name: crontabs.stable.example.com', 'name: tabs.stable.example.com'));
    expect(misnamed.stderr.trim()).toBe('The CustomResourceDefinition "tabs.stable.example.com" is invalid: metadata.name: Invalid value: "tabs.stable.example.com": must be spec.names.plural+"."+spec.group');
    const unselectable = await applyText('unselectable.yaml', crontabs.replace('- {jsonPath: .spec.image}', '- {jsonPath: .status}'));
    expect(unselectable.stderr.trim()).toBe('The CustomResourceDefinition "crontabs.stable.example.com" is invalid: spec.versions[1].selectableFields[0].jsonPath: Invalid value: ".status": must point to a field of type string, boolean or integer');
    const typedInAnyOf = await applyText('typed.yaml', crontabs.replace('anyOf: [{required: [start]}, {required: [end]}]', 'anyOf: [{type: object, required: [start]}, {required: [end]}]'));
    expect(typedInAnyOf.stderr.trim()).toBe('The CustomResourceDefinition "crontabs.stable.example.com" is invalid: spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[window].anyOf[0].type: Forbidden: must be empty to be structural');
    expect(await harness.userWritesSince(before)).toEqual([]);
  });

  it('cluster-scoped kinds work without a namespace', async () => {
    const text = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: regions.geo.example.com}
spec:
  group: geo.example.com
  scope: Cluster
  names: {plural: regions, singular: region, kind: Region}
  versions:
    - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, x-kubernetes-preserve-unknown-fields: true}}}}}
---
apiVersion: geo.example.com/v1
kind: Region
metadata: {name: eu-west}
spec: {zones: 3}
`;
    // The CRD and an object of its kind in one file: as against any cluster, kubectl maps every
    // object before applying any, so the object needs a second apply.
    const first = await applyText('region.yaml', text);
    expect(first.stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/regions.geo.example.com created');
    expect(first.stderr).toContain('no matches for kind "Region" in version "geo.example.com/v1"');
    const second = await applyText('region.yaml', text);
    expect(second.stdout).toContain('region.geo.example.com/eu-west created');
    expect(held('Region', 'eu-west')!.spec).toEqual({ zones: 3 });
    expect(await ok(['get', 'regions'])).toMatch(/^NAME\s+AGE\neu-west\s+\d+s\n$/);
  });

  it('deleting a namespace deletes its custom objects; deleting the definition deletes every object of its kind', async () => {
    await ok(['create', 'namespace', 'team']);
    await applyText('team.yaml', crontab('nightly', '{cronSpec: "0 1 * * *"}').replace('namespace: default', 'namespace: team'));
    await ok(['delete', 'namespace', 'team']);
    await eventually(() => held('Namespace', 'team') === undefined);
    expect(held('CronTab', 'team/nightly')).toBeUndefined();

    expect(held('CronTab', 'default/daily')).toBeDefined();
    // A watch on the kind sees its objects deleted, then ends with the definition (kubectl exits 0).
    const watching = kubectl(['get', 'ct', '-w', '--output-watch-events', '--no-headers']);
    const watchOpen = async () => /apiserver_longrunning_requests\{[^}]*resource="crontabs"[^}]*verb="WATCH"[^}]*\} 1|apiserver_longrunning_requests\{[^}]*verb="WATCH"[^}]*resource="crontabs"[^}]*\} 1/.test((await harness.server.app.inject({ url: '/metrics' })).body);
    for (let tries = 0; !(await watchOpen()); tries++) {
      if (tries > 100) throw new Error('the watch did not open');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await ok(['delete', 'crd', 'crontabs.stable.example.com']);
    await eventually(() => held('CustomResourceDefinition', 'crontabs.stable.example.com') === undefined);
    expect(state().objects.get('CronTab')?.size ?? 0).toBe(0);
    const watched = await watching;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/^DELETED\s+daily\s/m);
    const gone = await kubectl(['get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs']);
    expect(gone.stderr).toContain('NotFound');
  });
});
