import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { applyEngineNodeFlags } from '../projections/engine/engine-node-flags.ts';

// Every benchmark measures the engine as `orrery` runs it: with its V8 flags (bin/orrery.js).
applyEngineNodeFlags();

const BENCHMARKS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md');

/** One line naming this machine and date, printed above every section of BENCHMARKS.md. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  return `${new Date().toISOString().slice(0, 10)} · ${cpus().length} × ${cpu} · ${gib} GiB · ${platform()} ${release()} · Node ${process.version}`; // wall-clock-ok
}

/**
 * Replaces (or appends) one benchmark's section in BENCHMARKS.md. `id` keeps sections apart;
 * `markdown` is the body (tables, figures). The machine and date are added here.
 */
export function recordBenchmark(id: string, title: string, markdown: string): void {
  const begin = `<!-- bench:${id}:begin -->`;
  const end = `<!-- bench:${id}:end -->`;
  const section = `${begin}\n## ${title}\n\n_Measured ${machineLine()}_\n\n${markdown.trim()}\n${end}`;
  let text = existsSync(BENCHMARKS_FILE)
    ? readFileSync(BENCHMARKS_FILE, 'utf8')
    : '# Benchmarks\n\nWritten by `npm run bench` (each `bench/*.bench.ts` also runs alone: `node bin/run-ts.js bench/<name>.bench.ts`). Figures are from the machine and date given in each section; ratios are measured side by side in the same run.\n';
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start >= 0 && stop > start) text = text.slice(0, start) + section + text.slice(stop + end.length);
  else text = `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(BENCHMARKS_FILE, text);
}

/** A markdown table from a header row and data rows. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function formatRate(perSecond: number): string {
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M/s` : perSecond >= 1e3 ? `${(perSecond / 1e3).toFixed(1)} k/s` : `${perSecond.toFixed(0)} /s`;
}

export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
