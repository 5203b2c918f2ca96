import { Ajv, type ValidateFunction } from 'ajv';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../core/events.ts';
import { encodeRecording } from '../service/recording-file.ts';
import { ReplayService } from '../service/replay-service.ts';
import { recordWebRollout } from '../service/test-recording.ts';
import type { OpenApiDocument, Operation, Parameter, Reference, Response, SchemaOrRef } from './openapi-types.ts';
import { replayOpenApi } from './replay-openapi.ts';
import { replayRoutes } from './replay-routes.ts';

const document = replayOpenApi('/replay');

function isReference(value: unknown): value is Reference {
  return typeof value === 'object' && value !== null && typeof (value as Reference).$ref === 'string';
}

/** The value a local `$ref` (`#/components/...`) points at, or undefined. */
function resolvePointer(pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const part of pointer.slice(2).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function resolve<T>(value: T | Reference): T {
  return (isReference(value) ? resolvePointer(value.$ref) : value) as T;
}

function* operations(): Generator<{ path: string; method: string; operation: Operation }> {
  for (const [path, item] of Object.entries(document.paths)) for (const [method, operation] of Object.entries(item)) yield { path, method, operation };
}

/** Every value in the document with where it sits, depth first. */
function* walk(node: unknown, at: string): Generator<{ at: string; value: unknown }> {
  yield { at, value: node };
  if (typeof node === 'object' && node !== null) for (const [key, child] of Object.entries(node)) yield* walk(child, `${at}/${key}`);
}

/** Ajv over the document's schemas: OpenAPI 3.0 schemas are JSON Schema plus `discriminator`, an annotation. */
function validatorFor(): Ajv {
  const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
  ajv.addVocabulary(['discriminator', 'components']);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: 'replay-openapi', components: document.components });
  return ajv;
}

function schemaValidator(ajv: Ajv, schema: SchemaOrRef): ValidateFunction {
  if (isReference(schema)) return ajv.getSchema(`replay-openapi${schema.$ref}`)!;
  return ajv.compile(schema);
}

