/**
 * `bottle exec <agent> [--session NAME [--detach]] -- cmd..`: run a command in
 * the agent's machine, as its user, in its workspace; with `--session`, in a
 * tmux session that outlives the terminal (a dev server, a long build), as
 * `bottle claude` runs Claude Code (cli/sessions.ts).
 */
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { attachTo, findBottle } from '../find-bottle.js';
import { parse } from '../parse.js';
import { runInSession, sessionName } from '../sessions.js';
import { UsageError } from '../usage-error.js';

export const EXEC_HELP = `Usage: bottle exec <agent> [--session NAME [--detach]] -- command [args..]

Run a command in the agent's machine; exits with its exit code.
  --session NAME   run it in a session that outlives this terminal (Ctrl-b d
                   detaches; \`bottle attach <agent> --session NAME\` comes back)
  --detach         with --session: start it and return
`;

export async function exec(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('exec', args, { ...COMMON_OPTIONS, session: { type: 'string' }, detach: { type: 'boolean' } });
  if (values.help) {
    cli.stdout(EXEC_HELP);
    return 0;
  }
  const [agent, ...command] = positionals;
  if (command.length === 0) throw new UsageError('give the command after `--`, e.g. `bottle exec demo -- git status`');
  if (values.detach && values.session === undefined) throw new UsageError('--detach runs the command in a session: give --session NAME too');
  const bottle = await findBottle(cli, agent, values.file, values['state-dir']);
  if (values.session === undefined) return attachTo(bottle, command, cli);
  return runInSession(bottle, sessionName(values.session), command, values.detach ?? false, `\`${command.join(' ').slice(0, 60)}\``, cli);
}
