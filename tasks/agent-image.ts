/** The agent image (images/agent): git, curl, CA store, Node and the real Claude Code. */
import { join } from 'node:path';
import { imageExists } from '../lib/images/base-image.js';
import { buildImage, dockerfileHash, imageTag, type ImageBuild } from '../lib/images/build-image.js';
import { claudeCodeVersion, ensureClaudeCode } from '../lib/images/claude-code.js';
import type { BaseImageOutput } from './base-image.js';
import { op, runTask } from './context.js';

export interface ImageOutput {
  image: string;
}

export const agentImage = runTask<ImageOutput>({
  id: 'agent-image',
  title: 'Agent image',
  needs: ['base-image'],
  resources: ['docker-build'],
  retry: { attempts: 2 },
  fingerprint: async () => ({ dockerfile: await dockerfileHash('agent'), claudeCode: claudeCodeVersion() }),
  isDone: (_ctx, out, signal) => imageExists(out.image, { signal }),
  run: async (ctx, io) => {
    const base = (io.needs['base-image'] as BaseImageOutput).image;
    const prefix = await ensureClaudeCode(ctx.cacheDir, op(io));
    return { image: await buildImage(spec(base, prefix), ctx.cacheDir, op(io)) };
  },
});

/** The tag a build from `base` gets, without building (dry runs). */
export function plannedAgentImage(base: string): Promise<string> {
  return imageTag(spec(base, ''));
}

function spec(base: string, prefix: string): ImageBuild {
  return {
    name: 'agent',
    base,
    context: prefix ? { 'claude-code': join(prefix, 'node_modules', '@anthropic-ai', 'claude-code') } : {},
    inputs: { claudeCode: claudeCodeVersion() },
  };
}
