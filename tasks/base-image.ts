/** The base image our images build FROM (debootstrap + docker import where no registry is reachable). */
import { baseImageName, ensureBaseImage, imageExists } from '../lib/images/base-image.js';
import { op, runTask } from './context.js';

export interface BaseImageOutput {
  image: string;
}

export const baseImage = runTask<BaseImageOutput>({
  id: 'base-image',
  title: 'Base image',
  resources: ['docker-build'],
  retry: { attempts: 2 },
  fingerprint: () => ({ image: baseImageName() }),
  isDone: (_ctx, out, signal) => imageExists(out.image, { signal }),
  run: async (ctx, io) => ({ image: await ensureBaseImage(ctx.cacheDir, op(io)) }),
});
