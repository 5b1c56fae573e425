/**
 * Reads what the state root knows of bottles — plan.json, record.json and
 * the stop mark of each — without the manifest's schema, so `bottle status`
 * stays instant. A file that does not parse is reported as such, not thrown.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ItemRecord } from '../engine/index.js';
import type { BottlePlan } from './types.js';
import { bottleFiles, recordFile } from '../state/layout.js';
import { itemDir } from '../state/root.js';
import { stoppedAt } from '../state/stop-mark.js';

export interface KnownBottle {
  slug: string;
  plan: BottlePlan;
  record: ItemRecord | null;
  /** Set when record.json exists but cannot be read. */
  recordProblem?: string;
  /** When `bottle stop` last stopped it, if its mark is there (lib/state/stop-mark.ts). */
  stoppedAt?: Date;
}

function readJson(path: string): { value?: unknown; problem?: string } {
  if (!existsSync(path)) return {};
  try {
    return { value: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (error) {
    return { problem: `${path} cannot be read: ${(error as Error).message}` };
  }
}

/** Slugs of the bottles `root` holds state for: its directories named as items are (root.ts), but `_run` and other `_` dirs (not bottles). */
export function bottleSlugs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(d.name))
    .map((d) => d.name)
    .sort();
}

/** A bottle's plan.json, or undefined when it has none (or it cannot be read). */
export function readPlan(root: string, slug: string): BottlePlan | undefined {
  return readJson(bottleFiles(itemDir(root, slug)).plan).value as BottlePlan | undefined;
}

/** Bottles in `root` that came from `manifest` (every manifest's when none is given), in slug order. */
export function knownBottles(root: string, manifest?: string): KnownBottle[] {
  const out: KnownBottle[] = [];
  for (const slug of bottleSlugs(root)) {
    const plan = readPlan(root, slug);
    if (!plan || (manifest !== undefined && plan.manifest !== manifest)) continue;
    const record = readJson(recordFile(root, slug));
    const stopped = stoppedAt(bottleFiles(itemDir(root, slug)).stopped);
    out.push({
      slug,
      plan,
      record: (record.value as ItemRecord | undefined) ?? null,
      ...(record.problem ? { recordProblem: record.problem } : {}),
      ...(stopped ? { stoppedAt: stopped } : {}),
    });
  }
  return out;
}
