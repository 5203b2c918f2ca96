// Appends to an embedded log until killed, printing every acknowledged append as
// `<first position> <last position> <stream> <label prefix>`: the crash test checks each one after reopening.
import { createPrng } from '../../prng.ts';
import type { NewEvent } from '../../events.ts';
import { createEmbeddedStore } from './embedded-store.ts';

const [dir, seedText] = process.argv.slice(2);
if (!dir || !seedText) throw new Error('usage: crash-child <dir> <seed>');
const seed = Number(seedText);
const random = createPrng(seed);
// Both ways of making an append durable are killed: seeds 0-1 mod 4 sync with fdatasync, 2-3 with O_DSYNC (the default).
const store = await createEmbeddedStore(dir, { sync: seed % 4 >= 2 ? 'o_dsync' : 'fdatasync' });
process.stdout.write(`open ${await store.head()}\n`);

const payload = 'p'.repeat(200);
async function writer(worker: number): Promise<never> {
  for (let seq = 0; ; seq++) {
    const count = random.next() < 0.7 ? 1 + Math.floor(random.next() * 4) : 1 + Math.floor(random.next() * 300);
    const stream = `Pod/crash/w${worker}-${Math.floor(random.next() * 5)}`;
    const prefix = `s${seed}w${worker}q${seq}`;
    const events = Array.from({ length: count }, (_, i) => ({
      type: 'ClockAdvanced',
      data: { time: i, label: `${prefix}-${i}`, payload },
      metadata: { actor: 'crash-test', time: 0 },
    })) as unknown as NewEvent[];
    const result = await store.append(stream, events);
    process.stdout.write(`${result.position - count + 1} ${result.position} ${stream} ${prefix}\n`);
  }
}
for (let worker = 0; worker < 8; worker++) void writer(worker);
