/**
 * A runner for `bottle up --dry-run` on smolvm: it runs nothing and hands
 * every command that would change something to `onCommand`, in order. Probes
 * get plausible answers in smolvm's own words: at first no machine exists;
 * a recorded create, start, stop or delete changes what later probes see, so
 * the backend walks the same path a first real run would. `docker image
 * inspect` is asked for real (it changes nothing); an image Docker does not
 * have yet is taken as present with a placeholder id of zeros (the image tasks
 * build it before any machine starts).
 */
import { basename } from 'node:path';
import type { RunResult } from '../../process/run.js';
import { cliTransport } from './cli.js';
import { createSmolvmBackend } from './backend.js';
import { realRunner, type Runner } from './runner.js';
import type { Backend } from '../types.js';

export type CommandSink = (file: string, args: readonly string[]) => void;

const ok = (stdout = ''): RunResult => ({ exitCode: 0, stdout, stderr: '', cancelled: false });
const failed = (stderr: string): RunResult => ({ exitCode: 1, stdout: '', stderr, cancelled: false });

export function recordingRunner(onCommand: CommandSink, probe: Runner = realRunner): Runner {
  const machines = new Map<string, { state: string; labels: Record<string, string> }>();
  const status = (name: string) => ({ name, state: machines.get(name)!.state, created_at: 0, labels: machines.get(name)!.labels });

  return async (file, args) => {
    const [group, verb] = args;
    if (basename(file) === 'docker' && group === 'image' && verb === 'inspect') {
      const found = await probe(file, args, { echo: false });
      return found.exitCode === 0 ? found : ok(`sha256:${'0'.repeat(64)}`);
    }
    if (group !== 'machine') {
      onCommand(file, args);
      return ok();
    }
    const at = args.indexOf('--name');
    const name = at >= 0 ? args[at + 1]! : '';
    if (verb === 'ls') return ok(JSON.stringify([...machines.keys()].map(status)));
    if (verb === 'status') {
      return machines.has(name) ? ok(JSON.stringify(status(name))) : failed(`Error: config operation failed: machine status: machine '${name}' not found`);
    }
    onCommand(file, args);
    if (verb === 'create') {
      const labels = Object.fromEntries(args.flatMap((a, i) => (args[i - 1] === '--label' ? [a.split(/=(.*)/s).slice(0, 2)] : [])));
      machines.set(name, { state: 'created', labels });
    } else if (verb === 'start' && machines.has(name)) machines.get(name)!.state = 'running';
    else if (verb === 'stop' && machines.has(name)) machines.get(name)!.state = 'stopped';
    else if (verb === 'delete') machines.delete(name);
    else if (verb === 'exec' && args[args.indexOf('--') + 1] === 'id') {
      const user = args.at(-1)!;
      return ok(`uid=1000(${user}) gid=1000(${user}) groups=1000(${user})\n`);
    }
    return ok();
  };
}

/**
 * The smolvm backend as `bottle up --dry-run` uses it: the CLI transport on a
 * recording runner. Image archives are looked for where a real run keeps them,
 * so an archive already made shows as reused.
 */
export function dryRunSmolvmBackend(onCommand: CommandSink): Backend {
  const runner = recordingRunner(onCommand);
  return createSmolvmBackend({ transport: cliTransport({ runner }), runner });
}
