/** The base image our images build FROM (debootstrap + docker import where no registry is reachable). */
import { IMAGE_BUILD } from '../lib/limits/names.js';
import { baseImageName } from '../lib/images/base-image.js';
import { op, runTask } from './context.js';

export interface BaseImageOutput {
  image: string;
}

export const baseImage = runTask({
  id: 'base-image',
  title: 'Base image',
  summary: 'the base our images build FROM (a debootstrap rootfs, or BOTTLE_BASE_IMAGE)',
  resources: [IMAGE_BUILD],
  retry: { attempts: 2 },
  fingerprint: () => ({ image: baseImageName() }),
  run: async (ctx, io): Promise<BaseImageOutput> => ({ image: await ctx.images.base(op(io)) }),
  isDone: (ctx, out, signal) => ctx.images.exists(out.image, { signal }),
});