describe('replay OpenAPI document', () => {
  it('describes every route replayRoutes registers, with its method, and no other', async () => {
    const app = Fastify();
    const registered: string[] = [];
    app.addHook('onRoute', (route) => {
      // Fastify answers HEAD for every GET by itself.
      for (const method of [route.method].flat()) if (method !== 'HEAD') registered.push(`${method} ${route.url}`);
    });
    await app.register(replayRoutes, { prefix: '/replay', service: new ReplayService() });
    await app.ready();
    const documented = [...operations()].map(({ path, method }) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    expect(documented.sort()).toEqual(registered.sort());
    expect(registered).toContain('GET /replay/sessions/:id/explain/pod/:namespace/:name');
    expect(registered.length).toBe(25);
    await app.close();
  });

  it('is served at openapi.json with paths under the prefix the routes were registered with', async () => {
    const app = Fastify();
    await app.register(replayRoutes, { prefix: '/debug/replay', service: new ReplayService() });
    const answer = await app.inject({ url: '/debug/replay/openapi.json' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const served = answer.json() as OpenApiDocument;
    expect(served).toEqual(JSON.parse(JSON.stringify(replayOpenApi('/debug/replay'))));
    expect(Object.keys(served.paths)).toContain('/debug/replay/sessions/{id}/seek');
    expect(Object.keys(served.paths).every((path) => path.startsWith('/debug/replay/'))).toBe(true);
    await app.close();
  });

  it('is a structurally valid OpenAPI 3.0 document', () => {
    expect(document.openapi).toMatch(/^3\.0\.\d+$/);
    expect(document.info.title).toBeTruthy();
    expect(document.info.version).toBeTruthy();

    // Every $ref points at something defined.
    const refs = [...walk(document, '#')].filter(({ at, value }) => isReference(value) && !at.includes('/properties/$ref'));
    expect(refs.length).toBeGreaterThan(50);
    for (const { at, value } of refs) expect(resolvePointer((value as Reference).$ref), `${at} → ${(value as Reference).$ref}`).toBeDefined();
    // Discriminator mappings name schemas of the oneOf, whose discriminating property has that one value.
    for (const { at, value } of walk(document.components.schemas, '#/components/schemas')) {
      const schema = value as { discriminator?: { propertyName: string; mapping?: Record<string, string> }; oneOf?: Reference[] };
      if (!schema?.discriminator) continue;
      const mapping = Object.entries(schema.discriminator.mapping ?? {});
      expect(mapping.map(([, target]) => target).sort(), at).toEqual(schema.oneOf!.map((variant) => variant.$ref).sort());
      for (const [name, target] of mapping) {
        const variant = resolvePointer(target) as { properties: Record<string, { enum?: unknown[] }>; required: string[] };
        expect(variant.properties[schema.discriminator.propertyName]!.enum, `${at} ${name}`).toEqual([name]);
        expect(variant.required, `${at} ${name}`).toContain(schema.discriminator.propertyName);
      }
    }
    // Schemas keep to OpenAPI 3.0's subset of JSON Schema (no `const`, `$defs`, type arrays: those are 3.1).
    const allowed = new Set(['type', 'description', 'format', 'enum', 'default', 'minimum', 'maximum', 'properties', 'required', 'additionalProperties', 'items', 'oneOf', 'anyOf', 'discriminator', '$ref']);
    const schemaNodes = (root: unknown, at: string): Array<{ at: string; schema: Record<string, unknown> }> => {
      const found: Array<{ at: string; schema: Record<string, unknown> }> = [];
      const visit = (schema: unknown, where: string) => {
        if (typeof schema !== 'object' || schema === null) return;
        const node = schema as Record<string, unknown>;
        found.push({ at: where, schema: node });
        for (const [name, child] of Object.entries((node.properties as Record<string, unknown>) ?? {})) visit(child, `${where}/properties/${name}`);
        if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, `${where}/additionalProperties`);
        if (node.items) visit(node.items, `${where}/items`);
        for (const key of ['oneOf', 'anyOf'] as const) (node[key] as unknown[] | undefined)?.forEach((child, i) => visit(child, `${where}/${key}/${i}`));
      };
      visit(root, at);
      return found;
    };
    const allSchemas = [
      ...Object.entries(document.components.schemas).flatMap(([name, schema]) => schemaNodes(schema, `#/components/schemas/${name}`)),
      ...[...walk(document.paths, '#/paths')].filter(({ at }) => at.endsWith('/schema')).flatMap(({ at, value }) => schemaNodes(value, at)),
      ...Object.entries(document.components.parameters).flatMap(([name, parameter]) => schemaNodes(parameter.schema, `#/components/parameters/${name}/schema`)),
    ];
    for (const { at, schema } of allSchemas) {
      for (const key of Object.keys(schema)) expect(allowed.has(key), `${at}: ${key}`).toBe(true);
      if (schema.$ref !== undefined) expect(Object.keys(schema), `${at}: $ref has no siblings in 3.0`).toEqual(['$ref']);
      if (schema.type !== undefined) expect(['object', 'array', 'string', 'integer', 'number', 'boolean'], at).toContain(schema.type);
      if (schema.type === 'array') expect(schema.items, `${at}: arrays need items`).toBeDefined();
      if (schema.required !== undefined && schema.properties !== undefined) {
        expect((schema.required as string[]).length, at).toBeGreaterThan(0);
        for (const name of schema.required as string[]) expect(Object.keys(schema.properties as object), `${at}: required ${name}`).toContain(name);
      }
    }
    // Every schema compiles as JSON Schema (strict: no unknown keywords).
    const ajv = validatorFor();
    for (const name of Object.keys(document.components.schemas)) expect(ajv.getSchema(`replay-openapi#/components/schemas/${name}`), name).toBeTypeOf('function');

    const tags = new Set(document.tags.map((tag) => tag.name));
    const operationIds = new Set<string>();
    for (const { path, method, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(operationIds.has(operation.operationId), `${where}: operationId ${operation.operationId} used twice`).toBe(false);
      operationIds.add(operation.operationId);
      expect(operation.tags.length, where).toBeGreaterThan(0);
      for (const tag of operation.tags) expect(tags.has(tag), `${where}: tag ${tag}`).toBe(true);
      // Path parameters: each one in the template declared once, required, and no other.
      const parameters = (operation.parameters ?? []).map((parameter) => resolve<Parameter>(parameter));
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
      const declared = parameters.filter((parameter) => parameter.in === 'path');
      expect(declared.map((parameter) => parameter.name).sort(), where).toEqual([...templated].sort());
      for (const parameter of declared) expect(parameter.required, `${where}: ${parameter.name}`).toBe(true);
      const keys = parameters.map((parameter) => `${parameter.in}:${parameter.name}`);
      expect(new Set(keys).size, `${where}: a parameter declared twice`).toBe(keys.length);
      // A success answer with content, and a Status for errors.
      const codes = Object.keys(operation.responses);
      expect(codes.some((code) => /^2\d\d$/.test(code)), where).toBe(true);
      for (const code of codes) {
        expect(code === 'default' || /^[1-5]\d\d$/.test(code), `${where}: ${code}`).toBe(true);
        const response = resolve<Response>(operation.responses[code]!);
        expect(response.description, `${where} ${code}`).toBeTruthy();
        expect(Object.keys(response.content ?? {}).length, `${where} ${code}: content`).toBeGreaterThan(0);
        if (!/^2/.test(code)) expect(response.content!['application/json']!.schema, `${where} ${code}`).toEqual({ $ref: '#/components/schemas/Status' });
      }
      expect(codes, where).toContain('default');
      if (path.includes('{id}')) expect(codes, `${where}: unknown session`).toContain('404');
    }
    expect([...tags].every((tag) => [...operations()].some(({ operation }) => operation.tags.includes(tag)))).toBe(true);
  });
});

describe('answers of a real session validate against the document', () => {
  let recorded: StoredEvent[];
  let app: FastifyInstance;
  let ajv: Ajv;
  let scratch: string;
  /** operationIds answered with a 2xx and validated. */
  const succeeded = new Set<string>();
  const templates = [...operations()].map(({ path, method, operation }) => ({
    method: method.toUpperCase(),
    pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
    operation,
  }));

  /** The validator of a schema in the document, compiled once. */
  const compiled = new Map<SchemaOrRef, ValidateFunction>();
  function validate(schema: SchemaOrRef, value: unknown, what: string): void {
    let check = compiled.get(schema);
    if (!check) compiled.set(schema, (check = schemaValidator(ajv, schema)));
    if (!check(value)) expect.fail(`${what} does not match the document: ${ajv.errorsText(check.errors, { separator: '\n' })}\n${JSON.stringify(value).slice(0, 2000)}`);
  }

  /**
   * Sends a request to the app, checking it and its answer against the document: the operation
   * exists, a JSON body matches the request schema, the status code is documented, and the answer
   * matches the schema documented for that code.
   */
  async function call(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object | Buffer, { invalid = false } = {}) {
    const path = url.split('?')[0]!;
    const template = templates.find((t) => t.method === method && t.pattern.test(path));
    if (!template) expect.fail(`${method} ${path} is not in the document`);
    const { operation } = template;
    const options: InjectOptions = { method, url };
    if (Buffer.isBuffer(payload)) {
      expect(operation.requestBody?.content['application/octet-stream'], `${operation.operationId} takes bytes`).toBeDefined();
      Object.assign(options, { payload, headers: { 'content-type': 'application/octet-stream' } });
    } else if (payload) {
      const body = operation.requestBody?.content['application/json'];
      if (!body) expect.fail(`${operation.operationId} documents no JSON body`);
      if (!invalid) validate(body.schema, payload, `the ${operation.operationId} request`);
      options.payload = payload;
    }
    const answer = await app.inject(options);
    const documented = operation.responses[String(answer.statusCode)];
    if (!documented) expect.fail(`${operation.operationId} answered ${answer.statusCode}, which is not documented: ${answer.body}`);
    const response = resolve<Response>(documented);
    const contentType = String(answer.headers['content-type']).split(';')[0]!;
    const content = response.content?.[contentType];
    if (!content) expect.fail(`${operation.operationId} answered ${contentType}, documented: ${Object.keys(response.content ?? {}).join(', ')}`);
    if (contentType === 'application/json') validate(content.schema, answer.json(), `${operation.operationId} ${answer.statusCode}`);
    if (answer.statusCode < 300) succeeded.add(operation.operationId);
    return answer;
  }

  beforeAll(async () => {
    recorded = await recordWebRollout();
    const moreThanTwoPods = { name: 'at-most-2-pods', start: () => ({ onEvent: (_event: StoredEvent, state: { objects: Map<string, Map<string, unknown>> }) => ((state.objects.get('Pod')?.size ?? 0) > 2 ? 'more than 2 pods' : undefined) }) };
    app = Fastify();
    await app.register(replayRoutes, { prefix: '/replay', service: new ReplayService({ invariants: [moreThanTwoPods], snapshotInterval: 32 }) });
    ajv = validatorFor();
    scratch = mkdtempSync(join(tmpdir(), 'orrery-openapi-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('opens, moves, inspects and explains', async () => {
    const imported = await call('POST', '/replay/import', encodeRecording(recorded, 'test'));
    expect(imported.statusCode).toBe(201);
    const id = imported.json().id as string;
    expect((await call('GET', `/replay/sessions/${id}`)).json()).toMatchObject({ id, head: recorded.length, source: { type: 'import' } });
    const file = join(scratch, 'web.orrec');
    writeFileSync(file, encodeRecording(recorded, 'test'));
    const opened = await call('POST', '/replay/sessions', { source: { type: 'file', path: file } });
    expect(opened.json()).toMatchObject({ source: { type: 'file', path: file }, cursor: { position: recorded.length } });
    expect((await call('GET', '/replay/sessions')).json().items.length).toBeGreaterThan(1);

    expect((await call('POST', `/replay/sessions/${id}/seek`, { position: 30 })).json()).toMatchObject({ position: 30, event: { position: 30 } });
    expect((await call('POST', `/replay/sessions/${id}/seek`, { time: '2026-01-01T00:00:10Z' })).statusCode).toBe(200);
    expect((await call('POST', `/replay/sessions/${id}/seek`, { position: 0 })).json().event).toBeUndefined();
    expect((await call('POST', `/replay/sessions/${id}/step`, { count: 3, unit: 'reconcile' })).statusCode).toBe(200);
    const run = await call('POST', `/replay/sessions/${id}/run`, { direction: 'forward', breakpoint: { type: 'pod-phase', phase: 'Running' } });
    expect(run.json()).toMatchObject({ hit: true, reason: expect.any(String) });
    expect((await call('POST', `/replay/sessions/${id}/run`, { direction: 'back', breakpoint: { type: 'event-type', eventType: 'NoSuchEvent' } })).json()).toMatchObject({ hit: false });

    const state = (await call('GET', `/replay/sessions/${id}/state?at=${recorded.length}`)).json();
    expect(state.nodes.length).toBe(3);
    expect((await call('GET', `/replay/sessions/${id}/state?at=2026-01-01T00:00:20Z`)).json().position).toBeLessThan(recorded.length);
    const pods = (await call('GET', `/replay/sessions/${id}/objects/pods?namespace=default&at=${recorded.length}`)).json().items;
    const pod = pods[0].metadata.name as string;
    await call('GET', `/replay/sessions/${id}/objects/pods/default/${pod}?at=${recorded.length}`);
    await call('GET', `/replay/sessions/${id}/objects/nodes/_/node-1`);
    const history = (await call('GET', `/replay/sessions/${id}/history/pods/default/${pod}`)).json().items;
    expect(history.length).toBeGreaterThan(1);

    const firstPage = (await call('GET', `/replay/sessions/${id}/events?limit=50`)).json();
    expect(firstPage).toMatchObject({ total: recorded.length, next: 51 });
    const filtered = (await call('GET', `/replay/sessions/${id}/events?actor=kubelet&kind=pods&limit=5`)).json();
    expect(filtered.items).toHaveLength(5);
    const lastPage = (await call('GET', `/replay/sessions/${id}/events?from=${recorded.length - 2}`)).json();
    expect(lastPage.next).toBeUndefined();
    expect((await call('GET', `/replay/sessions/${id}/events/1`)).json().event.type).toBe('ClusterInitialized');

    const density = (await call('GET', `/replay/sessions/${id}/density?buckets=8`)).json();
    expect(density).toMatchObject({ complete: true });
    expect(density.buckets).toHaveLength(8);
    expect((await call('GET', `/replay/sessions/${id}/markers`)).json().items.some((marker: { kind: string }) => marker.kind === 'user')).toBe(true);
    let failures = (await call('GET', `/replay/sessions/${id}/invariant-failures`)).json();
    for (let polls = 0; !failures.complete && polls < 1000; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      failures = (await call('GET', `/replay/sessions/${id}/invariant-failures`)).json();
    }
    expect(failures).toMatchObject({ complete: true, total: expect.any(Number) });
    expect(failures.items.length).toBeGreaterThan(0);
    const diff = (await call('GET', `/replay/sessions/${id}/diff?from=10&to=${recorded.length}`)).json();
    expect(diff.changed.some((change: { fields: unknown[] }) => change.fields.length > 0)).toBe(true);

    expect((await call('GET', `/replay/sessions/${id}/explain/event/${history.at(-1).position}`)).json().chain.length).toBeGreaterThan(1);
    const explanation = (await call('GET', `/replay/sessions/${id}/explain/pod/default/${pod}`)).json();
    expect(explanation.nodes).toHaveLength(3);
    expect(explanation.chosen).toBe(pods[0].spec.nodeName);
  });

  it('forks, compares, verifies, exports and closes', async () => {
    const { id } = (await call('POST', '/replay/import', encodeRecording(recorded, 'test'))).json();
    const scaleDown = recorded.filter((event) => event.metadata.actor === 'user:admin').at(-1)!;
    const fork = await call('POST', `/replay/sessions/${id}/forks`, { at: scaleDown.position - 1, edits: [{ op: 'remove', position: scaleDown.position }], runFor: '30s' });
    expect(fork.statusCode).toBe(201);
    const branch = fork.json();
    expect(branch.source).toEqual({ type: 'fork', parent: id, forkedAt: scaleDown.position - 1 });
    expect((await call('GET', `/replay/sessions/${id}/compare/${branch.id}`)).json().diff.added.length).toBeGreaterThan(0);
    expect((await call('POST', `/replay/sessions/${id}/verify`)).json()).toEqual({ reproduces: true, events: recorded.length });
    // A recording whose scheduler bound a pod elsewhere than a re-run does: verify reports where.
    const scheduled = recorded.find((event) => event.type === 'PodScheduled')!;
    const tampered = recorded.map((event) => (event === scheduled ? { ...event, data: { ...event.data, nodeName: 'node-elsewhere' } } : event)) as StoredEvent[];
    const other = (await call('POST', '/replay/import', encodeRecording(tampered, 'tampered'))).json();
    expect((await call('POST', `/replay/sessions/${other.id}/verify`)).json()).toMatchObject({ reproduces: false, divergedAt: scheduled.position, recorded: { position: scheduled.position } });
    const exported = await call('GET', `/replay/sessions/${id}/export`);
    expect(exported.rawPayload.length).toBeGreaterThan(0);
    expect((await call('DELETE', `/replay/sessions/${branch.id}`)).json()).toEqual({ deleted: true });
    await call('GET', '/replay/openapi.json');
  });

  it('answers errors with the documented Status', async () => {
    const { id } = (await call('POST', '/replay/import', encodeRecording(recorded, 'test'))).json();
    const missing = await call('GET', '/replay/sessions/nope/state');
    expect(missing.statusCode).toBe(404);
    expect((await call('GET', `/replay/sessions/${id}/objects/pods/default/nope`)).statusCode).toBe(404);
    expect((await call('GET', `/replay/sessions/${id}/explain/pod/default/nope`)).statusCode).toBe(404);
    expect((await call('GET', `/replay/sessions/${id}/events?limit=many`)).statusCode).toBe(400);
    expect((await call('GET', `/replay/sessions/${id}/objects/widgets`)).statusCode).toBe(400);
    expect((await call('POST', `/replay/sessions/${id}/step`, { count: 1.5 }, { invalid: true })).statusCode).toBe(400);
    expect((await call('POST', '/replay/sessions', { source: { type: 'file', path: '/nonexistent' } })).statusCode).toBe(400);
    expect((await call('POST', '/replay/import', Buffer.from('nope'))).statusCode).toBe(400);
  });

  it('exercised every documented operation with a successful answer', () => {
    expect([...operations()].map(({ operation }) => operation.operationId).filter((operationId) => !succeeded.has(operationId))).toEqual([]);
  });
});
