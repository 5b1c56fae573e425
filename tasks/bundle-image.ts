/** The bundle image (images/bundle): Node and our compiled daemons. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TaskError } from '../lib/engine/index.js';
import { imageExists } from '../lib/images/base-image.js';
import { buildImage, dockerfileHash, imageTag, type ImageBuild } from '../lib/images/build-image.js';
import { packageRoot } from '../lib/images/paths.js';
import { hashTree } from '../lib/fs/hash-tree.js';
import type { BaseImageOutput } from './base-image.js';
import type { ImageOutput } from './agent-image.js';
import { op, runTask } from './context.js';

function daemonsDir(): string {
  const dir = join(packageRoot(), 'dist', 'daemons');
  if (!existsSync(join(dir, 'egress', 'main.js'))) {
    throw new TaskError(`the compiled daemons are missing (${dir}); run \`npm run build\` in ${packageRoot()}`, { code: 'NOT_BUILT' });
  }
  return dir;
}

export const bundleImage = runTask<ImageOutput>({
  id: 'bundle-image',
  title: 'Bundle image',
  needs: ['base-image'],
  resources: ['docker-build'],
  retry: { attempts: 2 },
  fingerprint: async () => ({ dockerfile: await dockerfileHash('bundle'), daemons: await hashTree(daemonsDir()) }),
  isDone: (_ctx, out, signal) => imageExists(out.image, { signal }),
  run: async (ctx, io) => {
    const build = await spec((io.needs['base-image'] as BaseImageOutput).image);
    return { image: await buildImage(build, ctx.cacheDir, op(io)) };
  },
});

/** The tag a build from `base` gets, without building (dry runs). */
export async function plannedBundleImage(base: string): Promise<string> {
  return imageTag(await spec(base));
}

async function spec(base: string): Promise<ImageBuild> {
  const dir = daemonsDir();
  return { name: 'bundle', base, context: { daemons: dir }, inputs: await hashTree(dir) };
}
