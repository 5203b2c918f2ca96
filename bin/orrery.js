#!/usr/bin/env node
import { spawn } from 'node:child_process';
import checkNodeFlags from './check-node-flags.json' with { type: 'json' };
import engineNodeFlags from './engine-node-flags.json' with { type: 'json' };

// `orrery check` keeps both cores busy with worker threads that spend their first seconds
// compiling: V8's background compile and GC threads then compete with them for the same two
// cores. Run with GC on the thread that allocates (and the engine's smaller inlining budget), 400
// histories took 10% less CPU and 9–17% less time (docs/property-testing.md). --single-threaded-gc
// cannot be set once the process runs, so the command runs again with the flags on its command line.
const checkFlags = [...engineNodeFlags, ...checkNodeFlags];
if (process.argv[2] === 'check' && !checkFlags.every((flag) => process.execArgv.includes(flag))) {
  const child = spawn(process.execPath, [...process.execArgv, ...checkFlags, ...process.argv.slice(1)], { stdio: 'inherit' });
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of forwarded) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (code !== null) process.exit(code);
    // Ended by a signal: end the same way, so that whoever started the command sees it.
    for (const name of forwarded) process.removeAllListeners(name);
    process.kill(process.pid, signal ?? 'SIGTERM');
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { applyEngineNodeFlags } = await import('../projections/engine/engine-node-flags.ts');
  applyEngineNodeFlags();
  await import('../api/cli.ts');
}
