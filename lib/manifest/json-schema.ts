/**
 * The JSON Schema of what a user may write in a manifest, for `bottle schema`
 * and editors. It describes the input (before normalisation); checks that JSON
 * Schema cannot say (a bottle an agent names must exist, a skill listed once)
 * are left to `bottle validate`.
 */
import * as z from 'zod';
import { manifestSchema } from './schema.js';

export function manifestJsonSchema(): Record<string, unknown> {
  // io 'input': what is written, not what transforms make of it. 'any' keeps an
  // unrepresentable part from throwing; none is expected, a test checks that.
  const schema = z.toJSONSchema(manifestSchema(), { io: 'input', unrepresentable: 'any' });
  return { ...schema };
}
