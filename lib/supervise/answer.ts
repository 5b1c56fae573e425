/**
 * Recording a human's answer to one of a bottle's questions: one line
 * appended to answers.jsonl in a single write on a file opened O_APPEND, so
 * the daemon polling it never takes half a line for a whole one. Before
 * writing, it checks the text (not blank, at most MAX_TEXT_CHARS) and, from
 * both files, that the id is a question of this bottle with no answer yet.
 * An expired question still takes its answer; the receipt says the agent no
 * longer waits for it. The file is created 0600 and, when bottle runs as
 * root, given to the owner of the directory (the bundle's user) so the
 * daemon can read it. Two answers written at the same instant are not
 * caught here: the first line counts. It does not tell the daemon (the
 * daemon polls the file).
 */
import type { FileHandle } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnswerLine, ExpiryReason } from '../../daemons/supervise/format.js';
import { ANSWERS_FILE, FORMAT_VERSION, MAX_TEXT_CHARS, MESSAGES_FILE, formatLine, isMessageId, parseAnswerLine, parseMessageLine } from '../../daemons/supervise/format.js';
import { readRecords } from '../../daemons/supervise/lines.js';
import { APPEND_FLAGS, openChecked, readChecked, readText } from './checked-file.js';
import type { InboxEntry, QuestionEntry } from './inbox.js';
import { answersLabel, buildInbox, messagesLabel } from './inbox.js';
import { InboxError } from './inbox-error.js';

export interface AnswerReceipt {
  readonly id: string;
  /** The time written on the answer line. */
  readonly at: string;
  /** Set when the question had expired: the answer is recorded, but the agent no longer waits for it. */
  readonly expired?: { readonly at: string; readonly reason: ExpiryReason };
}

export interface AnswerOptions {
  now?: () => Date;
}

/** Appends `text` as the answer to question `id` of the bottle whose supervise directory is `dir`. */
export async function answerQuestion(dir: string, id: string, text: string, options: AnswerOptions = {}): Promise<AnswerReceipt> {
  checkText(id, text);
  const messages = readRecords((await readChecked(join(dir, MESSAGES_FILE), messagesLabel(dir))) ?? '', parseMessageLine);
  const label = answersLabel(dir);
  // Checked before the answers file is created, so a wrong id leaves no file behind.
  questionOf(buildInbox(messages, []), id);
  const file = await openChecked(join(dir, ANSWERS_FILE), label, APPEND_FLAGS);
  if (!file) throw new InboxError('io-failed', `Cannot create ${label}: its directory is missing.`);
  try {
    await giveToDirectoryOwner(file.handle, dir);
    const written = await readText(file, label);
    const question = questionOf(buildInbox(messages, readRecords(written, parseAnswerLine)), id);
    const at = (options.now ?? (() => new Date()))().toISOString();
    const answer: AnswerLine = { v: FORMAT_VERSION, id, at, text };
    // After a torn last line, the answer starts on a line of its own.
    const line = written.length > 0 && !written.endsWith('\n') ? `\n${formatLine(answer)}` : formatLine(answer);
    await appendWhole(file.handle, Buffer.from(line), label);
    return { id, at, ...(question.expired ? { expired: question.expired } : {}) };
  } finally {
    await file.handle.close();
  }
}

function checkText(id: string, text: string): void {
  if (typeof text !== 'string' || text.trim().length === 0) {
    throw new InboxError('empty-answer', `The answer to question ${shown(id)} is empty; write the answer text.`);
  }
  if (text.length > MAX_TEXT_CHARS) {
    throw new InboxError(
      'answer-too-long',
      `The answer to question ${shown(id)} has ${text.length} characters, more than the ${MAX_TEXT_CHARS} an answer may have; ` +
        "shorten it, or put the long part in a file in the bottle's workspace and name the file in the answer.",
    );
  }
}

const NOT_A_QUESTION: Record<Exclude<InboxEntry['kind'], 'question'>, string> = {
  progress: 'a progress report',
  done: "the agent's closing summary",
};

/** The question `id` if it can take an answer now; otherwise the InboxError saying why not. */
function questionOf(entries: readonly InboxEntry[], id: string): QuestionEntry {
  const entry = isMessageId(id) ? entries.find((candidate) => candidate.id === id) : undefined;
  if (!entry) {
    const what = isMessageId(id) ? `no message ${id}` : `no message ${shown(id)} (ids are whole numbers: 1, 2, ...)`;
    const last = entries.at(-1);
    const range = last ? `its message ids run from ${entries[0]?.id} to ${last.id}` : 'it has no messages yet';
    throw new InboxError('unknown-id', `This bottle has ${what}; ${range}. List the bottle's messages to see its questions and their ids.`);
  }
  if (entry.kind !== 'question') {
    throw new InboxError('not-a-question', `Message ${id} is ${NOT_A_QUESTION[entry.kind]}, not a question; only questions take answers.`);
  }
  if (entry.answer) {
    throw new InboxError(
      'already-answered',
      `Question ${id} was already answered at ${entry.answer.at}: ${preview(entry.answer.text)}. The first answer counts, so this one was not recorded.`,
    );
  }
  return entry;
}

/** Where bottle is root and the bundle is not, the daemon must still be able to read the file. */
async function giveToDirectoryOwner(handle: FileHandle, dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const [owner, file] = await Promise.all([stat(dir), handle.stat()]);
  if (file.uid !== owner.uid || file.gid !== owner.gid) await handle.chown(owner.uid, owner.gid);
}

/** One write in all but pathological cases (a full disk). */
async function appendWhole(handle: FileHandle, data: Buffer, label: string): Promise<void> {
  try {
    let offset = 0;
    while (offset < data.length) offset += (await handle.write(data, offset, data.length - offset, null)).bytesWritten;
  } catch (error) {
    throw new InboxError('io-failed', `Cannot append to ${label}: ${(error as Error).message}`, error);
  }
}

/** An id as the user typed it, quoted and cut: it may be anything. */
function shown(id: string): string {
  return isMessageId(id) ? id : JSON.stringify(String(id).slice(0, 40));
}

function preview(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}…` : JSON.stringify(text);
}
