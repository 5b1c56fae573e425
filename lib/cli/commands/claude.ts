/**
 * `bottle claude <agent> [-- args..]`: Claude Code in the agent's machine.
 * `--append-system-prompt-file` is added exactly when the agent's prompt is
 * non-empty (the prompt task recorded its guest path then, null otherwise).
 */
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { findBottle } from '../find-bottle.js';
import { parse } from '../parse.js';
import { UsageError } from '../usage-error.js';

export function claudeArgv(promptPath: string | null, args: readonly string[]): string[] {
  return ['claude', '--dangerously-skip-permissions', ...(promptPath ? ['--append-system-prompt-file', promptPath] : []), ...args];
}

export async function claude(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('claude', args, COMMON_OPTIONS);
  if (values.help) {
    cli.stdout('Usage: bottle claude <agent> [-- claude args..]\n\nStart Claude Code in the agent\'s bottle.\n');
    return 0;
  }
  const [agent, ...rest] = positionals;
  const bottle = await findBottle(cli, agent, values.file, values['state-dir']);
  const prompt = bottle.record?.tasks.prompt;
  if (!prompt || (prompt.status !== 'done' && prompt.status !== 'up-to-date')) {
    throw new UsageError(`the bottle of "${bottle.plan.agent}" is not ready (its prompt task is ${prompt?.status ?? 'not run'}); run \`bottle up ${bottle.plan.agent}\``);
  }
  const path = (prompt.output as { path: string | null } | undefined)?.path ?? null;
  const { backendFor } = await import('../../backends/registry.js');
  const { plan } = bottle;
  return backendFor(plan.backend).attach(plan.machine, claudeArgv(path, rest), { user: plan.user, cwd: plan.guestWorkspace, tty: cli.isTTY });
}
