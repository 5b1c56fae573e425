/**
 * `memory` of a bottle: a number of MiB or a size with a unit, normalised to
 * whole MiB. Every unit is binary whatever its spelling (`2g`, `2GB` and `2GiB`
 * are all 2048 MiB), as docker's `--memory` reads them; a fraction of a MiB is
 * dropped.
 */
import * as z from 'zod';
import { describeValue, expected, quote } from './describe.js';

export const MIN_MEMORY_MIB = 128;

const UNIT_IN_MIB: Readonly<Record<string, number>> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/** A number, then optionally k, m, g or t, optionally followed by `b` or `ib`; any case. */
const SIZE = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:([kmgt])(?:i?b)?)?$/i;

const FORMS = 'a number of MiB or a size such as "512m", "2g" or "2GiB" (units k, m, g, t, all binary)';

export type MemoryResult = { ok: true; mib: number } | { ok: false; problem: string };

/** `value` in whole MiB, or what is wrong with it. */
export function parseMemory(value: number | string): MemoryResult {
  let mib: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, problem: `expected ${FORMS}, got ${describeValue(value)}` };
    mib = Math.floor(value);
  } else {
    const match = SIZE.exec(value.trim());
    if (match === null) return { ok: false, problem: `expected ${FORMS}, got ${describeValue(value)}` };
    const unit = (match[2] ?? 'm').toLowerCase();
    mib = Math.floor(Number(match[1]) * (UNIT_IN_MIB[unit] ?? 1));
  }
  if (mib < MIN_MEMORY_MIB) {
    const given = typeof value === 'number' ? String(value) : `${quote(value)} (${mib} MiB)`;
    return { ok: false, problem: `expected at least ${MIN_MEMORY_MIB} MiB, got ${given}` };
  }
  return { ok: true, mib };
}

export const memorySchema = z
  .union([z.number(), z.string()], { error: expected(FORMS) })
  .transform((value, ctx) => {
    const result = parseMemory(value);
    if (result.ok) return result.mib;
    ctx.addIssue({ code: 'custom', message: result.problem, input: value });
    return z.NEVER;
  })
  .meta({ description: `Memory: ${FORMS}; at least ${MIN_MEMORY_MIB} MiB.` });
