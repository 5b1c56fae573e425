/**
 * `bottle claude <agent> [--detach] [--session NAME] [-- args..]`: Claude
 * Code in the agent's machine, inside a tmux session that outlives the
 * terminal (lib/sessions/tmux.ts): on a terminal it attaches to the session
 * (starting it first when there is none; Ctrl-b d detaches), with
 * `--detach` it only starts it; without a terminal (a pipe) it runs Claude
 * Code directly. `--append-system-prompt-file` is added exactly when the
 * agent's prompt is non-empty (the prompt task recorded its guest path then,
 * null otherwise).
 */
import type { KnownBottle } from '../../lib/plan/known-bottles.js';
import { DEFAULT_SESSION } from '../../lib/sessions/tmux.js';
import { recordOf } from '../../tasks/context.js';
import type { prompt as promptTask } from '../../tasks/prompt.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { attachTo, findBottle } from '../find-bottle.js';
import { parse } from '../parse.js';
import { runInSession, sessionName } from '../sessions.js';
import { UsageError } from '../usage-error.js';

export const CLAUDE_HELP = `Usage: bottle claude <agent> [--detach] [--session NAME] [-- claude args..]

Start Claude Code in the agent's bottle, in a session that outlives this
terminal: close it, or detach with Ctrl-b d, and \`bottle attach <agent>\`
finds the session again. Run again, it attaches to the running session.
  --detach         start the session and return (e.g. \`-- -p "fix the tests"\`);
                   its window stays when Claude Code ends, to be read with attach
  --session NAME   another session than "${DEFAULT_SESSION}" (letters, digits, - and _)
Without a terminal (stdout piped), Claude Code runs directly, with no session.
`;

/** The argv `bottle claude` runs in the guest, from what the bottle's records say. */
export function claudeCommand(bottle: KnownBottle, args: readonly string[]): string[] {
  const prompt = recordOf<typeof promptTask>(bottle.record, 'prompt');
  if (!prompt || (prompt.status !== 'done' && prompt.status !== 'up-to-date')) {
    throw new UsageError(`the bottle of "${bottle.plan.agent}" is not ready (its prompt task is ${prompt?.status ?? 'not run'}); run \`bottle up ${bottle.plan.agent}\``);
  }
  const path = prompt.output?.path ?? null;
  return ['claude', '--dangerously-skip-permissions', ...(path ? ['--append-system-prompt-file', path] : []), ...args];
}

export async function claude(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('claude', args, { ...COMMON_OPTIONS, detach: { type: 'boolean' }, session: { type: 'string' } });
  if (values.help) {
    cli.stdout(CLAUDE_HELP);
    return 0;
  }
  const [agent, ...rest] = positionals;
  const name = sessionName(values.session);
  const bottle = await findBottle(cli, agent, values.file, values['state-dir']);
  const command = claudeCommand(bottle, rest);
  // Without a terminal (a pipe), no session: Claude Code's output goes where this process's goes.
  if (!values.detach && !cli.isTTY) return attachTo(bottle, command, cli);
  return runInSession(bottle, name, command, values.detach ?? false, 'Claude Code', cli);
}
