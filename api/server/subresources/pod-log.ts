import { apiErrors } from '../../../core/errors.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { streamOf } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import { notFoundFor } from '../resources/read-handlers.ts';
import type { ResourceScope } from '../resources/request-scope.ts';
import { objectKeyOf } from '../resources/write-handlers.ts';

/**
 * GET pods/<name>/log. Simulated containers print nothing, so the log is synthesized from the
 * container's recorded lifecycle in the pod's event stream (one line per state change), which is
 * what an operator reading it wants to know.
 */
export async function podLogHandler(scope: ResourceScope) {
  const pod = scope.context.cluster.state.objects.get('Pod')?.get(objectKeyOf(scope)) as KubeObject | undefined;
  if (!pod) throw notFoundFor(scope, scope.name!);
  const containers = [...((pod.spec?.initContainers as Array<{ name: string; image?: string }>) ?? []), ...((pod.spec?.containers as Array<{ name: string; image?: string }>) ?? [])];
  let container = scope.query.container;
  if (!container) {
    if (containers.length !== 1) {
      throw apiErrors.badRequest(`a container name must be specified for pod ${scope.name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`);
    }
    container = containers[0]!.name;
  }
  const spec = containers.find((c) => c.name === container);
  if (!spec) throw apiErrors.badRequest(`container ${container} is not valid for pod ${scope.name}`);
  const withTimestamps = scope.query.timestamps === 'true';
  const lines: string[] = [];
  for await (const event of scope.context.cluster.store.readStream(streamOf({ kind: 'Pod', namespace: scope.namespace!, name: scope.name! }))) {
    if (event.type !== 'ContainerStateChanged' || event.data.container !== container) continue;
    if (pod.metadata.uid && event.data.ref.uid && event.data.ref.uid !== pod.metadata.uid) continue;
    const state = event.data.state;
    const text = state.running
      ? `[orrery] container ${container} started (image ${spec.image ?? ''}, restart ${event.data.restartCount})`
      : state.terminated
        ? `[orrery] container ${container} exited with code ${state.terminated.exitCode} (${state.terminated.reason})`
        : `[orrery] container ${container} waiting: ${state.waiting?.reason ?? ''}${state.waiting?.message ? ` - ${state.waiting.message}` : ''}`;
    lines.push(withTimestamps ? `${toRfc3339(event.metadata.time)} ${text}` : text);
  }
  const tail = scope.query.tailLines !== undefined ? Number(scope.query.tailLines) : undefined;
  const selected = tail !== undefined && tail >= 0 ? lines.slice(Math.max(0, lines.length - tail)) : lines;
  return scope.reply.code(200).header('content-type', 'text/plain').send(selected.map((l) => `${l}\n`).join(''));
}
