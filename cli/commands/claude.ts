/**
 * `bottle claude <agent> [-- args..]`: Claude Code in the agent's machine.
 * `--append-system-prompt-file` is added exactly when the agent's prompt is
 * non-empty (the prompt task recorded its guest path then, null otherwise).
 */
import type { KnownBottle } from '../../lib/plan/known-bottles.js';
import { recordOf } from '../../tasks/context.js';
import type { prompt as promptTask } from '../../tasks/prompt.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { attachTo, findBottle } from '../find-bottle.js';
import { parse } from '../parse.js';
import { UsageError } from '../usage-error.js';

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
  const { values, positionals } = parse('claude', args, COMMON_OPTIONS);
  if (values.help) {
    cli.stdout('Usage: bottle claude <agent> [-- claude args..]\n\nStart Claude Code in the agent\'s bottle.\n');
    return 0;
  }
  const [agent, ...rest] = positionals;
  const bottle = await findBottle(cli, agent, values.file, values['state-dir']);
  return attachTo(bottle, claudeCommand(bottle, rest), cli);
}
