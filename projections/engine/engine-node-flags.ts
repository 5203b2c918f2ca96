import { setFlagsFromString } from 'node:v8';
import engineNodeFlags from '../../bin/engine-node-flags.json' with { type: 'json' };

/**
 * V8 flags every `orrery` command runs the engine with (bin/engine-node-flags.json): an inlining
 * budget of about a ninth of V8's default. The engine's hot code is hundreds of mid-sized
 * functions, so at the default budget V8 spends most of a burst's first second optimising large
 * inlined bodies on its background thread, which competes for the two cores; with the smaller
 * budget a fresh process takes 10,000 pods to Running ~10% sooner with ~15% less CPU, and long runs
 * are unchanged (docs/architecture.md, "V8 flags").
 */
export { engineNodeFlags };

/**
 * Sets the engine's V8 flags in this process, except those its command line already gives. Call it
 * before the engine runs hot: V8 reads them when it optimises a function.
 */
export function applyEngineNodeFlags(): void {
  for (const flag of engineNodeFlags) {
    const name = flag.split('=')[0]!;
    if (!process.execArgv.some((given) => given.split('=')[0] === name)) setFlagsFromString(flag);
  }
}
