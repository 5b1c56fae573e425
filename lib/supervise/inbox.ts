/**
 * A bottle's inbox: the messages its agent sent through supervise, in the
 * order written, each question with its answer and whether the agent still
 * waits for one. Both files are read as hostile input (checked-file.ts,
 * format.ts): lines that are not records are skipped, a torn last line
 * included, and a message id used twice counts once, the first time.
 * Missing files are an empty inbox. It does not cut long texts for display
 * (the caller's job) nor write anything (answer.ts does).
 */
import { join } from 'node:path';
import type { AnswerLine, ExpiryReason, MessageLine } from '../../daemons/supervise/format.js';
import { ANSWERS_FILE, MESSAGES_FILE, parseAnswerLine, parseMessageLine } from '../../daemons/supervise/format.js';
import { readRecords } from '../../daemons/supervise/lines.js';
import { readChecked } from './checked-file.js';

/**
 * What became of a question: `unanswered`, the agent waits (or its daemon
 * went away without saying); `answered`, the answer reached the file in
 * time; `expired`, the agent stopped waiting (timeout, cancelled call,
 * daemon stopped), whether or not an answer came later.
 */
export type QuestionStatus = 'unanswered' | 'answered' | 'expired';

interface EntryBase {
  readonly id: string;
  /** When the daemon wrote it (ISO 8601, the bundle's clock). */
  readonly at: string;
  readonly text: string;
}

export interface ProgressEntry extends EntryBase {
  readonly kind: 'progress';
}

export interface DoneEntry extends EntryBase {
  readonly kind: 'done';
}

export interface QuestionEntry extends EntryBase {
  readonly kind: 'question';
  /** The choices offered; empty when none were. */
  readonly options: readonly string[];
  readonly expiresAt: string;
  readonly status: QuestionStatus;
  /** The answer that counts (the first), in time or late. */
  readonly answer?: { readonly text: string; readonly at: string };
  /** Set when the agent stopped waiting. */
  readonly expired?: { readonly at: string; readonly reason: ExpiryReason };
}

export type InboxEntry = ProgressEntry | QuestionEntry | DoneEntry;

/** The inbox of the bottle whose supervise directory is `dir`. */
export async function readInbox(dir: string): Promise<InboxEntry[]> {
  const [messages, answers] = await Promise.all([
    readChecked(join(dir, MESSAGES_FILE), messagesLabel(dir)),
    readChecked(join(dir, ANSWERS_FILE), answersLabel(dir)),
  ]);
  return buildInbox(readRecords(messages ?? '', parseMessageLine), readRecords(answers ?? '', parseAnswerLine));
}

export function messagesLabel(dir: string): string {
  return `the message file ${join(dir, MESSAGES_FILE)}`;
}

export function answersLabel(dir: string): string {
  return `the answers file ${join(dir, ANSWERS_FILE)}`;
}

/** The entries of parsed lines, in file order: expired lines and answers go onto their questions. */
export function buildInbox(messages: readonly MessageLine[], answers: readonly AnswerLine[]): InboxEntry[] {
  const expiries = new Map<string, { at: string; reason: ExpiryReason }>();
  for (const line of messages) if (line.kind === 'expired' && !expiries.has(line.id)) expiries.set(line.id, { at: line.at, reason: line.reason });
  const firstAnswers = new Map<string, { text: string; at: string }>();
  for (const answer of answers) if (!firstAnswers.has(answer.id)) firstAnswers.set(answer.id, { text: answer.text, at: answer.at });

  const seen = new Set<string>();
  const entries: InboxEntry[] = [];
  for (const line of messages) {
    if (line.kind === 'expired' || seen.has(line.id)) continue;
    seen.add(line.id);
    const { id, at, text } = line;
    if (line.kind !== 'question') {
      entries.push({ kind: line.kind, id, at, text });
      continue;
    }
    const answer = firstAnswers.get(id);
    const expired = expiries.get(id);
    const status: QuestionStatus = expired ? 'expired' : answer ? 'answered' : 'unanswered';
    entries.push({
      kind: 'question',
      id,
      at,
      text,
      options: line.options ?? [],
      expiresAt: line.expiresAt,
      status,
      ...(answer ? { answer } : {}),
      ...(expired ? { expired } : {}),
    });
  }
  return entries;
}
