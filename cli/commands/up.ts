/** `bottle up [agents..]`: provision bottles with the up graph. */
import { logFile } from '../../lib/state/layout.js';
import { upGraph } from '../../graphs/up.js';
import { LIVE_RULES_HELP, LIVE_RULES_OPTIONS, MANIFEST_OPTIONS, RUN_HELP, RUN_OPTIONS, reporterStreams, type CliContext } from '../context.js';
import { parse, positiveInt } from '../parse.js';
import { exitCodeOf } from '../exit-code.js';
import { parseProgress, reporterFor, resolveMode } from '../progress.js';
import { lockingOf, runLimits, runLocked } from '../run-locked.js';
import { dryRun } from '../dry-run.js';
import { openSession } from '../session.js';
import { preflight } from '../../lib/plan/preflight.js';
import { UsageError } from '../usage-error.js';
import { liveRulesNotes } from '../live-rules-notes.js';
import { sayPlacement, shownNames } from '../placement-notes.js';
import { withShownNames } from '../../lib/report/shown-names.js';
import { leaveOldHosts } from '../leave-old-hosts.js';

export const UP_HELP = `Usage: bottle up [agents..] [options]

Provision a bottle for each agent (all agents by default).

Options:
  -f, --file FILE          manifest (default: bottle.yaml, bottle.yml or bottle.json here)
      --state-dir DIR      state root (default: $BOTTLE_STATE_DIR, $XDG_STATE_HOME/bottle)
      --allow-outside DIR  let promptFile, skillsDir and skills resolve into DIR too (repeatable)
  -n, --count N            N bottles of each agent, named <agent>-1 .. <agent>-N
      --host NAME          only bottles on this host of \`hosts:\` (new ones placed there; repeatable)
      --reschedule         place anew the bottles whose host is unreachable or whose last run failed
      --force              run every task, even those up to date
      --fail-fast          stop everything at the first failure
      --dry-run            say what would run and what is up to date; change nothing
      --progress MODE      auto (tty on a terminal, else plain), tty, plain or json
  -v, --verbose            show what tasks print
${LIVE_RULES_HELP}${RUN_HELP}`;

export async function up(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('up', args, {
    ...MANIFEST_OPTIONS,
    ...RUN_OPTIONS,
    ...LIVE_RULES_OPTIONS,
    // --all: every agent, which is already what no names means.
    all: { type: 'boolean' },
    count: { type: 'string', short: 'n' },
    host: { type: 'string', multiple: true },
    reschedule: { type: 'boolean' },
    force: { type: 'boolean' },
    'fail-fast': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    progress: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  });
  if (values.help) {
    cli.stdout(UP_HELP);
    return 0;
  }
  const mode = parseProgress(values.progress);
  const limits = runLimits(values);
  const session = await openSession({
    file: values.file,
    stateDir: values['state-dir'],
    allowOutside: values['allow-outside'],
    agents: positionals,
    ...(values.count !== undefined ? { count: positiveInt('--count', values.count)! } : {}),
    env: cli.env,
    cwd: cli.cwd,
    withSubnets: true,
    keepLiveRules: values['keep-live-rules'] ?? false,
    reschedule: values.reschedule ?? false,
    ...(values.host && { onlyHosts: values.host }),
  });
  const notStarted = sayPlacement(session, cli);
  for (const line of await liveRulesNotes(session.planned.map((p) => p.plan), values['keep-live-rules'] ?? false)) cli.stderr(`${line}\n`);
  const problems = await preflight(session.planned.map((p) => p.plan));
  if (problems.length > 0) throw new UsageError(`cannot bring the bottles up:\n  - ${problems.join('\n  - ')}`);
  if (values['dry-run']) return Math.max(notStarted, await dryRun(session, cli, mode === 'json', values.force ?? false));
  const reporter = await reporterFor(resolveMode(mode, cli.isTTY), reporterStreams(cli), values.verbose ?? false);
  const result = await runLocked(session, upGraph(), {
    record: true,
    limits,
    locking: lockingOf('up', args, values, cli.stderr),
    signal: cli.signal,
    failFast: values['fail-fast'] ?? false,
    force: values.force ?? false,
    ...(session.moves?.length && { beforeRun: () => leaveOldHosts(session.moves!, session.runEnv.backend, (line) => cli.stderr(`${line}\n`), cli.signal) }),
    onEvent: mode === 'json' ? reporter.sink : withShownNames(reporter.sink, shownNames(session)),
  });
  await reporter.finish(result, { logPath: (bottle, task) => logFile(session.stateRoot, bottle, task) });
  return Math.max(notStarted, exitCodeOf(result.status));
}
