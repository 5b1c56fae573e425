/**
 * `limits:` of a manifest: how many of each kind of work run at once
 * (lib/limits/names.ts); names outside that list are refused with the list.
 * Defaults are filled in by normalize.ts.
 */
import * as z from 'zod';
import { LIMIT_HELP, LIMIT_NAMES, MAX_LIMIT } from '../limits/names.js';
import { quote } from './describe.js';

const value = z.number().int().gte(1).lte(MAX_LIMIT, { abort: true });

export const limitsSchema = z
  .record(z.string(), value)
  .superRefine((limits, ctx) => {
    for (const name of Object.keys(limits)) {
      if (!(LIMIT_NAMES as readonly string[]).includes(name)) {
        ctx.addIssue({ code: 'custom', path: [name], input: name, message: `unknown limit ${quote(name)}; limits: ${LIMIT_NAMES.join(', ')}` });
      }
    }
  })
  .meta({
    description: `How many of each kind of work run at once, 1 to ${MAX_LIMIT}: ${LIMIT_NAMES.map((n) => `${n} (${LIMIT_HELP[n]})`).join('; ')}.`,
  });
