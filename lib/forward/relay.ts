/**
 * The guest half of `bottle port`: a few lines of Node the agent's image
 * runs (`node -e`) for one connection, joining its stdin and stdout to a TCP
 * connection to the guest's own 127.0.0.1:<port>. The end of its stdin ends
 * the connection's sending side; it exits when the connection closes, and
 * says on stderr why it could not connect. It opens nothing but that one
 * connection inside the guest: no listener, no way out of the bottle.
 */

/** In every relay's command line, so a relay can be told from the agent's own processes. */
export const RELAY_MARK = 'bottle-port-relay';

const RELAY = [
  `/*${RELAY_MARK}*/`,
  "const port = Number(process.argv[1]);",
  "const s = require('net').connect(port, '127.0.0.1');",
  'process.stdin.pipe(s);',
  // Not ended by pipe (stdout never is); writes to a pipe are synchronous, so exiting loses nothing.
  's.pipe(process.stdout);',
  "s.on('error', (e) => { process.stderr.write('cannot connect to 127.0.0.1:' + port + ' in the guest: ' + e.message + '\\n'); process.exit(1); });",
  "s.on('close', () => process.exit(0));",
].join('\n');

/** argv of one relay to `port` in the guest. */
export function relayArgv(port: number): string[] {
  return ['node', '-e', RELAY, String(port)];
}
