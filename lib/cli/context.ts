/** What bin/ hands a command: the process's surroundings, injected so tests can run commands in-process. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

/** Options every command takes. */
export const COMMON_OPTIONS = {
  file: { type: 'string', short: 'f' },
  'state-dir': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
