/**
 * The schema of one agent: which bottle it runs in, its skills, prompt and
 * environment. Which bottles exist is known only from the manifest being read,
 * so the schema is built for a given list of bottle names.
 */
import * as z from 'zod';
import { describeValue, quote } from './describe.js';
import { unknownHostMessage } from './hosts.js';
import { envSchema } from './env.js';
import { skillNameSchema } from './names.js';
import { hostPathSchema } from './system-strings.js';

/** The message for an agent's `bottle` that names no bottle of the manifest. */
export function unknownBottleMessage(bottle: string, bottleNames: readonly string[]): string {
  return `no bottle ${quote(bottle)}; bottles: ${bottleNames.join(', ')}`;
}

function bottleRefSchema(bottleNames: readonly string[] | undefined) {
  const known = bottleNames === undefined ? '' : ` (bottles: ${bottleNames.join(', ')})`;
  const base = z
    .string({
      error: (issue) =>
        issue.code === 'invalid_type' ? `expected the name of a bottle${known}, got ${describeValue(issue.input)}` : undefined,
    })
    .meta({ description: 'The name of a bottle of this manifest.' });
  if (bottleNames === undefined) return base;
  return base.superRefine((bottle, ctx) => {
    if (!bottleNames.includes(bottle)) {
      ctx.addIssue({ code: 'custom', message: unknownBottleMessage(bottle, bottleNames), input: bottle });
    }
  });
}

function hostRefSchema(hostNames: readonly string[] | undefined) {
  const base = z.string().meta({ description: 'The host of this manifest (hosts:) its bottles run on.' });
  if (hostNames === undefined) return base;
  return base.superRefine((host, ctx) => {
    if (!hostNames.includes(host)) ctx.addIssue({ code: 'custom', message: unknownHostMessage(host, hostNames), input: host });
  });
}

/** Skill names, each once; a repeat is reported at its index, even when another name is invalid. */
const skillsSchema = z
  .array(skillNameSchema)
  .superRefine(
    (skills, ctx) => {
      const first = new Map<string, number>();
      skills.forEach((skill, index) => {
        const earlier = first.get(skill);
        if (earlier === undefined) first.set(skill, index);
        else {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            input: skill,
            message: `skill ${quote(skill)} is already listed at [${earlier}]; list each skill once`,
          });
        }
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  )
  .meta({ description: 'Skills copied into the bottle, looked up in skillsDir, then ~/.claude/skills.' });

const EXCLUSIVE = 'set either "prompt" (the text) or "promptFile" (a file holding it), not both; remove one of them';

/** `hostNames`: the hosts agents may pin to, from the data being checked; undefined: any string (the JSON Schema, or `hosts` itself wrong). */
export function agentSchema(bottleNames?: readonly string[], hostNames?: readonly string[]) {
  return z
    .strictObject({
      bottle: bottleRefSchema(bottleNames),
      host: hostRefSchema(hostNames).optional(),
      skills: skillsSchema.optional(),
      prompt: z.string().optional().meta({ description: 'Text appended to the system prompt.' }),
      promptFile: hostPathSchema()
        .optional()
        .meta({ description: "A file holding the prompt, relative to the manifest's directory." }),
      env: envSchema.optional(),
    })
    .refine((agent) => agent.prompt === undefined || agent.promptFile === undefined, {
      error: EXCLUSIVE,
      // Checked even when other fields are wrong, so every problem shows at once.
      when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    });
}
