/** The base image our images build FROM: BOTTLE_BASE_IMAGE, else debian:bookworm-slim (present or pulled), else debootstrap + docker import where no registry answers; its log says which and why. */
import { IMAGE_BUILD } from '../lib/limits/names.js';
import { baseImageName } from '../lib/images/base-image.js';
import { op, runTask } from './context.js';

export interface BaseImageOutput {
  image: string;
}

export const baseImage = runTask({
  id: 'base-image',
  title: 'Base image',
  summary: 'the base our images build FROM (BOTTLE_BASE_IMAGE, debian:bookworm-slim, or a debootstrap rootfs)',
  resources: [IMAGE_BUILD],
  retry: { attempts: 2 },
  fingerprint: () => ({ image: baseImageName() }),
  run: async (ctx, io): Promise<BaseImageOutput> => ({ image: await ctx.images.base(op(io)) }),
  isDone: (ctx, out, signal) => ctx.images.exists(out.image, { signal }),
});
