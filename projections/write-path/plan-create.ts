import { apiErrors } from '../../core/errors.ts';
import { fieldErrors } from '../../core/model/field-errors.ts';
import { type KubeObject, refOf, streamOf } from '../../core/model/object.ts';
import { type ResourceType, apiVersionOf } from '../../core/model/resource-type.ts';
import { createPrng, deterministicUuid, hashSeed, randomSuffix } from '../../core/prng.ts';
import { toRfc3339 } from '../../core/virtual-clock.ts';
import { asUsualObject } from '../state/copy-with.ts';
import { literalCopy } from '../state/literal-copy.ts';
import { getObject } from '../state/queries.ts';
import { admitCustomResourceDefinition } from './crd-admission.ts';
import { admitDefaultStorageClass } from './default-storage-class.ts';
import { admitPriority } from './priority-admission.ts';
import { admitResourceQuota } from './resource-quota-admission.ts';
import { allocateServiceAddresses } from './service-allocation.ts';
import { type Plan, type WriteContext, SYSTEM_NAMESPACES, asDecoded, asLogged, asLoggedOwned, groupOf, requireType } from './write-context.ts';

/**
 * A create, as Kubernetes' generic registry does it: generate the name, reset what the server
 * owns, default, validate (422), check the namespace (404, or 403 while it terminates) and that the
 * name is free (409).
 */
export function planCreate(context: WriteContext, input: KubeObject, dryRun = false): Plan {
  const type = requireType(context, input.kind);
  const { state } = context;
  const object = asDecoded(input);
  object.apiVersion ||= apiVersionOf(type);
  const metadata = (object.metadata ??= {});
  // Fields a client set that the server resets: removing one leaves V8 a slower dictionary-mode
  // object, which the logged copy below then replaces.
  const removesFields = (!type.namespaced && metadata.namespace !== undefined) || metadata.resourceVersion !== undefined || metadata.deletionTimestamp !== undefined || metadata.deletionGracePeriodSeconds !== undefined;
  if (!type.namespaced) delete metadata.namespace;
  const nextPosition = state.position + 1;

  if (!metadata.name) {
    if (!metadata.generateName) throw apiErrors.invalid(type.kind, '', [fieldErrors.required('metadata.name', 'name or generateName is required')], groupOf(type));
    metadata.name = metadata.generateName + randomSuffix(createPrng(hashSeed(state.seed, 'name', nextPosition)));
  }
  const name = metadata.name;

  delete metadata.resourceVersion;
  delete metadata.deletionTimestamp;
  delete metadata.deletionGracePeriodSeconds;
  metadata.uid = deterministicUuid(createPrng(hashSeed(state.seed, 'uid', nextPosition)));
  metadata.creationTimestamp = toRfc3339(context.now());
  metadata.generation = 1;
  resetStatusOnCreate(object, type);

  // Before the Pod's defaults, whose admission part gives a pod without a class priority 0.
  if (object.kind === 'Pod') admitPriority(state, object);
  type.defaults(object);
  const causes = type.validate(object);
  if (causes.length > 0) throw apiErrors.invalid(type.kind, name, causes, groupOf(type));
  if (object.kind === 'CustomResourceDefinition') admitCustomResourceDefinition(state, object, context.now());
  if (type.definedBy && getObject(state, 'CustomResourceDefinition', undefined, type.definedBy)?.metadata.deletionTimestamp) {
    throw apiErrors.methodNotAllowed('create not allowed while custom resource definition is terminating');
  }

  if (type.namespaced) {
    const namespace = metadata.namespace!;
    const owner = getObject(state, 'Namespace', undefined, namespace);
    if (!owner && !SYSTEM_NAMESPACES.has(namespace)) throw apiErrors.notFound('namespaces', namespace);
    if (owner && (owner.metadata.deletionTimestamp || owner.status?.phase === 'Terminating')) {
      throw apiErrors.forbidden(type.plural, name, `unable to create new content in namespace ${namespace} because it is being terminated`, groupOf(type));
    }
  }
  if (object.kind === 'Service') allocateServiceAddresses(state, object, nextPosition);
  if (object.kind === 'PersistentVolumeClaim') admitDefaultStorageClass(state, object);
  admitResourceQuota(state, type, object);
  if (getObject(state, type.kind, metadata.namespace, name)) throw apiErrors.alreadyExists(type.plural, name, groupOf(type));

  const ref = refOf(object);
  if (dryRun) return { stream: streamOf(ref), events: [], object };
  // `object` is the write path's own decoded copy: logged as it is when already in the logged form.
  const logged = removesFields ? asLogged(object) : asLoggedOwned(object);
  // Fields were added to the metadata and spec after decoding (defaults, uid, timestamps): copied
  // as literals, they hold every field inside the object (see literalCopy).
  const usual = asUsualObject(logged, literalCopy(logged.metadata) ?? logged.metadata, (logged.spec && literalCopy(logged.spec)) ?? logged.spec, logged.status);
  if (usual) {
    literalElements(usual.metadata.ownerReferences);
    literalElements(usual.spec?.containers);
  }
  return { stream: streamOf(ref), events: [{ type: 'ObjectCreated', data: { object: usual ?? logged } }], resultRef: ref };
}

/** The plain objects of one of the logged copy's own arrays replaced by literal copies (see literalCopy). */
function literalElements(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item === 'object' && item !== null) list[i] = literalCopy(item) ?? item;
  }
}

/**
 * What each kind's strategy PrepareForCreate does to status: the server owns it, so a create starts
 * from the kind's initial status (Nodes keep theirs: the kubelet registers with its status).
 */
function resetStatusOnCreate(object: KubeObject, type: ResourceType): void {
  if (object.kind === 'Namespace') {
    object.spec = { ...object.spec, finalizers: ['kubernetes'] };
    object.status = { phase: 'Active' };
    return;
  }
  if (object.kind === 'Pod') {
    object.status = { phase: 'Pending' };
    return;
  }
  if (!type.subresources.includes('status') || object.kind === 'Node') return;
  // A custom resource's strategy drops the status; the built-ins start from an empty one.
  if (type.definedBy) delete object.status;
  else object.status = {};
}
