/**
 * What `bottle claude`, `bottle exec --session`, `bottle attach` and `bottle
 * status` share about sessions (lib/sessions/tmux.ts): the name option, a
 * command run in the agent machine without a terminal, and running a
 * command in a session, attached or `--detach`ed.
 */
import { backendOfBottle } from './bottle-backend.js';
import type { ExecResult } from '../lib/backends/types.js';
import type { KnownBottle } from '../lib/plan/known-bottles.js';
import { attachOrStart, DEFAULT_SESSION, hasSession, SESSION_NAME, startDetached } from '../lib/sessions/tmux.js';
import type { CliContext } from './context.js';
import { attachTo } from './find-bottle.js';
import { UsageError } from './usage-error.js';
import { markSession } from '../lib/state/session-marks.js';
import { bottleFiles } from '../lib/state/layout.js';

/**
 * `argv` in the session `name`: on a terminal, attached (to the running one
 * if there is one); with `detach`, started and left; its exit code.
 * `what` names the command in what is said (`Claude Code`).
 */
export async function runInSession(bottle: KnownBottle, name: string, argv: readonly string[], detach: boolean, what: string, cli: CliContext): Promise<number> {
  const agent = bottle.plan.agent;
  const attachHint = `\`bottle attach ${agent}${name === DEFAULT_SESSION ? '' : ` --session ${name}`}\``;
  const mark = () => markSession(bottleFiles(bottle.plan.stateDir).sessions, name, argv, new Date());
  if (!detach) {
    if (!cli.isTTY) throw new UsageError('a session needs a terminal (stdout is not one); give --detach, or run it in a terminal');
    await mark();
    return attachTo(bottle, attachOrStart(name, argv), cli);
  }
  if ((await execIn(bottle, hasSession(name))).exitCode === 0) {
    cli.stderr(`bottle: agent "${agent}" has a session "${name}" already; ${attachHint} to it, or name another with --session\n`);
    return 1;
  }
  const started = await execIn(bottle, startDetached(name, argv));
  if (started.exitCode !== 0) {
    cli.stderr(`bottle: could not start the session "${name}" in agent "${agent}": ${started.stderr.trim() || `tmux exited ${started.exitCode}`}\n`);
    return 1;
  }
  await mark();
  cli.stdout(`started ${what} in session "${name}" of agent "${agent}"; ${attachHint} to watch it (Ctrl-b d detaches)\n`);
  return 0;
}

export function sessionName(given: string | undefined): string {
  if (given === undefined) return DEFAULT_SESSION;
  if (!SESSION_NAME.test(given)) throw new UsageError(`--session: expected a name of letters, digits, - and _ (at most 64), got ${JSON.stringify(given)}`);
  return given;
}

/** argv in the bottle's agent machine, as its user, in its workspace, output captured. */
export async function execIn(bottle: KnownBottle, argv: readonly string[]): Promise<ExecResult> {
  const { plan } = bottle;
  return (await backendOfBottle(plan)).exec(plan.machine, argv, { user: plan.user, cwd: plan.guestWorkspace });
}
