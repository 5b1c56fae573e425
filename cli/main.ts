/**
 * The CLI: picks the command, runs it, and turns what went wrong into an exit
 * code and one sentence — 2 for a user mistake (bad usage, bad manifest),
 * 1 for a failed task or a bottle another run holds (--no-wait), 130 when
 * interrupted. It never exits
 * the process or touches signals; bin/ does. A message may quote a guest's
 * stderr (a failed task): its control characters are printed escaped.
 */
import { EngineError } from '../lib/engine/index.js';
import { packageVersion } from '../lib/images/paths.js';
import { ManifestError } from '../lib/manifest/errors.js';
import { terminalLines, terminalText } from '../lib/report/terminal-text.js';
import { StateError } from '../lib/state/errors.js';
import type { CliContext } from './context.js';
import { UsageError } from './usage-error.js';

const COMMANDS: Record<string, () => Promise<(args: string[], cli: CliContext) => Promise<number>>> = {
  up: async () => (await import('./commands/up.js')).up,
  down: async () => (await import('./commands/down.js')).down,
  stop: async () => (await import('./commands/stop-start.js')).stop,
  start: async () => (await import('./commands/stop-start.js')).start,
  status: async () => (await import('./commands/status.js')).status,
  ls: async () => (await import('./commands/ls.js')).ls,
  task: async () => (await import('./commands/task.js')).task,
  graph: async () => (await import('./commands/graph.js')).graph,
  exec: async () => (await import('./commands/exec.js')).exec,
  cp: async () => (await import('./commands/cp.js')).cp,
  port: async () => (await import('./commands/port.js')).port,
  claude: async () => (await import('./commands/claude.js')).claude,
  attach: async () => (await import('./commands/attach.js')).attach,
  git: async () => (await import('./commands/git.js')).git,
  inbox: async () => (await import('./commands/inbox.js')).inbox,
  answer: async () => (await import('./commands/answer.js')).answer,
  logs: async () => (await import('./commands/logs.js')).logs,
  allow: async () => (await import('./commands/allow.js')).allow,
  deny: async () => (await import('./commands/allow.js')).deny,
  doctor: async () => (await import('./commands/doctor.js')).doctor,
  check: async () => (await import('./commands/check.js')).check,
  hosts: async () => (await import('./commands/hosts.js')).hosts,
  validate: async () => (await import('./commands/validate.js')).validate,
  schema: async () => (await import('./commands/schema.js')).schema,
};

export const HELP = `Usage: bottle <command> [options]

Provision sandboxes ("bottles") for coding agents.

Commands:
  up [agents..]        provision bottles (all agents by default); --dry-run shows the plan
  down [agents..]      remove them; --purge also deletes their state
  stop [agents..]      stop their machines, keeping them as they are
  start [agents..]     start stopped bottles again
  status               each bottle and its tasks, from the records (--json, --probe)
  ls                   every bottle of the state root, any manifest's, and its state (--json)
  task <task> <agent>  run one task of one bottle (--with-deps, --force)
  graph                the task graph (--format text|mermaid|dot)
  exec <agent> -- cmd  run a command in an agent's machine
  cp <from> <to>       copy files between the host and an agent (<agent>:<path> on one side)
  port <agent> <port>  forward a host port on 127.0.0.1 to a port in an agent's machine
  claude <agent>       start Claude Code in an agent's bottle, in a session (--detach)
  attach <agent>       back into an agent's Claude Code session (Ctrl-b d detaches)
  git fetch|log        what agents pushed: into the host repository, or listed
  inbox                what agents reported and asked (--follow, --json)
  answer <agent> <id>  answer an agent's question
  logs <agent>         what its proxy let through and refused (--denied, --follow, --json, --machine)
  allow <agent> <host> let a running bottle reach a host, at once (no restart)
  deny <agent> <host>  refuse a host to a running bottle, at once
  doctor               find orphans, stale records and locks, temp files (--fix, --json)
  check                before the first up: engine, platform, disk, base image, Node (--json)
  hosts                the manifest's Docker Engines: reachable, version, CPUs, memory, bottles (--json)
  validate             check the manifest
  schema               print the manifest's JSON Schema

Run \`bottle <command> --help\` for a command's options.
`;

export async function main(argv: string[], cli: CliContext): Promise<number> {
  const [command, ...args] = argv;
  const debug = argv.includes('--debug');
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    cli.stdout(HELP);
    return 0;
  }
  if (command === '--version') {
    cli.stdout(`bottle ${packageVersion()}\n`);
    return 0;
  }
  const load = COMMANDS[command];
  if (!load) {
    cli.stderr(`bottle: unknown command "${terminalText(command)}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  try {
    return await (await load())(args, cli);
  } catch (error) {
    return report(error, cli, debug);
  }
}

function report(error: unknown, cli: CliContext, debug: boolean): number {
  const userMistake = error instanceof UsageError || error instanceof ManifestError || error instanceof StateError || (error instanceof EngineError && error.code !== 'TASK_FAILED');
  if (cli.signal.aborted) {
    cli.stderr('bottle: interrupted\n');
    return 130;
  }
  const message = error instanceof Error ? error.message : String(error);
  cli.stderr(`bottle: ${terminalLines(message)}\n`);
  if (debug && error instanceof Error && error.stack) cli.stderr(`${terminalLines(error.stack)}\n`);
  else if (!userMistake) cli.stderr('(run with --debug for the stack trace)\n');
  // Another run holds the bottle (--no-wait): nothing is wrong with what was asked.
  if (error instanceof StateError && error.code === 'LOCKED') return 1;
  return userMistake ? 2 : 1;
}
