/** The agent image (images/agent): git, curl, CA store, Node and the real Claude Code, for the engine's platform (lib/images/platform.ts). */
import { IMAGE_BUILD } from '../lib/limits/names.js';
import { imageInputs } from '../lib/images/ours.js';
import { baseImage } from './base-image.js';
import { op, runTask } from './context.js';

export interface ImageOutput {
  image: string;
}

export const agentImage = runTask({
  id: 'agent-image',
  title: 'Agent image',
  summary: 'images/agent: git, curl, Node and Claude Code',
  needs: [baseImage],
  resources: [IMAGE_BUILD],
  retry: { attempts: 2 },
  fingerprint: () => imageInputs('agent'),
  run: async (ctx, io): Promise<ImageOutput> => ({ image: await ctx.images.ours('agent', io.needs['base-image'].image, op(io)) }),
  isDone: (ctx, out, signal) => ctx.images.exists(out.image, { signal }),
});
