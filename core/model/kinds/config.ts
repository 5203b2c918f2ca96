import type { StatusCause } from '../../errors.ts';
import { deepEqual } from '../canonical-json.ts';
import type { KubeObject } from '../object.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';
import { fieldErrors } from '../field-errors.ts';

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_CONFIG_SIZE = 1024 * 1024;

/** Kubernetes' IsConfigMapKey: keys of ConfigMap and Secret data. */
export function isConfigMapKey(key: string): string[] {
  const errors: string[] = [];
  if (key.length > 253) errors.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(key)) errors.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  if (key === '.') errors.push("must not be '.'");
  else if (key === '..') errors.push("must not be '..'");
  else if (key.startsWith('..')) errors.push("must not start with '..'");
  return errors;
}

function validateDataKeys(object: KubeObject, fields: string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  let size = 0;
  for (const field of fields) {
    for (const [key, value] of Object.entries((object[field] as Record<string, string> | undefined) ?? {})) {
      for (const message of isConfigMapKey(key)) causes.push(fieldErrors.invalid(`${field}[${key}]`, key, message));
      if (seen.has(key)) causes.push(fieldErrors.invalid(`${field}[${key}]`, key, 'duplicate of key present in binaryData'));
      seen.add(key);
      size += String(value).length;
    }
  }
  if (size > MAX_CONFIG_SIZE) causes.push(fieldErrors.tooLong(fields[0]!, MAX_CONFIG_SIZE));
  return causes;
}

function immutableData(object: KubeObject, old: KubeObject | undefined, fields: string[]): StatusCause[] {
  if (!old || old.immutable !== true) return [];
  const causes: StatusCause[] = [];
  if (object.immutable !== true) causes.push(fieldErrors.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const field of fields) {
    if (!deepEqual(object[field] ?? {}, old[field] ?? {})) causes.push(fieldErrors.forbidden(field, 'field is immutable when `immutable` is set'));
  }
  return causes;
}


export const configMapType = defineResourceType({
  kind: 'ConfigMap',
  group: '',
  version: 'v1',
  plural: 'configmaps',
  shortNames: ['cm'],
  namespaced: true,
  columns: [
    nameColumn,
    column('Data', 'string', 'Data contains the configuration data.', (cm) => Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length),
    ageColumn,
  ],
  validateSpec: (cm, old) => [...validateDataKeys(cm, ['data', 'binaryData']), ...immutableData(cm, old, ['data', 'binaryData'])],
  specChanged: neverBumpsGeneration,
});

export const secretType = defineResourceType({
  kind: 'Secret',
  group: '',
  version: 'v1',
  plural: 'secrets',
  namespaced: true,
  columns: [
    nameColumn,
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data.', (secret) => (secret.type as string | undefined) ?? 'Opaque'),
    column('Data', 'string', 'Data contains the secret data.', (secret) => Object.keys(secret.data ?? {}).length),
    ageColumn,
  ],
  defaults(secret) {
    secret.type ??= 'Opaque';
    // stringData is write-only: it is merged into data (base64) and dropped, as the API server does.
    if (secret.stringData && typeof secret.stringData === 'object') {
      const data = { ...((secret.data as Record<string, string>) ?? {}) };
      for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
      secret.data = data;
      delete secret.stringData;
    }
  },
  validateSpec(secret, old) {
    const causes = [...validateDataKeys(secret, ['data']), ...immutableData(secret, old, ['data'])];
    if (old && (old.type ?? 'Opaque') !== (secret.type ?? 'Opaque')) causes.push(fieldErrors.invalid('type', secret.type, 'field is immutable'));
    return causes;
  },
  specChanged: neverBumpsGeneration,
});

export const serviceAccountType = defineResourceType({
  kind: 'ServiceAccount',
  group: '',
  version: 'v1',
  plural: 'serviceaccounts',
  shortNames: ['sa'],
  namespaced: true,
  subresources: ['token'],
  columns: [nameColumn, column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', (sa) => (sa.secrets as unknown[] | undefined)?.length ?? 0), ageColumn],
  specChanged: neverBumpsGeneration,
});
