/**
 * docker-compose for one project of the bench: up, down, and what of the
 * project is still on dockerd (by compose's own project label). The binary
 * is `docker-compose` (BENCH_COMPOSE names another, e.g. a newer one).
 */
import { mustRun, timed, type Timed } from './timing.js';

export const COMPOSE = process.env.BENCH_COMPOSE || 'docker-compose';
const PROJECT_LABEL = 'com.docker.compose.project';

export class ComposeProject {
  constructor(
    readonly name: string,
    readonly file: string,
  ) {}

  #args(rest: string[]): string[] {
    return ['--project-name', this.name, '--file', this.file, ...rest];
  }

  /** Checks the file as compose reads it, without touching dockerd's objects. */
  validate(): Promise<Timed> {
    return mustRun(COMPOSE, this.#args(['config', '--quiet']));
  }

  up(signal?: AbortSignal): Promise<Timed> {
    return mustRun(COMPOSE, this.#args(['up', '--detach']), signal ? { signal } : {});
  }

  down(): Promise<Timed> {
    return mustRun(COMPOSE, this.#args(['down', '--volumes', '--remove-orphans', '--timeout', '0']));
  }

  /** What of the project dockerd still has: container ids (with state), network and volume names. */
  async leftovers(): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
    const filter = ['--filter', `label=${PROJECT_LABEL}=${this.name}`];
    const lines = async (args: string[]) => (await mustRun('docker', args)).stdout.split('\n').filter(Boolean);
    return {
      containers: await lines(['ps', '--all', ...filter, '--format', '{{.ID}} {{.Names}} {{.State}}']),
      networks: await lines(['network', 'ls', ...filter, '--format', '{{.Name}}']),
      volumes: await lines(['volume', 'ls', ...filter, '--format', '{{.Name}}']),
    };
  }

  /** Removes whatever of the project is left, without compose (the last resort of the cleanup). */
  async sweep(): Promise<void> {
    const left = await this.leftovers();
    const ids = left.containers.map((l) => l.split(' ')[0]!);
    if (ids.length > 0) await timed('docker', ['rm', '--force', '--volumes', ...ids]);
    for (const n of left.networks) await timed('docker', ['network', 'rm', n]);
    if (left.volumes.length > 0) await timed('docker', ['volume', 'rm', '--force', ...left.volumes]);
  }
}

export async function composeVersion(): Promise<string> {
  return (await mustRun(COMPOSE, ['version', '--short'])).stdout.trim();
}
