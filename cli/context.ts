import { DEFAULT_CONCURRENCY, defaultLimits, LIMIT_NAMES } from '../lib/limits/names.js';

/** What bin/ hands a command: the process's surroundings, injected so tests can run commands in-process. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Whether stdout is a terminal, and its width (bin/ reads them; nothing else does). */
  isTTY: boolean;
  columns?: number;
  rows?: number;
}

/** Options every command takes. */
export const COMMON_OPTIONS = {
  file: { type: 'string', short: 'f' },
  'state-dir': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Options of the commands that load the manifest: every common one, and --allow-outside. */
export const MANIFEST_OPTIONS = {
  ...COMMON_OPTIONS,
  'allow-outside': { type: 'string', multiple: true },
} as const;

/** Options of the commands that may (re)write a bottle's egress policy: up and task. */
export const LIVE_RULES_OPTIONS = {
  'keep-live-rules': { type: 'boolean' },
} as const;

export const LIVE_RULES_HELP = `      --keep-live-rules    keep what \`bottle allow\`/\`deny\` changed (default: back to the manifest's egress)
`;

/** Options of the commands that run a graph: the global cap and the named limits (lib/limits/names.ts). */
export const RUN_OPTIONS = {
  concurrency: { type: 'string', short: 'j' },
  limit: { type: 'string', multiple: true },
  'no-wait': { type: 'boolean' },
} as const;

/** The help lines of RUN_OPTIONS. */
export const RUN_HELP = `      --no-wait            fail at once (exit 1) when another run holds a bottle, instead of waiting for it
  -j, --concurrency N      nodes running at once, the cap over all limits (default ${DEFAULT_CONCURRENCY})
      --limit NAME=N       at most N of one kind of work at once (repeatable): ${LIMIT_NAMES.join(', ')};
                           defaults: the manifest's \`limits:\`, else ${Object.entries(defaultLimits()).map(([k, v]) => `${k}=${v}`).join(', ')}
`;

/** The streams a renderer writes to, from the CLI context. */
export function reporterStreams(cli: CliContext) {
  return {
    out: cli.stdout,
    err: cli.stderr,
    ...(cli.columns ? { columns: cli.columns } : {}),
    ...(cli.rows ? { rows: cli.rows } : {}),
    noColor: !cli.isTTY || cli.env.NO_COLOR !== undefined,
  };
}
