/**
 * `bottle port <agent> <guest port> [--host-port N]`: a dev server in the
 * agent's machine, previewed from the host. Listens on the host's 127.0.0.1
 * only (port N, or a free one it prints) and carries each connection to the
 * guest's own 127.0.0.1:<guest port> through the backend's exec channel
 * (lib/forward/), so the agent's network gets no way out. Runs until Ctrl-C,
 * then closes the listener and stops every relay in the guest.
 */
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { findBottle } from '../find-bottle.js';
import { backendOfRunning } from '../running-machine.js';
import { parse } from '../parse.js';
import { UsageError } from '../usage-error.js';

export const PORT_HELP = `Usage: bottle port <agent> <guest port> [--host-port N]

Forward 127.0.0.1:N on this host to <guest port> on the agent machine's own 127.0.0.1,
until Ctrl-C: a dev server in the bottle, previewed from the host. Each connection
runs a small relay in the guest (with its \`node\`); the agent's network is not opened.
      --host-port N   the host port (default: a free one, printed)
`;

export async function port(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('port', args, { ...COMMON_OPTIONS, 'host-port': { type: 'string' } });
  if (values.help) {
    cli.stdout(PORT_HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`bottle port takes an agent and a guest port, e.g. \`bottle port demo 3000\`; got ${positionals.length} argument(s)`);
  const [agent, guestPortText] = positionals as [string, string];
  const guestPort = portNumber('the guest port', guestPortText);
  const hostPort = values['host-port'] === undefined ? 0 : portNumber('--host-port', values['host-port']);
  const bottle = await findBottle(cli, agent, values.file, values['state-dir']);
  const { plan } = bottle;
  const backend = await backendOfRunning(bottle, cli.signal);
  const { forwardPort, ForwardError } = await import('../../lib/forward/forward-port.js');
  const { relayArgv } = await import('../../lib/forward/relay.js');
  try {
    await forwardPort({
      openRelay: () => backend.execStream(plan.machine, relayArgv(guestPort), { user: plan.user }),
      hostPort,
      signal: cli.signal,
      onListening: (p) => cli.stdout(`forwarding 127.0.0.1:${p} -> ${agent}:${guestPort}; Ctrl-C to stop\n`),
      onProblem: (message) => cli.stderr(`bottle: ${agent}:${guestPort}: ${message}\n`),
    });
  } catch (error) {
    if (error instanceof ForwardError && error.code === 'PORT_TAKEN') throw new UsageError(error.message);
    throw error;
  }
  return 0;
}

function portNumber(name: string, text: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new UsageError(`${name} must be a port number from 1 to 65535, got "${text}"`);
  return n;
}
