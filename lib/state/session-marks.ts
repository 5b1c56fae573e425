/**
 * The sessions bottle started in a bottle's agent machine (`sessions.json`
 * in its state dir: name, what it runs, when it was last started), so
 * `bottle status` can name them from the state alone; whether one still
 * runs only the machine knows (`bottle status --probe` asks tmux). A mark
 * that does not parse counts as none. It starts and asks nothing.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';

export interface SessionMark {
  name: string;
  /** The command, cut to 80 characters. */
  command: string;
  /** ISO time it was last started (or attached to and started when missing). */
  startedAt: string;
}

interface SessionFile {
  v: 1;
  sessions: SessionMark[];
}

export function readSessionMarks(path: string): SessionMark[] {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<SessionFile>;
    return Array.isArray(file.sessions) ? file.sessions.filter((s) => typeof s?.name === 'string' && typeof s.startedAt === 'string') : [];
  } catch {
    return [];
  }
}

/** Records that `name` was started now running `command`. */
export async function markSession(path: string, name: string, command: readonly string[], now: Date): Promise<void> {
  const others = readSessionMarks(path).filter((s) => s.name !== name);
  const mark: SessionMark = { name, command: command.join(' ').slice(0, 80), startedAt: now.toISOString() };
  await writeFileAtomic(path, `${JSON.stringify({ v: 1, sessions: [...others, mark] } satisfies SessionFile)}\n`);
}
