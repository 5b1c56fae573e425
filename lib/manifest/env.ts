/**
 * `env` of a bottle or an agent: variable names checked, values normalised to
 * strings. Numbers and booleans are accepted as docker compose accepts them
 * (`PORT: 8080` in YAML is a number), and become their text (`"8080"`). A
 * value may be a secret: `{ value: ..., secret: true }`, or `{ from:
 * "env:NAME" | "file:PATH" }` (read on the host at up, always a secret). A
 * secret's value goes into the agent's environment and nowhere else bottle
 * writes (records, logs, NDJSON, messages: lib/report/redact.ts); a problem
 * with one never quotes it.
 */
import * as z from 'zod';
import { sourceSchema, type SecretSource } from './inspect.js';
import { envNameSchema } from './names.js';
import { systemString } from './system-strings.js';

/** A secret of `env`: its value as written in the manifest, or where it is read at up. */
export type EnvSecret = { kind: 'value'; value: string } | SecretSource;


const entrySchema = z
  .strictObject({
    value: z
      .union([z.string(), z.number(), z.boolean()], { error: 'expected a string, a number or a boolean (the value is not shown: it may be a secret)' })
      .transform(String)
      .optional()
      .meta({ description: 'The value; with secret: true, kept out of everything bottle writes but the agent\'s environment.' }),
    from: sourceSchema.optional().meta({ description: 'Read on the host at up: "env:NAME" (bottle\'s environment) or "file:PATH"; always a secret.' }),
    secret: z.boolean().optional().meta({ description: 'Keep the value out of records, logs, NDJSON and messages.' }),
  })
  .superRefine((entry, ctx) => {
    if ((entry.value === undefined) === (entry.from === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either "value" or "from" ("env:NAME" or "file:PATH"), not both and not neither' });
    }
  })
  .transform((entry): string | EnvSecret => {
    if (entry.from) return entry.from;
    return entry.secret ? { kind: 'value', value: entry.value! } : entry.value!;
  });

// One flat union: an object gets the messages of its own fields, anything else "expected a string, a number, ...".
const envValueSchema = z.union([systemString().transform(String), z.number().transform(String), z.boolean().transform(String), entrySchema]);

export const envSchema = z
  .record(envNameSchema, envValueSchema)
  .meta({ description: 'Environment variables; numbers and booleans are turned into strings; secrets as { value, secret: true } or { from: "env:NAME" | "file:PATH" }.' });

/** Splits a validated env into its plain values and its secrets. */
export function splitEnv(env: Record<string, string | EnvSecret> | undefined): { env: Record<string, string>; secretEnv: Record<string, EnvSecret> } {
  const plain: Record<string, string> = {};
  const secretEnv: Record<string, EnvSecret> = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    if (typeof value === 'string') plain[name] = value;
    else secretEnv[name] = value;
  }
  return { env: plain, secretEnv };
}
