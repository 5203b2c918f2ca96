import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifestDocuments, parseManifests, parseObject } from './manifests.ts';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
`;

describe('parseManifests', () => {
  it('reads multi-document YAML, skipping empty documents, with document index and line', () => {
    const text = `---\n${deployment}---\n---\n# only a comment\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n`;
    const documents = parseManifestDocuments(text);
    expect(documents.map((d) => [d.object.kind, d.document, d.line])).toEqual([
      ['Deployment', 1, 2],
      ['Service', 4, 12],
    ]);
    expect(documents[0]!.object.spec.replicas).toBe(3);
  });

  it('reads JSON, and expands List and <Kind>List items', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'b-' } },
      ],
    });
    expect(parseManifests(json).map((o) => o.metadata.name ?? o.metadata.generateName)).toEqual(['a', 'b-']);
    const podList = `apiVersion: v1\nkind: PodList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p1\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p2\n`;
    const documents = parseManifestDocuments(podList);
    expect(documents.map((d) => [d.object.metadata.name, d.item, d.line])).toEqual([
      ['p1', 1, 4],
      ['p2', 2, 8],
    ]);
  });

  it('reads scalars as Kubernetes does: octal modes, yes/no booleans, timestamps as strings', () => {
    const [object] = parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  creationTimestamp: 2024-01-01T00:00:00Z\ndata:\n  mode: 0644\n  flag: yes\n  time: 12:30\n`);
    expect(object!.metadata.creationTimestamp).toBe('2024-01-01T00:00:00Z');
    expect((object!.data as any).mode).toBe(420);
    expect((object!.data as any).flag).toBe(true);
    expect((object!.data as any).time).toBe('12:30');
  });

  it('names the document and line of a YAML syntax error', () => {
    const text = `${deployment}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n`;
    try {
      parseManifests(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ManifestError);
      expect((error as ManifestError).document).toBe(2);
      expect((error as ManifestError).message).toMatch(/^document 2 \(line \d+\): /);
    }
    expect(() => parseManifests(`apiVersion: v1\nkind: Pod\nkind: Pod\n`)).toThrow(/^document 1 \(line 3\): Map keys must be unique/);
  });

  it('says which document lacks apiVersion, kind or name', () => {
    expect(() => parseManifests(`${deployment}---\nkind: Pod\nmetadata: {}\n`)).toThrow('document 2 (line 8): error validating data: [apiVersion not set, metadata.name or metadata.generateName not set]');
    expect(() => parseManifests(`apiVersion: v1\nmetadata:\n  name: x\n`)).toThrow('document 1 (line 1): error validating data: [kind not set]');
    expect(() => parseManifests(`- a\n- b\n`)).toThrow('document 1 (line 1): expected a Kubernetes object (a mapping), found a list');
    expect(() => parseManifests(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Pod', apiVersion: 'v1', metadata: {} }] }))).toThrow(
      'document 1 (line 1), item 1: error validating data: [metadata.name or metadata.generateName not set]',
    );
  });

  it('returns nothing for an empty file', () => {
    expect(parseManifests('')).toEqual([]);
    expect(parseManifests('---\n---\n')).toEqual([]);
  });
});

describe('parseObject', () => {
  it('reads one JSON or YAML body', () => {
    expect(parseObject('{"kind":"Pod"}')).toEqual({ kind: 'Pod' });
    expect(parseObject('kind: Pod\n')).toEqual({ kind: 'Pod' });
    expect(() => parseObject('a: 1\n---\nb: 2\n')).toThrow('expected one document, found 2');
  });
});
