import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseDuration } from '../../core/virtual-clock.ts';
import { uniformNodes } from '../../projections/engine/simulated-node.ts';
import { type AuditImportResult, AuditLogError, importAuditLog } from './audit-log-import.ts';
import { scenarioToYaml } from './scenario-file.ts';

export interface ImportAuditLogCommandOptions {
  output?: string;
  nodes?: number;
  seed?: number;
  tail?: string;
  includeSystemWrites?: boolean;
}

/** `orrery import audit-log FILE`: writes the scenario (to stdout, or `-o FILE`); resolves to the exit code. */
export async function runImportAuditLogCommand(file: string, options: ImportAuditLogCommandOptions = {}): Promise<number> {
  const name = basename(file).replace(/\.(jsonl|json|log)$/, '');
  let result: ReturnType<typeof importAuditLog>;
  try {
    result = importAuditLog(await readFile(file, 'utf8'), {
      name,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.nodes !== undefined ? { nodes: uniformNodes(options.nodes) } : {}),
      ...(options.tail !== undefined ? { tailMs: parseDuration(options.tail) } : {}),
      ...(options.includeSystemWrites ? { includeSystemWrites: true } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!(error instanceof AuditLogError) && code === undefined && !/invalid duration/.test((error as Error).message)) throw error;
    process.stderr.write(`orrery: ${file}: ${code ? `cannot read: ${code}` : (error as Error).message}\n`);
    return 2;
  }
  const { stats, warnings } = result;
  const entries = result.scenario.timeline.length;
  const header = importedScenarioHeader(file, result);
  const text = `${header}${scenarioToYaml(result.scenario)}`;
  if (options.output) {
    await writeFile(options.output, text);
    process.stderr.write(`wrote ${options.output}: ${entries} timeline entries from ${stats.lines} audit events${warnings.length ? `, ${warnings.length} warning(s)` : ''}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

/** The comment the written scenario starts with: what was imported, what was left out and why, the warnings. */
export function importedScenarioHeader(file: string, result: AuditImportResult): string {
  const { stats, warnings } = result;
  const entries = result.scenario.timeline.length;
  const skipped = Object.entries(stats.skipped).map(([why, count]) => `#   ${count} ${why}`);
  return [
    `# Imported from the audit log ${file} by \`orrery import audit-log\`.`,
    // One write can be several entries (a node patch that cordons and taints).
    `# ${stats.lines} audit events read, ${stats.imported} writes on the timeline${entries !== stats.imported ? ` (${entries} entries)` : ''}${skipped.length ? '; left out:' : '.'}`,
    ...skipped,
    ...warnings.map((w) => `# warning: ${w}`),
    '# An audit log holds requests, not what the cluster did with them: add `expect:` lines',
    '# (docs/scenarios.md) for what should have happened, then `orrery scenario run` this file.',
    '',
  ].join('\n');
}
