import type { ContainerStatusUpdate, StoredEvent } from '../../../core/events.ts';
import { apiErrors } from '../../../core/errors.ts';
import type { KubeObject } from '../../../core/model/object.ts';
import { streamOf } from '../../../core/model/object.ts';
import { toRfc3339 } from '../../../core/virtual-clock.ts';
import { containerUpdatesOf } from '../../../projections/state/container-updates.ts';
import { notFoundFor } from '../resources/read-handlers.ts';
import type { ResourceScope } from '../resources/request-scope.ts';
import { objectKeyOf } from '../resources/write-handlers.ts';

/** One log line for a recorded container state change. */
function lineOf(update: ContainerStatusUpdate, time: number, image: string, timestamps: boolean): string {
  const { container, state } = update;
  const text = state.running
    ? `[orrery] container ${container} started (image ${image}, restart ${update.restartCount})`
    : state.terminated
      ? `[orrery] container ${container} exited with code ${state.terminated.exitCode} (${state.terminated.reason})`
      : `[orrery] container ${container} waiting: ${state.waiting?.reason ?? ''}${state.waiting?.message ? ` - ${state.waiting.message}` : ''}`;
  return timestamps ? `${toRfc3339(time)} ${text}` : text;
}

/**
 * GET pods/<name>/log. Simulated containers print nothing, so the log is synthesized from the
 * container's recorded lifecycle in the pod's event stream (one line per state change), which is
 * what an operator reading it wants to know, per instance of the container (`previous=true` reads
 * the instance before the latest). `follow=true` keeps streaming new lines until the pod goes away
 * or the client hangs up.
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
  const timestamps = scope.query.timestamps === 'true';
  const previous = scope.query.previous === 'true';
  /** This container's changes an event of the pod's stream carries. */
  const updatesOf = (event: StoredEvent): ContainerStatusUpdate[] => {
    const updates = containerUpdatesOf(event);
    if (updates.length === 0 || (event.type !== 'ContainerStateChanged' && event.type !== 'PodPhaseChanged')) return [];
    if (pod.metadata.uid && event.data.ref.uid && event.data.ref.uid !== pod.metadata.uid) return [];
    return updates.filter((u) => u.container === container);
  };

  // Each instance of the container (its restartCount) has its own log, as a real container's
  // does: `logs` reads the latest, `logs --previous` the one before.
  const byInstance = new Map<number, string[]>();
  let latest = 0;
  let last = 0;
  for await (const event of scope.context.cluster.store.readStream(streamOf({ kind: 'Pod', namespace: scope.namespace!, name: scope.name! }))) {
    last = event.position;
    for (const update of updatesOf(event)) {
      latest = Math.max(latest, update.restartCount);
      let instance = byInstance.get(update.restartCount);
      if (!instance) byInstance.set(update.restartCount, (instance = []));
      instance.push(lineOf(update, event.metadata.time, spec.image ?? '', timestamps));
    }
  }
  if (previous && latest === 0) throw apiErrors.badRequest(`previous terminated container "${container}" in pod "${scope.name}" not found`);
  const lines = byInstance.get(previous ? latest - 1 : latest) ?? [];
  const tail = scope.query.tailLines !== undefined ? Number(scope.query.tailLines) : undefined;
  const selected = tail !== undefined && tail >= 0 ? lines.slice(Math.max(0, lines.length - tail)) : lines;
  const text = selected.map((l) => `${l}\n`).join('');
  if (scope.query.follow !== 'true' || previous) return scope.reply.code(200).header('content-type', 'text/plain').send(text);

  const reply = scope.reply;
  reply.hijack();
  // Open in apiserver_longrunning_requests until it ends, then counted as one CONNECT.
  const endLongRunning = scope.context.metrics?.longRunning(scope.request, reply);
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
  raw.write(text);
  let stop: (() => void) | undefined;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    endLongRunning?.();
    stop?.();
    if (!raw.writableEnded) raw.end();
  };
  raw.on('close', finish);
  const key = objectKeyOf(scope);
  // From what the stream read gave (or the hub's position, not to replay an old pod's whole history).
  stop = await scope.context.hub.follow(Math.max(last, scope.context.hub.position()), (batch) => {
    for (const change of batch.changes) {
      if (change.kind !== 'Pod' || change.key !== key) continue;
      for (const update of updatesOf(change.event)) raw.write(`${lineOf(update, change.event.metadata.time, spec.image ?? '', timestamps)}\n`);
      if (!change.after) finish();
    }
  });
  if (done) stop();
}
