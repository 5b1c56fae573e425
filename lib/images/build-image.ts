/**
 * Builds one of our images (images/<name>/Dockerfile) unless an image with the
 * same content hash is already there. The tag carries the hash, so a changed
 * Dockerfile or context gives a new image and the bottles using it restart.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildImage as buildContext, imageExists } from '../docker/images.js';
import type { OpOptions } from '../process/op-options.js';
import { hash } from '../engine/index.js';
import { packageRoot } from './paths.js';
import { ensureDir } from '../state/root.js';

export interface ImageBuild {
  /** images/<name>/Dockerfile; the image is `bot-bottle/<name>:<hash>`. */
  name: 'agent' | 'bundle';
  base: string;
  /** Directories copied into the build context, by their name there. */
  context: Record<string, string>;
  /** What else decides the content (versions, file hashes). */
  inputs: unknown;
}

export async function dockerfileHash(name: ImageBuild['name']): Promise<string> {
  return hash(await readFile(join(packageRoot(), 'images', name, 'Dockerfile'), 'utf8'));
}

export async function imageTag(build: ImageBuild): Promise<string> {
  const dockerfile = await dockerfileHash(build.name);
  return `bot-bottle/${build.name}:${hash(JSON.stringify([dockerfile, build.base, build.inputs])).slice(0, 12)}`;
}

export async function buildImage(build: ImageBuild, cache: string, options: OpOptions): Promise<string> {
  const tag = await imageTag(build);
  if (await imageExists(tag)) return tag;
  await ensureDir(cache);
  const context = await mkdtemp(join(cache, `context-${build.name}-`));
  try {
    await cp(join(packageRoot(), 'images', build.name), context, { recursive: true });
    for (const [name, source] of Object.entries(build.context)) await cp(source, join(context, name), { recursive: true });
    await buildContext(context, tag, { buildargs: { BASE: build.base }, labels: { 'bot-bottle.image': build.name } }, options);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return tag;
}
