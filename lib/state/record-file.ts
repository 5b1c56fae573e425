/**
 * The on-disk form of an item's record (`record.json`): reads and checks one,
 * or serialises one. It does not cache, queue or decide when to write.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { STATUSES, type ItemRecord } from '../engine/index.js';
import { StateError, errnoCode } from './errors.js';

// Loose objects: fields a later version adds survive a read and a rewrite.
const errorInfo = z.looseObject({ message: z.string(), code: z.string(), transient: z.boolean() });

const taskRecord = z.looseObject({
  status: z.enum(STATUSES),
  attempts: z.number().int().nonnegative(),
  startedAt: z.string().optional(),
  durationMs: z.number().nonnegative(),
  fingerprint: z.string().optional(),
  output: z.unknown().optional(),
  error: errorInfo.optional(),
});

const itemRecord = z.looseObject({
  v: z.literal(1),
  item: z.string(),
  tasks: z.record(z.string(), taskRecord),
});

/** The record at `path`, or undefined when there is none. */
export async function readRecord(path: string, item: string): Promise<ItemRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, 'is not valid JSON', error);
  }
  const parsed = itemRecord.safeParse(json);
  if (!parsed.success) throw corrupt(path, `does not have the shape of a v1 record (${describe(parsed.error)})`, parsed.error);
  if (parsed.data.item !== item) throw corrupt(path, `belongs to item ${JSON.stringify(parsed.data.item)}, not ${JSON.stringify(item)}`);
  // The parsed JSON, not zod's copy: zod rebuilds objects by assignment, and a
  // task named `__proto__` would become a prototype instead of an entry.
  return json as ItemRecord;
}

export function serializeRecord(record: ItemRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

function corrupt(path: string, problem: string, cause?: unknown): StateError {
  return new StateError(
    'CORRUPT_RECORD',
    `The record ${path} ${problem}; delete it (or run \`bottle down --purge\`) and run again.`,
    cause,
  );
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`).join('; ');
}
