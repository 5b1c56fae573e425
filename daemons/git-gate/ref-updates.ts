/**
 * The updates a push asks for, as git hands them to pre-receive on stdin:
 * one `<old> <new> <ref>` line each, an all-zero id meaning "no ref" (old:
 * the ref is created; new: it is deleted). It does not judge them.
 */

export type UpdateKind = 'create' | 'update' | 'delete';

export interface RefUpdate {
  readonly ref: string;
  readonly old: string;
  readonly new: string;
  readonly kind: UpdateKind;
}

// SHA-1 (40) or SHA-256 (64) hex ids.
const LINE = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (\S+)$/;

export function isZeroId(id: string): boolean {
  return /^0+$/.test(id);
}

/** Parses the hook's stdin; throws naming the first line that is not an update (git never sends one). */
export function parseRefUpdates(text: string): readonly RefUpdate[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = LINE.exec(line.trim());
      if (!match) throw new Error(`pre-receive got a line that is not "<old> <new> <ref>": ${JSON.stringify(line.slice(0, 200))}`);
      const [, old = '', next = '', ref = ''] = match;
      const kind: UpdateKind = isZeroId(old) ? 'create' : isZeroId(next) ? 'delete' : 'update';
      return { ref, old, new: next, kind };
    });
}
