/**
 * The base image the agent and bundle images build FROM. With
 * `BOTTLE_BASE_IMAGE` set, that image (pulled if missing). Otherwise
 * `bot-bottle/base:bookworm`, made where no registry is reachable: a
 * debootstrap minbase rootfs imported through the Engine API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { TaskError } from '../engine/index.js';
import { imageExists, importImage, pullImage } from '../docker/images.js';
import { run } from '../process/run.js';
import type { OpOptions } from '../process/op-options.js';
import { debianMirror } from './debian-mirror.js';

export { imageExists };
import { ensureDir } from '../state/root.js';

export const BUILT_BASE = 'bot-bottle/base:bookworm';

export function baseImageName(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOTTLE_BASE_IMAGE || BUILT_BASE;
}

export async function ensureBaseImage(cache: string, options: OpOptions): Promise<string> {
  const name = baseImageName();
  if (await imageExists(name)) return name;
  if (name !== BUILT_BASE) {
    await pullImage(name, options);
    return name;
  }
  const mirror = debianMirror();
  if (!mirror) {
    throw new TaskError('no Debian mirror found for debootstrap: set BOTTLE_DEBIAN_MIRROR, or BOTTLE_BASE_IMAGE to a Debian bookworm image', {
      code: 'NO_MIRROR',
    });
  }
  await ensureDir(cache);
  const rootfs = await mkdtemp(join(cache, 'rootfs-'));
  try {
    const boot = await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], options);
    if (boot.exitCode !== 0) {
      const why = boot.exitCode === -1 ? 'debootstrap is not installed (apt-get install debootstrap)' : boot.stderr.trim().split('\n').at(-1);
      throw new TaskError(`could not build the base rootfs: ${why}; or set BOTTLE_BASE_IMAGE to a Debian bookworm image`, {
        code: 'DEBOOTSTRAP_FAILED',
      });
    }
    // Not buffered: the rootfs stream (200 MB) goes only to docker's stdin.
    const tar = execa('tar', ['-C', rootfs, '-c', '.'], { cancelSignal: options.signal, reject: false, stdin: 'ignore', buffer: { stdout: false } });
    await Promise.all([importImage(tar.stdout!, BUILT_BASE, ['CMD ["bash"]'], options), tar]);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  return BUILT_BASE;
}
