/**
 * The schema of one bottle: the machine an agent runs in. It validates and
 * normalises values (memory in MiB, egress rules); it fills in no defaults,
 * normalize.ts does.
 */
import * as z from 'zod';
import { expected } from './describe.js';
import { egressSchema } from './egress.js';
import { envSchema } from './env.js';
import { gitSchema } from './git.js';
import { guestHomeSchema, guestUserSchema } from './guest.js';
import { memorySchema } from './memory.js';

export const BACKENDS = ['docker', 'smolvm'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const MAX_CPUS = 64;

const imageSchema = z
  .string()
  .regex(/^\S+$/, { error: expected('a container image reference without spaces', 'e.g. "node:22-bookworm"') })
  .meta({ description: 'The image of the agent machine; our agent image by default.' });

export const bottleSchema = z.strictObject({
  backend: z
    .enum(BACKENDS)
    .optional()
    .meta({ description: 'Where the bottle runs; by default the first backend available.' }),
  image: imageSchema.optional(),
  cpus: z
    .number()
    .gt(0)
    .lte(MAX_CPUS)
    .optional()
    .meta({ description: `CPUs of the machine, fractions allowed, at most ${MAX_CPUS}.` }),
  memory: memorySchema.optional(),
  env: envSchema.optional(),
  guestHome: guestHomeSchema.optional(),
  user: guestUserSchema.optional(),
  egress: egressSchema.optional(),
  git: gitSchema.optional(),
});
