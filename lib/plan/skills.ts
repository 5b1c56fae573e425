/**
 * Finds a skill's directory on the host: the manifest's skills dir first, then
 * `~/.claude/skills`. A missing skill is an error naming it and every place
 * it was looked for.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { TaskError } from '../engine/index.js';

export interface ResolvedSkill {
  name: string;
  dir: string;
}

export function resolveSkills(names: readonly string[], searchDirs: readonly string[]): ResolvedSkill[] {
  return names.map((name) => {
    const candidates = searchDirs.map((d) => join(d, name));
    const dir = candidates.find(isDir);
    if (!dir) {
      throw new TaskError(`skill "${name}" not found; looked in ${candidates.join(', ')}; create it there or remove it from the agent's skills`, {
        code: 'SKILL_MISSING',
      });
    }
    return { name, dir };
  });
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
