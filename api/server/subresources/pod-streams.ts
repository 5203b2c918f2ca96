import { apiErrors } from '../../../core/errors.ts';
import { notFoundFor } from '../resources/read-handlers.ts';
import type { ResourceScope } from '../resources/request-scope.ts';
import { objectKeyOf } from '../resources/write-handlers.ts';

const WHAT: Record<string, string> = {
  exec: 'run a command in',
  attach: 'attach to',
  portforward: 'forward a port to',
};

/**
 * Simulated containers have no process, so there is nothing to stream to. The apiserver answers a
 * pod it cannot reach with a 400 Status before any upgrade, so kubectl prints this message as the
 * reason rather than a bare NotFound for an unknown path.
 */
export function podStreamHandler(scope: ResourceScope) {
  const pod = scope.context.cluster.state.objects.get('Pod')?.get(objectKeyOf(scope));
  if (!pod) throw notFoundFor(scope, scope.name!);
  const subresource = scope.subresource!;
  throw apiErrors.badRequest(
    `pod ${scope.name} runs in Orrery's simulated cluster: its containers have no process to ${WHAT[subresource]} (pods/${subresource} is not available; pods/log shows what each container did)`,
  );
}
