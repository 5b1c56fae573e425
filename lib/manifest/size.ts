/**
 * Sizes a manifest writes (`memory`, `disk`, `egress.audit.maxSize`): a number
 * of MiB or a size with a unit, normalised to whole MiB within bounds. Every
 * unit is binary whatever its spelling (`2g`, `2GB` and `2GiB` are all 2048
 * MiB), as docker's `--memory` reads them; a fraction of a MiB is dropped. It
 * fills in no defaults; normalize.ts does.
 */
import * as z from 'zod';
import { describeValue, expected, quote } from './describe.js';

export const MIB_PER_TIB = 1024 * 1024;

const UNIT_IN_MIB: Readonly<Record<string, number>> = { k: 1 / 1024, m: 1, g: 1024, t: MIB_PER_TIB };

/** A number, then optionally k, m, g or t, optionally followed by `b` or `ib`; any case. */
const SIZE = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:([kmgt])(?:i?b)?)?$/i;

const FORMS = 'a number of MiB or a size such as "512m", "2g" or "2GiB" (units k, m, g, t, all binary)';

export interface SizeBounds {
  /** Whole MiB, inclusive. */
  min: number;
  max: number;
}

export type SizeResult = { ok: true; mib: number } | { ok: false; problem: string };

/** `1048576` -> `1 TiB`, `1536` -> `1536 MiB`: the largest unit that divides it. */
export function formatMiB(mib: number): string {
  if (mib >= MIB_PER_TIB && mib % MIB_PER_TIB === 0) return `${mib / MIB_PER_TIB} TiB`;
  if (mib >= 1024 && mib % 1024 === 0) return `${mib / 1024} GiB`;
  return `${mib} MiB`;
}

/** `value` in whole MiB, or what is wrong with it. */
export function parseSize(value: number | string, { min, max }: SizeBounds): SizeResult {
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
  const given = typeof value === 'number' ? String(value) : `${quote(value)} (${mib} MiB)`;
  if (mib < min) return { ok: false, problem: `expected at least ${formatMiB(min)}, got ${given}` };
  if (mib > max) return { ok: false, problem: `expected at most ${formatMiB(max)}, got ${given}` };
  return { ok: true, mib };
}

/**
 * A size field. `what` starts its JSON Schema description; `fallback` is the
 * default normalize.ts fills in, quoted there (in MiB) when there is one.
 */
export function sizeSchema(what: string, bounds: SizeBounds, fallback?: number) {
  return z
    .union([z.number(), z.string()], { error: expected(FORMS) })
    // On the input, before the transform: zod leaves a transformed schema's default out of the JSON Schema.
    .meta({
      description: `${what}: ${FORMS}; from ${formatMiB(bounds.min)} to ${formatMiB(bounds.max)}.`,
      ...(fallback !== undefined && { default: fallback }),
    })
    .transform((value, ctx) => {
      const result = parseSize(value, bounds);
      if (result.ok) return result.mib;
      ctx.addIssue({ code: 'custom', message: result.problem, input: value });
      return z.NEVER;
    });
}
