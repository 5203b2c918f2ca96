// The embedded log's public surface: what the server, the CLI and benchmarks import.
export { createEmbeddedStore, LOG_FILE_NAME, type EmbeddedStore, type EmbeddedStoreOptions, type LogDirectory, type OpenReport } from './embedded-store.ts';
export { repairEmbeddedLog, type RepairReport } from './repair.ts';
export { LogCorruptedError, isLogCorruptedError } from './errors.ts';
