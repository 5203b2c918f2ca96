import { Observable, type OperatorFunction } from 'rxjs';

const HANDLER = Symbol('reconcileEach handler');

interface WithHandler<I, O> {
  [HANDLER]?: { source: Observable<I>; handle: (input: I) => readonly O[]; idle: IdleWork<O> | undefined };
}

/**
 * Work a controller may hold back until the engine has handed it every event there is (the engine
 * is idle): Kubernetes' work queues fold repeated notifications about one key into one sync, so a
 * burst of changes to one object's dependants ends in one write, not one per change. The engine
 * sets `hooked` when it promises to call `flush` each time it runs out of events; until then (a
 * pipeline the engine subscribes to, a test feeding a Subject) the controller must hold nothing back.
 */
export interface IdleWork<O> {
  hooked: boolean;
  /** The held-back work, as outputs (commands, wake-ups), in a deterministic order; nothing is held after it. */
  flush(): readonly O[];
}

export function createIdleWork<O>(flush: () => readonly O[]): IdleWork<O> {
  return { hooked: false, flush };
}

/**
 * The operator every built-in controller reconciles through: each input is handed to `handle`,
 * and the outputs it returns are emitted at once, in order. It is what `concatMap(handle)` does
 * for a handler that returns an array, without an inner subscription per input: controllers see
 * every event, and that per-input subscription was an eighth of a simulation's CPU time.
 * An exception thrown by `handle` errors the stream, as it would in concatMap.
 */
export function reconcileEach<I, O>(handle: (input: I) => readonly O[], idle?: IdleWork<O>): OperatorFunction<I, O> {
  return (source) => {
    const output: Observable<O> & WithHandler<I, O> = new Observable<O>((subscriber) =>
      source.subscribe({
        next(input) {
          let outputs: readonly O[];
          try {
            outputs = handle(input);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          for (let i = 0; i < outputs.length; i++) subscriber.next(outputs[i]!);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
    output[HANDLER] = { source, handle, idle };
    return output;
  };
}

/**
 * The handler behind `output` when it is exactly `source.pipe(reconcileEach(handle))`: calling it
 * with an input and taking the outputs it returns (or the error it throws) is what subscribing to
 * `output` and pushing the input into `source` would do, without the Observable machinery per
 * input (for the engine, which hands every event to every controller).
 */
export function reconcileHandler<I, O>(output: Observable<O>, source: Observable<I>): ((input: I) => readonly O[]) | undefined {
  const direct = (output as WithHandler<I, O>)[HANDLER];
  return direct && direct.source === source ? direct.handle : undefined;
}

/** The idle work behind `output` when it is exactly `source.pipe(reconcileEach(handle, idle))` (see reconcileHandler). */
export function reconcileIdleWork<I, O>(output: Observable<O>, source: Observable<I>): IdleWork<O> | undefined {
  const direct = (output as WithHandler<I, O>)[HANDLER];
  return direct && direct.source === source ? direct.idle : undefined;
}
