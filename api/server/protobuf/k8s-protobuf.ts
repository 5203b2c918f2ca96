import protobuf from 'protobufjs';
import { apiErrors } from '../../../core/errors.ts';

/**
 * Kubernetes' protobuf wire format, as typed clients (`kubectl create namespace`, drain's evictions
 * and deletes) send it: the magic `k8s\0`, then a runtime.Unknown whose `raw` holds the object's
 * own message. Only the messages those clients send us are described here.
 */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const schema = `
syntax = "proto2";
package k8s;
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message OwnerReference { optional string kind = 1; optional string name = 3; optional string uid = 4; optional string apiVersion = 5; optional bool controller = 6; optional bool blockOwnerDeletion = 7; }
message ObjectMeta {
  optional string name = 1; optional string generateName = 2; optional string namespace = 3; optional string selfLink = 4;
  optional string uid = 5; optional string resourceVersion = 6; optional int64 generation = 7;
  optional Time creationTimestamp = 8; optional Time deletionTimestamp = 9; optional int64 deletionGracePeriodSeconds = 10;
  map<string, string> labels = 11; map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14;
}
message Preconditions { optional string uid = 1; optional string resourceVersion = 2; }
message DeleteOptions {
  optional int64 gracePeriodSeconds = 1; optional Preconditions preconditions = 2; optional bool orphanDependents = 3;
  optional string propagationPolicy = 4; repeated string dryRun = 5;
}
message NamespaceSpec { repeated string finalizers = 1; }
message NamespaceStatus { optional string phase = 1; }
message Namespace { optional ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; optional NamespaceStatus status = 3; }
message Eviction { optional ObjectMeta metadata = 1; optional DeleteOptions deleteOptions = 2; }
`;

const root = protobuf.parse(schema, { keepCase: true }).root;
const Unknown = root.lookupType('k8s.Unknown');
const messagesByKind: Record<string, protobuf.Type> = {
  Namespace: root.lookupType('k8s.Namespace'),
  DeleteOptions: root.lookupType('k8s.DeleteOptions'),
  Eviction: root.lookupType('k8s.Eviction'),
};

export const PROTOBUF_DECODABLE_KINDS = Object.keys(messagesByKind);

/** Decodes a protobuf-encoded Kubernetes object into the JSON shape the rest of the API uses. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw apiErrors.badRequest('provided object is not protobuf encoded: missing the k8s\\0 prefix');
  }
  let envelope: { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array };
  try {
    envelope = Unknown.toObject(Unknown.decode(body.subarray(4)), { defaults: false }) as typeof envelope;
  } catch (error) {
    throw apiErrors.badRequest(`unable to decode protobuf body: ${(error as Error).message}`);
  }
  const kind = envelope.typeMeta?.kind ?? '';
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const message = messagesByKind[kind];
  if (!message) {
    throw apiErrors.unsupportedMediaType(`application/vnd.kubernetes.protobuf (kind ${kind || 'unknown'}; send ${kind || 'it'} as application/json)`);
  }
  let decoded: Record<string, unknown>;
  try {
    decoded = message.toObject(message.decode(envelope.raw ?? new Uint8Array()), { longs: Number, defaults: false, arrays: false, objects: false }) as Record<string, unknown>;
  } catch (error) {
    throw apiErrors.badRequest(`unable to decode protobuf ${kind}: ${(error as Error).message}`);
  }
  return { apiVersion, kind, ...(normalize(decoded) as Record<string, unknown>) };
}

/** Turns protobuf Time messages into RFC 3339 strings and drops empty maps/lists, as JSON would carry them. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const record = value as Record<string, unknown>;
    if ('seconds' in record && Object.keys(record).every((k) => k === 'seconds' || k === 'nanos')) {
      return new Date(Number(record.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(record)) out[key] = normalize(entry);
    return out;
  }
  return value;
}

/** Encodes an object the way a typed client would (used by tests and to document the format). */
export function encodeKubernetesProtobuf(object: { apiVersion: string; kind: string; [key: string]: unknown }): Buffer {
  const message = messagesByKind[object.kind];
  if (!message) throw new Error(`no protobuf message for ${object.kind}`);
  const { apiVersion, kind, ...rest } = object;
  const raw = message.encode(message.fromObject(denormalize(rest) as Record<string, unknown>)).finish();
  const unknown = Unknown.encode(Unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })).finish();
  return Buffer.concat([PROTOBUF_MAGIC, Buffer.from(unknown)]);
}

function denormalize(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && (key === 'creationTimestamp' || key === 'deletionTimestamp')) return { seconds: Math.floor(Date.parse(value) / 1000) };
  if (Array.isArray(value)) return value.map((v) => denormalize(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'labels' || k === 'annotations' ? v : denormalize(v, k);
    return out;
  }
  return value;
}
