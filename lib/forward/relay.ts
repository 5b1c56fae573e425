/**
 * The guest half of `bottle port`: images/guest/port-relay.cjs, a few lines
 * of Node the agent's image runs (`node -e`, so no file goes into the guest)
 * for one connection, joining its stdin and stdout to a TCP connection to
 * the guest's own 127.0.0.1:<port>. It opens nothing but that one
 * connection inside the guest: no listener, no way out of the bottle. Its
 * first line, `/*bottle-port-relay*\/`, tells a relay from the agent's own
 * processes in a process list. This
 * module only reads the program (once) and makes its argv.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../images/paths.js';

let program: string | undefined;

/** argv of one relay to `port` in the guest. */
export function relayArgv(port: number): string[] {
  program ??= readFileSync(join(packageRoot(), 'images', 'guest', 'port-relay.cjs'), 'utf8');
  return ['node', '-e', program, String(port)];
}
