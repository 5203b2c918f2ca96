import { describe, expect, it } from 'vitest';
import { formatCauses } from '../field-errors.ts';
import { type JsonSchemaProps, applyDefaults, prune, unknownFields, validateAgainstSchema } from './structural-schema.ts';

const schema: JsonSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 5, default: 1 },
        name: { type: 'string', minLength: 2, maxLength: 4 },
        port: { 'x-kubernetes-int-or-string': true },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1 },
        tags: { type: 'array', maxItems: 2, uniqueItems: true, items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', default: 2 } } } } },
        mode: { type: 'string', nullable: true, enum: ['a', 'b'] },
      },
    },
  },
};

const check = (spec: unknown) => {
  const causes = validateAgainstSchema({ spec }, schema);
  return causes.length === 0 ? '' : formatCauses(causes);
};

describe('structural schemas of custom resources', () => {
  it('prunes what the schema does not declare, keeping the object and embedded resources\' apiVersion, kind and metadata', () => {
    const object = {
      apiVersion: 'x.io/v1',
      kind: 'Thing',
      metadata: { name: 'a' },
      top: 1,
      spec: { size: 2, color: 'red', labels: { a: 'b' }, extra: { anything: { goes: true } }, template: { kind: 'Pod', metadata: { name: 'p' }, spec: { replicas: 1, other: 1 }, stray: 1 } },
    };
    expect(unknownFields(object, schema)).toEqual(['top', 'spec.color', 'spec.template.spec.other', 'spec.template.stray']);
    prune(object, schema);
    expect(object).toEqual({
      apiVersion: 'x.io/v1',
      kind: 'Thing',
      metadata: { name: 'a' },
      spec: { size: 2, labels: { a: 'b' }, extra: { anything: { goes: true } }, template: { kind: 'Pod', metadata: { name: 'p' }, spec: { replicas: 1 } } },
    });
  });

  it('leaves the object\'s metadata alone when the schema declares it, as generated schemas do', () => {
    const declared: JsonSchemaProps = { type: 'object', properties: { metadata: { type: 'object' }, spec: { type: 'object', properties: { size: { type: 'integer' } } } } };
    const object = { apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 'a', labels: { app: 'a' } }, spec: { size: 1, stray: true } };
    expect(unknownFields(object, declared)).toEqual(['spec.stray']);
    prune(object, declared);
    expect(object).toEqual({ apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 'a', labels: { app: 'a' } }, spec: { size: 1 } });
  });

  it('fills defaults of absent fields, at any depth, without sharing the schema\'s values', () => {
    const object: any = { spec: { template: { spec: {} } } };
    applyDefaults(object, schema);
    expect(object).toEqual({ spec: { size: 1, template: { spec: { replicas: 2 } } } });
    const present: any = { spec: { size: 4 } };
    applyDefaults(present, schema);
    expect(present.spec.size).toBe(4);
  });

  it('words each refusal as the apiserver does', () => {
    expect(check({ size: 1 })).toBe('');
    expect(check({})).toBe('spec.size: Required value');
    expect(check({ size: 'big' })).toBe('spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"');
    expect(check({ size: 1.5 })).toBe('spec.size: Invalid value: "number": spec.size in body must be of type integer: "number"');
    expect(check({ size: 0 })).toBe('spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1');
    expect(check({ size: 6 })).toBe('spec.size: Invalid value: 6: spec.size in body should be less than or equal to 5');
    expect(check({ size: 1, ratio: 1 })).toBe('spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1');
    expect(check({ size: 1, name: 'x' })).toBe('spec.name: Invalid value: "x": spec.name in body should be at least 2 chars long');
    expect(check({ size: 1, name: 'abcde' })).toBe('spec.name: Too long: may not be more than 4 bytes');
    expect(check({ size: 1, port: 80 })).toBe('');
    expect(check({ size: 1, port: 'http' })).toBe('');
    expect(check({ size: 1, port: true })).toBe('spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"');
    expect(check({ size: 1, tags: ['a', 'b', 'c'] })).toBe('spec.tags: Too many: 3: must have at most 2 items');
    expect(check({ size: 1, tags: ['a', 'a'] })).toBe('spec.tags[1]: Duplicate value: "a"');
    expect(check({ size: 1, labels: { a: 1 } })).toBe('spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"');
    expect(check({ size: 1, mode: 'c' })).toBe('spec.mode: Unsupported value: "c": supported values: "a", "b"');
    expect(check({ size: 1, mode: null })).toBe('');
    expect(check(null)).toBe('spec: Invalid value: "null": spec in body must be of type object: "null"');
  });

  it('enforces allOf, anyOf, oneOf and not, as the apiserver reports them (on no field), with the closest alternative\'s causes', () => {
    const combined: JsonSchemaProps = {
      type: 'object',
      properties: {
        // Exactly one of a schedule or a trigger (the usual shape of such a rule in real CRDs).
        source: { type: 'object', properties: { schedule: { type: 'string' }, trigger: { type: 'string' } }, oneOf: [{ required: ['schedule'] }, { required: ['trigger'] }] },
        replicas: { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 2 }] },
        name: { type: 'string', allOf: [{ minLength: 2 }, { pattern: '^[a-z]+$' }] },
        mode: { type: 'string', not: { enum: ['legacy'] } },
      },
    };
    const refusal = (spec: unknown) => {
      const causes = validateAgainstSchema(spec, combined, 'spec');
      return causes.length === 0 ? '' : formatCauses(causes);
    };
    expect(refusal({ source: { schedule: '@daily' }, replicas: 1, name: 'ab', mode: 'fast' })).toBe('');
    expect(refusal({ source: { trigger: 'push' }, replicas: 12 })).toBe('');
    expect(refusal({ source: { schedule: '@daily', trigger: 'push' } })).toBe('<nil>: Invalid value: "": must validate one and only one schema (oneOf)');
    expect(refusal({ source: {} })).toBe('[<nil>: Invalid value: "": must validate one and only one schema (oneOf), spec.source.schedule: Required value]');
    expect(refusal({ replicas: 5 })).toBe('[<nil>: Invalid value: "": must validate at least one schema (anyOf), spec.replicas: Invalid value: 5: spec.replicas in body should be greater than or equal to 10]');
    expect(refusal({ name: 'A' })).toBe(
      '[spec.name: Invalid value: "A": spec.name in body should be at least 2 chars long, spec.name: Invalid value: "A": spec.name in body should match \'^[a-z]+$\', <nil>: Invalid value: "": must validate all the schemas (allOf)]',
    );
    expect(refusal({ mode: 'legacy' })).toBe('<nil>: Invalid value: "": must not validate the schema (not)');
  });
});
