import type { CommandMeta } from '../commands.ts';

/**
 * `{ ...meta, ...fields }`: the same object, keys in the same order, built key by key. V8 clones a
 * spread object fast but then adds every key the clone lacks on a slow path: a command written as
 * `{ ...meta, type, subresource, object }` took ~4 µs (measured), and the ReplicaSet and Deployment
 * controllers issue hundreds per history; this takes ~0.1 µs.
 */
export function withMeta<F extends object>(meta: CommandMeta, fields: F): CommandMeta & F {
  const command: Record<string, unknown> = {};
  for (const key in meta) command[key] = meta[key as keyof CommandMeta];
  for (const key in fields) command[key] = fields[key];
  return command as CommandMeta & F;
}
