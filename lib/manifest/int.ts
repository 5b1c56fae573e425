/**
 * Optional whole-number fields with bounds (`pids`, `egress.maxConnections`
 * ...). The default is only quoted in the JSON Schema; normalize.ts fills it in.
 */
import * as z from 'zod';

export function optionalInt(min: number, max: number, description: string, fallback: number) {
  return (
    z
      .number()
      .gte(min)
      // abort: past the maximum, zod would also report its own safe-integer bound.
      .lte(max, { abort: true })
      .int()
      .optional()
      .meta({ description: `${description} ${min} to ${max}.`, default: fallback })
  );
}
