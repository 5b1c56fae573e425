/**
 * Reading an append-only JSON-lines file that another process may be writing,
 * or may have crashed in the middle of writing: a record is a line that
 * parses; the last line, when no newline ends it yet, counts only if it
 * parses whole (no proper prefix of one JSON object is another, so a
 * half-written line never passes for a record). It does not open files.
 */

export interface SplitLines {
  /** The lines a newline ends, without it. */
  readonly complete: string[];
  /** What follows the last newline ('' when the text ends with one). */
  readonly tail: string;
}

export function splitLines(text: string): SplitLines {
  const complete = text.split('\n');
  const tail = complete.pop() ?? '';
  return { complete, tail };
}

/** The records of a whole file's text, in order; a line `parse` refuses is skipped. */
export function readRecords<T>(text: string, parse: (line: string) => T | undefined): T[] {
  const { complete, tail } = splitLines(text);
  const records: T[] = [];
  for (const line of tail === '' ? complete : [...complete, tail]) {
    const record = line === '' ? undefined : parse(line);
    if (record !== undefined) records.push(record);
  }
  return records;
}
