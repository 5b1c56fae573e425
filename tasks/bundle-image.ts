/** The bundle image (images/bundle): Node and our compiled daemons. */
import { IMAGE_BUILD } from '../lib/limits/names.js';
import { imageInputs } from '../lib/images/ours.js';
import { baseImage } from './base-image.js';
import type { ImageOutput } from './agent-image.js';
import { op, runTask } from './context.js';

export const bundleImage = runTask({
  id: 'bundle-image',
  title: 'Bundle image',
  summary: 'images/bundle: Node, git and the bundled daemons',
  needs: [baseImage],
  resources: [IMAGE_BUILD],
  retry: { attempts: 2 },
  fingerprint: () => imageInputs('bundle'),
  run: async (ctx, io): Promise<ImageOutput> => ({ image: await ctx.images.ours('bundle', io.needs['base-image'].image, op(io)) }),
  isDone: (ctx, out, signal) => ctx.images.exists(out.image, { signal }),
});
