/**
 * The two files a bottle's supervision lives in, and their lines: the one
 * definition the daemon (the writer of messages.jsonl) and the host (the
 * writer of answers.jsonl, lib/supervise/) both read and write through.
 *
 *     messages.jsonl   written only by the daemon, append-only:
 *       {"v":1,"id":"1","at":"<ISO>","kind":"progress","text":"..."}
 *       {"v":1,"id":"2","at":"<ISO>","kind":"question","text":"...","options":["a","b"],"expiresAt":"<ISO>"}
 *       {"v":1,"id":"3","at":"<ISO>","kind":"done","text":"..."}
 *       {"v":1,"id":"2","at":"<ISO>","kind":"expired","reason":"timeout"}   (id: the question's)
 *     answers.jsonl    written only by the host, append-only:
 *       {"v":1,"id":"2","at":"<ISO>","text":"..."}
 *
 * Ids are decimal strings "1", "2", ... in the order written; the first answer
 * to an id counts. Parsing treats every line as hostile (the daemon runs in
 * the sandbox): a line that is not exactly one of these shapes, within the
 * limits below, is no record at all, and only the known fields are copied.
 * It reads and writes no file.
 */

export const FORMAT_VERSION = 1;
export const MESSAGES_FILE = 'messages.jsonl';
export const ANSWERS_FILE = 'answers.jsonl';

/** The most characters of a message, question, summary or answer text (64 Ki UTF-16 units). */
export const MAX_TEXT_CHARS = 64 * 1024;
/** A question offers at most this many options, each at most MAX_OPTION_CHARS characters. */
export const MAX_OPTIONS = 20;
export const MAX_OPTION_CHARS = 200;
/** Neither file may grow past this: the host refuses to read a bigger one, the daemon stops appending before it. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** A line longer than this (in characters) is not parsed: no valid record is near it (64 Ki characters escaped 6-fold). */
export const MAX_LINE_CHARS = 1024 * 1024;

export type MessageKind = 'progress' | 'question' | 'done' | 'expired';

/**
 * Why nobody waits for a question any more: no answer came in time, the
 * agent's call was cancelled or its connection dropped, or the daemon stopped.
 */
export type ExpiryReason = 'timeout' | 'cancelled' | 'stopped';
export const EXPIRY_REASONS: readonly ExpiryReason[] = ['timeout', 'cancelled', 'stopped'];

interface LineBase {
  readonly v: typeof FORMAT_VERSION;
  readonly id: string;
  /** ISO 8601 time of writing. */
  readonly at: string;
}

export interface ProgressLine extends LineBase {
  readonly kind: 'progress';
  readonly text: string;
}

export interface QuestionLine extends LineBase {
  readonly kind: 'question';
  readonly text: string;
  /** Only when the agent offered choices; the human may still answer anything. */
  readonly options?: readonly string[];
  /** When the daemon stops waiting (ISO 8601). */
  readonly expiresAt: string;
}

export interface DoneLine extends LineBase {
  readonly kind: 'done';
  readonly text: string;
}

/** The question `id` is no longer awaited. Lines written before `reason` existed read as 'timeout'. */
export interface ExpiredLine extends LineBase {
  readonly kind: 'expired';
  readonly reason: ExpiryReason;
}

export type MessageLine = ProgressLine | QuestionLine | DoneLine | ExpiredLine;

export interface AnswerLine extends LineBase {
  readonly text: string;
}

/** One line of either file: the JSON of `record` and a newline. */
export function formatLine(record: MessageLine | AnswerLine): string {
  return `${JSON.stringify(record)}\n`;
}

/** The message `line` holds (without its newline), or undefined when it holds none. */
export function parseMessageLine(line: string): MessageLine | undefined {
  const record = recordOf(line);
  if (!record) return undefined;
  const base = { v: FORMAT_VERSION, id: record.id, at: record.at } as const;
  const { kind, text } = record.fields;
  if (kind === 'expired') {
    const reason = record.fields['reason'] ?? 'timeout';
    return EXPIRY_REASONS.includes(reason as ExpiryReason) ? { ...base, kind, reason: reason as ExpiryReason } : undefined;
  }
  if (!isText(text)) return undefined;
  if (kind === 'progress' || kind === 'done') return { ...base, kind, text };
  if (kind !== 'question') return undefined;
  const { options, expiresAt } = record.fields;
  if (!isTime(expiresAt)) return undefined;
  if (options === undefined) return { ...base, kind, text, expiresAt };
  return isOptions(options) ? { ...base, kind, text, options: [...options], expiresAt } : undefined;
}

/** The answer `line` holds (without its newline), or undefined when it holds none. */
export function parseAnswerLine(line: string): AnswerLine | undefined {
  const record = recordOf(line);
  const text = record?.fields['text'];
  return record && isText(text) ? { v: FORMAT_VERSION, id: record.id, at: record.at, text } : undefined;
}

/** Ids are "1", "2", ...: at most 15 digits, so every id is a safe integer. */
export function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && /^[1-9][0-9]{0,14}$/.test(value);
}

/** What every line has: a JSON object of this version with an id and a time. */
function recordOf(line: string): { id: string; at: string; fields: Record<string, unknown> } | undefined {
  if (line.length > MAX_LINE_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const { v, id, at } = fields;
  return v === FORMAT_VERSION && isMessageId(id) && isTime(at) ? { id, at, fields } : undefined;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT_CHARS;
}

function isTime(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 40 && !Number.isNaN(Date.parse(value));
}

function isOptions(value: unknown): value is readonly string[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_OPTIONS &&
    value.every((option) => typeof option === 'string' && option.length > 0 && option.length <= MAX_OPTION_CHARS)
  );
}
