import type { Expectations } from '../../projections/controllers/replicaset/expectations.ts';
import { createReplicaSetController } from '../../projections/controllers/replicaset/replicaset-controller.ts';
import type { Controller } from '../../projections/engine/controller.ts';

/** Remembers nothing it asked for: every ReplicaSet is always ready to be scaled again. */
const forgetful: Expectations = {
  expectCreations() {},
  expectDeletions() {},
  creationObserved: () => undefined,
  deletionObserved: () => undefined,
  satisfied: () => true,
  forget() {},
  pendingOwners: () => [],
  pending: () => false,
};

/**
 * The real ReplicaSet controller without Kubernetes' expectations: Sieve's classic "unobserved
 * state" bug. It counts only the pods it can see, not those it has created and not seen yet. In the
 * engine's default order it is never caught, because every controller reacts to the live state,
 * which already holds its own writes; once its informer lags (a stale view), it creates the missing
 * pods again and the ReplicaSet overshoots its replicas.
 */
export function replicaSetWithoutExpectations(): Controller {
  return createReplicaSetController({ expectations: () => forgetful });
}
