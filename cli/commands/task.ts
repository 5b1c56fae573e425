/**
 * `bottle task <task> <agent> [--with-deps] [--force]`: run one task of one
 * bottle, with its needs' outputs read from the records, its log streamed.
 */
import { logFile } from '../../lib/state/layout.js';
import { RUN_ITEM } from '../../lib/engine/index.js';
import { upGraph } from '../../graphs/up.js';
import { LIVE_RULES_HELP, LIVE_RULES_OPTIONS, MANIFEST_OPTIONS, RUN_HELP, RUN_OPTIONS, reporterStreams, type CliContext } from '../context.js';
import { exitCodeOf } from '../exit-code.js';
import { parse } from '../parse.js';
import { parseProgress, reporterFor, resolveMode } from '../progress.js';
import { lockingOf, runLimits, runLocked } from '../run-locked.js';
import { openSession } from '../session.js';
import { UsageError } from '../usage-error.js';
import { sayPlacement } from '../placement-notes.js';
import { liveRulesNotes } from '../live-rules-notes.js';

export const TASK_HELP = `Usage: bottle task <task> <agent> [--with-deps] [--force] [--allow-outside DIR]

Run one task of one agent's bottle, for debugging: its needs' outputs come from
the records of earlier runs; its log is shown as it runs.
  --with-deps           run (or confirm up to date) the tasks it needs first
  --force               run it even when it is up to date
  --allow-outside DIR   let promptFile, skillsDir and skills resolve into DIR too (repeatable)
${LIVE_RULES_HELP}${RUN_HELP}Tasks: see \`bottle graph\`.
`;

export async function task(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('task', args, {
    ...MANIFEST_OPTIONS,
    ...RUN_OPTIONS,
    ...LIVE_RULES_OPTIONS,
    'with-deps': { type: 'boolean' },
    force: { type: 'boolean' },
    progress: { type: 'string' },
  });
  if (values.help) {
    cli.stdout(TASK_HELP);
    return 0;
  }
  const limits = runLimits(values);
  const [taskId, agent, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`bottle task takes a task and one agent, got ${positionals.length}: ${positionals.join(', ')}`);
  if (!taskId || !agent) throw new UsageError('give a task and an agent, e.g. `bottle task skills demo`; tasks: see `bottle graph`');
  const graph = upGraph();
  const def = graph.byId.get(taskId);
  if (!def) throw new UsageError(`there is no task "${taskId}"; tasks: ${graph.tasks.map((t) => t.id).join(', ')}`);
  const session = await openSession({
    file: values.file,
    stateDir: values['state-dir'],
    allowOutside: values['allow-outside'],
    agents: [agent],
    env: cli.env,
    cwd: cli.cwd,
    withSubnets: true,
    keepLiveRules: values['keep-live-rules'] ?? false,
  });
  if (sayPlacement(session, cli) > 0 || session.planned.length === 0) return 1;
  for (const line of await liveRulesNotes(session.planned.map((p) => p.plan), values['keep-live-rules'] ?? false)) cli.stderr(`${line}\n`);
  const item = def.scope === 'run' ? RUN_ITEM : session.planned[0]!.plan.slug;
  const mode = resolveMode(parseProgress(values.progress), cli.isTTY);
  // The log is the point of this command: always shown.
  const reporter = await reporterFor(mode === 'tty' ? 'plain' : mode, reporterStreams(cli), true);
  const result = await runLocked(session, graph, {
    record: true,
    limits,
    locking: lockingOf('task', args, values, cli.stderr),
    target: { item, task: taskId, withDeps: values['with-deps'] ?? false },
    force: values.force ? [taskId] : false,
    signal: cli.signal,
    onEvent: reporter.sink,
  });
  await reporter.finish(result, { logPath: (bottle, t) => logFile(session.stateRoot, bottle, t) });
  return exitCodeOf(result.status);
}
