/**
 * What the image tasks ask for, injected through the run's environment:
 * `builtImages` makes images for real (a base from debootstrap or a registry,
 * then our Dockerfiles); `namedImages` only names what a real run would make,
 * for dry runs that must build nothing.
 */
import type { OpOptions } from '../process/op-options.js';
import { baseImageName, ensureBaseImage, imageExists } from './base-image.js';
import { buildImage, imageTag } from './build-image.js';
import { ensureClaudeCode } from './claude-code.js';
import { imageBuild, type OurImage } from './ours.js';
import { enginePlatform } from './platform.js';

export interface Images {
  /** The base our images build FROM. */
  base(options: OpOptions): Promise<string>;
  /** One of our images, FROM `base`. */
  ours(name: OurImage, base: string, options: OpOptions): Promise<string>;
  exists(image: string, options: OpOptions): Promise<boolean>;
}

export function builtImages(cacheDir: string): Images {
  return {
    base: (options) => ensureBaseImage(cacheDir, options),
    ours: async (name, base, options) => {
      if (name !== 'agent') return buildImage(await imageBuild(name, base), cacheDir, options);
      // Built already: no Claude Code install needed.
      const tag = await imageTag(await imageBuild(name, base));
      if (await imageExists(tag, options)) return tag;
      // Claude Code for the platform of the engine that builds the image (this scope's), not the host's.
      const claudeCode = await ensureClaudeCode(cacheDir, await enginePlatform(options), options);
      return buildImage(await imageBuild(name, base, claudeCode), cacheDir, options);
    },
    exists: imageExists,
  };
}

export const namedImages: Images = {
  base: async () => baseImageName(),
  ours: async (name, base) => imageTag(await imageBuild(name, base)),
  exists: async () => false,
};
