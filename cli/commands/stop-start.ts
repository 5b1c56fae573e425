/**
 * `bottle stop [agents..]` and `bottle start [agents..]`: a manifest's
 * bottles (every one the state knows for it, or the named agents') stopped
 * and kept as they are, or started again as they were (graphs/stop.ts,
 * graphs/start.ts), under the bottles' locks as `bottle up` takes them
 * (wait, or --no-wait). Nothing is made or removed: `bottle up` after a stop
 * brings back the same machines too.
 */
import { logFile } from '../../lib/state/layout.js';
import type { Graph } from '../../lib/engine/index.js';
import { startGraph } from '../../graphs/start.js';
import { stopGraph } from '../../graphs/stop.js';
import type { RunEnv } from '../../tasks/context.js';
import { COMMON_OPTIONS, RUN_HELP, RUN_OPTIONS, reporterStreams, type CliContext } from '../context.js';
import { exitCodeOf } from '../exit-code.js';
import { parse } from '../parse.js';
import { parseProgress, reporterFor, resolveMode } from '../progress.js';
import { lockingOf, runLimits, runLocked } from '../run-locked.js';
import { openKnownSession, type Session } from '../session.js';
import { UsageError } from '../usage-error.js';

/** Docker waits this long for a machine's main process to exit before it kills it: our agent image's (sleep) ignores SIGTERM anyway. */
const DEFAULT_GRACE_SECONDS = 3;

export const STOP_HELP = `Usage: bottle stop [agents..] [options]

Stop each bottle's machine, then its bundle, keeping both as they are (disk, files,
networks, state): every bottle brought up from this manifest, or those of the named
agents. \`bottle start\` or \`bottle up\` brings the same machines back.

Options:
  -f, --file FILE          manifest
      --state-dir DIR      state root
  -t, --time N             seconds a machine's main process gets to exit before it is
                           killed (default ${DEFAULT_GRACE_SECONDS}; Docker only, smolvm takes none)
      --progress MODE      auto, plain or json
${RUN_HELP}`;

export const START_HELP = `Usage: bottle start [agents..] [options]

Start each stopped bottle again as it was: its bundle, once its daemons answer their
health checks its machine. Every bottle brought up from this manifest, or those of
the named agents. A bottle whose machines are gone fails: \`bottle up\` makes them anew.

Options:
  -f, --file FILE          manifest
      --state-dir DIR      state root
      --progress MODE      auto, plain or json
${RUN_HELP}`;

export function stop(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('stop', args, { ...COMMON_OPTIONS, ...RUN_OPTIONS, progress: { type: 'string' }, time: { type: 'string', short: 't' } });
  if (values.help) {
    cli.stdout(STOP_HELP);
    return Promise.resolve(0);
  }
  const graceSeconds = secondsOf(values.time) ?? DEFAULT_GRACE_SECONDS;
  return run('stop', args, values, positionals, cli, stopGraph({ graceSeconds }));
}

export function start(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('start', args, { ...COMMON_OPTIONS, ...RUN_OPTIONS, progress: { type: 'string' } });
  if (values.help) {
    cli.stdout(START_HELP);
    return Promise.resolve(0);
  }
  return run('start', args, values, positionals, cli, startGraph());
}

interface RunValues {
  file?: string | undefined;
  'state-dir'?: string | undefined;
  progress?: string | undefined;
  concurrency?: string | undefined;
  limit?: string[] | undefined;
  'no-wait'?: boolean | undefined;
}

async function run(command: 'stop' | 'start', args: string[], values: RunValues, agents: string[], cli: CliContext, graph: Graph<RunEnv>): Promise<number> {
  const mode = parseProgress(values.progress);
  const limits = runLimits(values);
  const all = await openKnownSession({ file: values.file, stateDir: values['state-dir'], agents: [], env: cli.env, cwd: cli.cwd });
  const session = named(all, agents);
  if (session.planned.length === 0) {
    cli.stdout(`no bottles of ${session.manifestPath} to ${command} (state: ${session.stateRoot}); \`bottle up\` brings them up\n`);
    return 0;
  }
  const reporter = await reporterFor(resolveMode(mode, cli.isTTY), reporterStreams(cli), false);
  const result = await runLocked(session, graph, {
    record: false,
    limits,
    locking: lockingOf(command, args, values, cli.stderr),
    signal: cli.signal,
    onEvent: reporter.sink,
  });
  await reporter.finish(result, { logPath: (bottle, task) => logFile(session.stateRoot, bottle, task) });
  return exitCodeOf(result.status);
}

/** The session's bottles of the named agents (all when none is named); a name no bottle has is a usage error that lists those there are. */
function named(session: Session, agents: readonly string[]): Session {
  if (agents.length === 0) return session;
  const has = (agent: string) => session.planned.some((p) => p.plan.agent === agent || p.plan.definition === agent);
  const unknown = agents.find((a) => !has(a));
  if (unknown !== undefined) {
    const there = [...new Set(session.planned.map((p) => p.plan.agent))];
    throw new UsageError(
      `no bottle of agent "${unknown}" from ${session.manifestPath} (state: ${session.stateRoot}); ` +
        (there.length > 0 ? `bottles: ${there.join(', ')}` : 'none has been brought up; run `bottle up`'),
    );
  }
  return { ...session, planned: session.planned.filter((p) => agents.includes(p.plan.agent) || agents.includes(p.plan.definition)) };
}

/** `--time N`: a whole number of seconds, 0 included (kill at once). */
function secondsOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--time must be a whole number of seconds >= 0, got "${value}"`);
  return n;
}
