/**
 * `env` of a bottle or an agent: variable names checked, values normalised to
 * strings. Numbers and booleans are accepted as docker compose accepts them
 * (`PORT: 8080` in YAML is a number), and become their text (`"8080"`).
 */
import * as z from 'zod';
import { expected } from './describe.js';
import { envNameSchema } from './names.js';

const envValueSchema = z
  .union([z.string(), z.number(), z.boolean()], {
    error: expected('a string (a number or a boolean is turned into one)'),
  })
  .transform(String);

export const envSchema = z
  .record(envNameSchema, envValueSchema)
  .meta({ description: 'Environment variables; numbers and booleans are turned into strings.' });
