/**
 * The schema of one bottle: the machine an agent runs in and its limits. It
 * validates and normalises values (sizes in MiB, egress rules); it fills in no
 * defaults, normalize.ts does (they are only quoted here, for the JSON Schema).
 */
import * as z from 'zod';
import { BACKEND_KINDS } from '../backends/kinds.js';
import { DEFAULT_ASK_TIMEOUT_S, DEFAULT_CPUS, DEFAULT_MEMORY_MIB, DEFAULT_PIDS } from './defaults.js';
import { expected } from './describe.js';
import { egressSchema } from './egress.js';
import { cachesSchema } from './caches.js';
import { envSchema } from './env.js';
import { gitSchema } from './git.js';
import { guestHomeSchema, guestUserSchema } from './guest.js';
import { optionalInt } from './int.js';
import { MIB_PER_TIB, sizeSchema, type SizeBounds } from './size.js';
import { systemString } from './system-strings.js';


export const MAX_CPUS = 64;
export const MEMORY_MIB: SizeBounds = { min: 128, max: MIB_PER_TIB };
export const DISK_MIB: SizeBounds = { min: 1024, max: 64 * MIB_PER_TIB };
export const PIDS = { min: 64, max: 1048576 } as const;

const imageSchema = systemString(
  z.string().regex(/^\S+$/, { error: expected('a container image reference without spaces', 'e.g. "node:22-bookworm"') }),
)
  .meta({ description: 'The image of the agent machine; our agent image by default.' });

export const bottleSchema = z.strictObject({
  backend: z
    .enum(BACKEND_KINDS)
    .optional()
    .meta({ description: 'Where the bottle runs; by default the first backend available.' }),
  image: imageSchema.optional(),
  cpus: z
    .number()
    .gt(0)
    .lte(MAX_CPUS)
    .optional()
    .meta({ description: `CPUs of the machine, fractions allowed, at most ${MAX_CPUS}.`, default: DEFAULT_CPUS }),
  memory: sizeSchema('Memory of the machine', MEMORY_MIB, DEFAULT_MEMORY_MIB).optional(),
  pids: optionalInt(PIDS.min, PIDS.max, 'Processes the machine may run at once:', DEFAULT_PIDS),
  disk: sizeSchema('Disk space the machine may use (no cap by default)', DISK_MIB).optional(),
  env: envSchema.optional(),
  guestHome: guestHomeSchema.optional(),
  user: guestUserSchema.optional(),
  egress: egressSchema.optional(),
  caches: cachesSchema.optional(),
  git: gitSchema.optional(),
  supervise: z
    .strictObject({
      askTimeout: optionalInt(10, 604_800, 'Seconds `ask_human` waits for an answer before the agent goes on without one:', DEFAULT_ASK_TIMEOUT_S),
    })
    .optional()
    .meta({ description: 'The supervise service: how the agent reports to and asks a human.' }),
});
