/**
 * Reads what the state root knows of bottles — plan.json and record.json of
 * each — without the manifest's schema, so `bottle status` stays instant. A
 * file that does not parse is reported as such, not thrown.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ItemRecord } from '../engine/index.js';
import type { BottlePlan } from './types.js';
import { bottleFiles, recordFile } from '../state/layout.js';
import { itemDir } from '../state/root.js';

export interface KnownBottle {
  slug: string;
  plan: BottlePlan;
  record: ItemRecord | null;
  /** Set when record.json exists but cannot be read. */
  recordProblem?: string;
}

function readJson(path: string): { value?: unknown; problem?: string } {
  if (!existsSync(path)) return {};
  try {
    return { value: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (error) {
    return { problem: `${path} cannot be read: ${(error as Error).message}` };
  }
}

/** Slugs of the bottles `root` holds state for (`_run` and other `_` dirs are not bottles). */
export function bottleSlugs(root: string): string[] {
  return existsSync(root) ? readdirSync(root).filter((d) => !d.startsWith('_')).sort() : [];
}

/** A bottle's plan.json, or undefined when it has none (or it cannot be read). */
export function readPlan(root: string, slug: string): BottlePlan | undefined {
  return readJson(bottleFiles(itemDir(root, slug)).plan).value as BottlePlan | undefined;
}

/** Bottles in `root` that came from `manifest`, in slug order. */
export function knownBottles(root: string, manifest: string): KnownBottle[] {
  const out: KnownBottle[] = [];
  for (const slug of bottleSlugs(root)) {
    const plan = readPlan(root, slug);
    if (!plan || plan.manifest !== manifest) continue;
    const record = readJson(recordFile(root, slug));
    out.push({
      slug,
      plan,
      record: (record.value as ItemRecord | undefined) ?? null,
      ...(record.problem ? { recordProblem: record.problem } : {}),
    });
  }
  return out;
}
