/**
 * The bridge from our Docker-built images to smolvm, which boots a `docker
 * save` archive given to `--image` [src/data/image_source.rs]. An image Docker
 * has locally becomes `<dir>/<repo>-<id12>.tar`, made once (concurrent callers
 * share the work; the archive appears by rename, so a crash leaves none), of
 * a variant whose default user is root: smolvm's exec has no user flag and
 * runs as the image's user, and the backend needs root to reach every other
 * user (guest.ts). Older archives of the same repository are removed. An image
 * Docker does not have is a registry reference smolvm pulls itself. Every
 * command goes through the runner, so a dry run records them.
 */
import { dockerBinary } from '../../docker/binary.js';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../../engine/index.js';
import type { OpOptions } from '../types.js';
import type { Runner } from './runner.js';

export interface ImageBridge {
  /** What to give smolvm's `--image` for this image. */
  resolve(image: string, options: OpOptions): Promise<string>;
}

export interface ImageBridgeOptions {
  runner: Runner;
  /** Where archives are kept. */
  dir: string;
  docker?: string;
}

/** smolvm reads these as local sources [src/data/image_source.rs]. */
export function isLocalImage(image: string): boolean {
  return /^(\/|\.\/|\.\.\/)/.test(image) || image === '-' || /\.(tar|tar\.gz|tgz)$/.test(image);
}

export function archiveName(image: string, id: string): string {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${repo}-${id.replace(/^sha256:/, '').slice(0, 12)}.tar`;
}

export function dockerImageBridge(options: ImageBridgeOptions): ImageBridge {
  const docker = options.docker ?? dockerBinary();
  const pending = new Map<string, Promise<string>>();

  async function dockerOk(args: string[], op: OpOptions, extra: { input?: string; env?: Record<string, string> } = {}): Promise<void> {
    const result = await options.runner(docker, args, { ...op, ...extra });
    if (result.exitCode !== 0) {
      const said = result.stderr.trim().split('\n').at(-1) ?? '';
      throw new TaskError(`docker ${args[0]} failed (exit ${result.exitCode}) while making a smolvm image archive: ${said}`, { code: 'IMAGE_ARCHIVE_FAILED' });
    }
  }

  async function save(image: string, id: string, archive: string, op: OpOptions): Promise<string> {
    await mkdir(options.dir, { recursive: true });
    const variant = `bot-bottle/smolvm-root:${id.replace(/^sha256:/, '').slice(0, 12)}`;
    await dockerOk(['build', '--tag', variant, '-'], op, { input: `FROM ${id}\nUSER root\n`, env: { DOCKER_BUILDKIT: '0' } });
    const partial = `${archive}.partial`;
    await dockerOk(['save', '--output', partial, variant], op);
    // A recording runner (a dry run) wrote nothing: nothing to rename, nothing superseded.
    if (existsSync(partial)) {
      await rename(partial, archive);
      await removeOlder(archiveName(image, id), options.dir);
    }
    return archive;
  }

  return {
    async resolve(image, op) {
      if (isLocalImage(image)) return image;
      const inspect = await options.runner(docker, ['image', 'inspect', '--format', '{{.Id}}', image], { ...op, echo: false, log: undefined });
      if (inspect.exitCode !== 0) {
        op.log?.(`${image} is not a local Docker image; smolvm pulls it from its registry`);
        return image;
      }
      const id = inspect.stdout.trim();
      const archive = join(options.dir, archiveName(image, id));
      if (existsSync(archive)) return archive;
      let work = pending.get(archive);
      if (!work) {
        work = save(image, id, archive, op).finally(() => pending.delete(archive));
        pending.set(archive, work);
      }
      return work;
    },
  };
}

/** Archives of the same repository as `kept`, made for images since replaced. */
async function removeOlder(kept: string, dir: string): Promise<void> {
  const repo = kept.replace(/-[0-9a-f]{12}\.tar$/, '-');
  for (const name of await readdir(dir)) {
    if (name !== kept && name.startsWith(repo) && /^[0-9a-f]{12}\.tar$/.test(name.slice(repo.length))) await rm(join(dir, name), { force: true });
  }
}
