/**
 * Reads many git objects through ONE `git cat-file --batch` process, each
 * object's content as a stream of pieces (a big blob is never held whole).
 * Objects come in the order asked; the content an iteration leaves unread is
 * skipped before the next object. Leaving the loop early stops git. It does
 * not choose the objects (new-objects.ts) nor look inside them.
 */
import { execa } from 'execa';
import { ByteReader } from './byte-reader.js';
import type { GitContext } from './git-command.js';
import { GitCommandError, gitOptions } from './git-command.js';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface GitObject {
  readonly id: string;
  readonly type: ObjectType;
  readonly size: number;
  /** Read it before asking for the next object, or it is skipped. */
  readonly content: AsyncIterable<Buffer>;
}

const ARGS = ['cat-file', '--batch'] as const;
const TYPES: readonly string[] = ['blob', 'tree', 'commit', 'tag'] satisfies readonly ObjectType[];

export async function* readObjects(ids: readonly string[], context: GitContext): AsyncGenerator<GitObject> {
  if (ids.length === 0) return;
  const child = execa('git', ARGS, { ...gitOptions(context), buffer: { stdout: false, stderr: true } });
  child.stdin.end(ids.map((id) => `${id}\n`).join(''));
  const reader = new ByteReader(child.stdout);
  const fail = async (detail: string): Promise<never> => {
    child.kill();
    await reader.close();
    const result = await child;
    if (context.signal?.aborted) throw context.signal.reason;
    throw new GitCommandError(ARGS, result.exitCode, result.stderr.trim() || detail);
  };
  try {
    for (const asked of ids) {
      const header = await reader.readLine();
      if (header === undefined) return await fail(`it stopped answering before object ${asked}`);
      const [id = '', type = '', sizeText = ''] = header.split(' ');
      if (!TYPES.includes(type)) return await fail(`object ${asked}: ${header}`);
      const size = Number(sizeText);
      const content = reader.take(size);
      yield { id, type: type as ObjectType, size, content: content.pieces };
      await content.skipRest();
      if ((await reader.read(1)).toString() !== '\n') return await fail(`object ${id} did not end where its size said`);
    }
  } finally {
    if (child.exitCode === null) child.kill();
    await reader.close(); // unread output would keep the process from being done
    await child;
  }
}
