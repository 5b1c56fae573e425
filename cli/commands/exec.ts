/** `bottle exec <agent> -- cmd..`: run a command in the agent's machine, as its user, in its workspace. */
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { attachTo, findBottle } from '../find-bottle.js';
import { parse } from '../parse.js';
import { UsageError } from '../usage-error.js';

export async function exec(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('exec', args, COMMON_OPTIONS);
  if (values.help) {
    cli.stdout('Usage: bottle exec <agent> -- command [args..]\n\nRun a command in the agent\'s machine; exits with its exit code.\n');
    return 0;
  }
  const [agent, ...command] = positionals;
  if (command.length === 0) throw new UsageError('give the command after `--`, e.g. `bottle exec demo -- git status`');
  return attachTo(await findBottle(cli, agent, values.file, values['state-dir']), command, cli);
}
