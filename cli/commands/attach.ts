/**
 * `bottle attach <agent> [--session NAME]`: back into the tmux session
 * `bottle claude` started in the agent's machine (lib/sessions/tmux.ts), on
 * this terminal; Ctrl-b d detaches again and leaves it running.
 */
import { attach as attachArgv, DEFAULT_SESSION, hasSession } from '../../lib/sessions/tmux.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { attachTo, findBottle } from '../find-bottle.js';
import { parse } from '../parse.js';
import { execIn, sessionName } from '../sessions.js';
import { UsageError } from '../usage-error.js';

export const ATTACH_HELP = `Usage: bottle attach <agent> [--session NAME]

Attach this terminal to the session \`bottle claude\` started in the agent's
machine ("${DEFAULT_SESSION}" unless --session names another). Ctrl-b d detaches
and leaves it running; \`bottle status --probe\` lists the sessions.
`;

export async function attach(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('attach', args, { ...COMMON_OPTIONS, session: { type: 'string' } });
  if (values.help) {
    cli.stdout(ATTACH_HELP);
    return 0;
  }
  const [agent, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`bottle attach takes one agent, got also ${extra.map((e) => JSON.stringify(e)).join(', ')}`);
  const name = sessionName(values.session);
  if (!cli.isTTY) throw new UsageError('bottle attach needs a terminal (stdout is not one); run it in a terminal');
  const bottle = await findBottle(cli, agent, values.file, values['state-dir']);
  if ((await execIn(bottle, hasSession(name))).exitCode !== 0) {
    cli.stderr(`bottle: agent "${bottle.plan.agent}" has no session "${name}"; start one with \`bottle claude ${bottle.plan.agent}\`\n`);
    return 1;
  }
  return attachTo(bottle, attachArgv(name), cli);
}
