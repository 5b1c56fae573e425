/** The bundle image (images/bundle): Node and our compiled daemons. */
import { IMAGE_BUILD } from '../lib/images/images.js';
import { imageInputs } from '../lib/images/ours.js';
import type { BaseImageOutput } from './base-image.js';
import type { ImageOutput } from './agent-image.js';
import { op, runTask } from './context.js';

export const bundleImage = runTask<ImageOutput>({
  id: 'bundle-image',
  title: 'Bundle image',
  needs: ['base-image'],
  resources: [IMAGE_BUILD],
  retry: { attempts: 2 },
  fingerprint: () => imageInputs('bundle'),
  isDone: (ctx, out, signal) => ctx.images.exists(out.image, { signal }),
  run: async (ctx, io) => ({ image: await ctx.images.ours('bundle', (io.needs['base-image'] as BaseImageOutput).image, op(io)) }),
});
