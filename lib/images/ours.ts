/**
 * Our two images as builds: the agent (images/agent, with Claude Code from
 * the host's npm cache) and the bundle (images/bundle, with the compiled
 * daemons), and the inputs that decide their content (a change means a new
 * tag). It builds nothing itself (build-image.ts does).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TaskError } from '../engine/index.js';
import { hashTree } from '../fs/hash-tree.js';
import { dockerfileHash, type ImageBuild } from './build-image.js';
import { claudeCodeVersion } from './claude-code.js';
import { packageRoot } from './paths.js';

export type OurImage = ImageBuild['name'];

/** What the image's content depends on, besides its base. */
export async function imageInputs(name: OurImage): Promise<Record<string, string>> {
  const dockerfile = await dockerfileHash(name);
  return name === 'agent' ? { dockerfile, claudeCode: claudeCodeVersion() } : { dockerfile, daemons: await hashTree(daemonsDir()) };
}

/** The build of `name` FROM `base`; `claudeCode`: the host install prefix (the agent's only; '' when only naming it). */
export async function imageBuild(name: OurImage, base: string, claudeCode = ''): Promise<ImageBuild> {
  if (name === 'agent') {
    const context: Record<string, string> = claudeCode ? { 'claude-code': join(claudeCode, 'node_modules', '@anthropic-ai', 'claude-code') } : {};
    return { name, base, context, inputs: { claudeCode: claudeCodeVersion() } };
  }
  const dir = daemonsDir();
  return { name, base, context: { daemons: dir }, inputs: await hashTree(dir) };
}

/** The bundle's daemons, bundled by esbuild into one file each (`npm run build`). */
function daemonsDir(): string {
  const dir = join(packageRoot(), 'dist', 'bundle-image');
  if (!existsSync(join(dir, 'daemons.cjs'))) {
    throw new TaskError(`the compiled daemons are missing (${dir}); run \`npm run build\` in ${packageRoot()}`, { code: 'NOT_BUILT' });
  }
  return dir;
}
