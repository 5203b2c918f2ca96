import protobuf from 'protobufjs';

/**
 * A minimal /openapi/v2 document: the Swagger version and info, and no paths or definitions.
 *
 * kubectl validates an object on the client, from /openapi/v2, when the /openapi/v3 document does
 * not show that the server validates fields for that kind (a kind it does not know, or one without
 * a PATCH such as SelfSubjectAccessReview). Without /openapi/v2 that step failed with "failed to
 * download openapi" before kubectl could say what was wrong (`no matches for kind ...`). With no
 * definitions here, kubectl skips client-side validation, and the server's validation (every kind
 * Orrery serves has one) answers instead. kubectl asks for gnostic's protobuf encoding.
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

const root = protobuf.parse(
  `syntax = "proto3";
package openapi.v2;
message Info { string title = 1; string version = 2; }
message Paths { }
message Definitions { }
message Document { string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9; }`,
).root;
const Document = root.lookupType('openapi.v2.Document');

const document = { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions: {} };

export const openApiV2Json = JSON.stringify(document);
export const openApiV2Protobuf = Buffer.from(Document.encode(Document.fromObject(document)).finish());
