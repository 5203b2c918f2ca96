import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Reads the Kubernetes API models that @kubernetes/client-node generated from the real OpenAPI
 * spec: field names and types from each class's static `attributeTypeMap` (.js), descriptions and
 * required fields from the JSDoc of the matching .d.ts. No npm package ships the spec itself.
 */
export interface ModelAttribute {
  /** The JSON field name. */
  jsonName: string;
  /** The TypeScript property name used in the .d.ts (differs for `$ref`, `default`, ...). */
  tsName: string;
  /** client-node's type: `string`, `number`, `Date`, `IntOrString`, `Array<V1Container>`, `{ [key: string]: string; }`, a class name, `any`. */
  type: string;
  format: string;
}

export interface ModelClass {
  className: string;
  description: string;
  attributes: ModelAttribute[];
}

export interface ModelDocs {
  fieldDescriptions: Map<string, string>;
  required: Set<string>;
}

/** A top-level kind as served by one client-node API class (AppsV1Api, CoreV1Api, ...). */
export interface ServedKind {
  className: string;
  apiClass: string;
}

const require = createRequire(import.meta.url);

let generatedDirCache: string | undefined;

function generatedDir(): string {
  generatedDirCache ??= join(dirname(require.resolve('@kubernetes/client-node/package.json')), 'dist', 'gen');
  return generatedDirCache;
}

let modelsCache: Map<string, ModelClass> | undefined;

function unescapeJsDoc(text: string): string {
  return text.replace(/\\(['"\\])/g, '$1');
}

function classDescription(source: string): string {
  const match = /\/\*\*\s*\n((?:\s*\*[^\n]*\n)+?)\s*\*\/\s*\nexport (?:declare )?class/.exec(source);
  if (!match) return '';
  return unescapeJsDoc(
    match[1]
      .split('\n')
      .map((line) => line.replace(/^\s*\*\s?/, ''))
      .join('\n')
      .trim(),
  );
}

/** Every model class with an attributeTypeMap, by class name. Read once, then cached. */
export function allModels(): Map<string, ModelClass> {
  if (modelsCache) return modelsCache;
  const dir = join(generatedDir(), 'models');
  const models = new Map<string, ModelClass>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.js') || file === 'all.js' || file === 'ObjectSerializer.js') continue;
    const source = readFileSync(join(dir, file), 'utf8');
    const className = file.slice(0, -3);
    const map = new RegExp(`${className}\\.attributeTypeMap = (\\[[\\s\\S]*?\\]);`).exec(source);
    if (!map) continue;
    const raw = JSON.parse(map[1]) as { name: string; baseName: string; type: string; format: string }[];
    models.set(className, {
      className,
      description: classDescription(source),
      attributes: raw.map((a) => ({ jsonName: a.baseName, tsName: a.name, type: a.type, format: a.format })),
    });
  }
  modelsCache = models;
  return models;
}

const docsCache = new Map<string, ModelDocs>();

/** Field descriptions and required fields of one class, from its .d.ts. */
export function modelDocs(className: string): ModelDocs {
  const cached = docsCache.get(className);
  if (cached) return cached;
  const source = readFileSync(join(generatedDir(), 'models', `${className}.d.ts`), 'utf8');
  const fieldDescriptions = new Map<string, string>();
  const required = new Set<string>();
  const field = /(?:\/\*\*\s*\n((?:\s*\*[^\n]*\n)+?)\s*\*\/\s*\n)?\s*'([^']+)'(\?)?:/g;
  for (let match = field.exec(source); match; match = field.exec(source)) {
    const [, doc, name, optional] = match;
    if (doc) {
      fieldDescriptions.set(
        name,
        unescapeJsDoc(
          doc
            .split('\n')
            .map((line) => line.replace(/^\s*\*\s?/, ''))
            .join('\n')
            .trim(),
        ),
      );
    }
    if (!optional) required.add(name);
  }
  const docs = { fieldDescriptions, required };
  docsCache.set(className, docs);
  return docs;
}

let servedCache: ServedKind[] | undefined;

/** Top-level kinds (`V1Deployment`, `V1DeploymentList`, ...) per API class, read from the generated API clients. */
export function servedKinds(): ServedKind[] {
  if (servedCache) return servedCache;
  const dir = join(generatedDir(), 'apis');
  const served: ServedKind[] = [];
  for (const file of readdirSync(dir).sort()) {
    const apiClass = /^(\w+V\d\w*)Api\.js$/.exec(file)?.[1];
    if (!apiClass) continue;
    const source = readFileSync(join(dir, file), 'utf8');
    const names = new Set<string>();
    for (const match of source.matchAll(/"((?:[A-Z][a-z]+)*V\d\w*?[A-Z]\w*)"/g)) names.add(match[1]);
    for (const className of [...names].sort()) served.push({ className, apiClass });
  }
  servedCache = served;
  return served;
}
