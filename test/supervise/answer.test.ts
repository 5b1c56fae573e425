import { chown, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../lib/supervise/answer.js';
import { readInbox } from '../../lib/supervise/inbox.js';
import { modeOf, tempDir } from '../state/temp-dir.js';

const AT = '2030-01-02T03:04:05.678Z';
const ANSWERED_AT = '2030-01-02T05:00:00.000Z';
const now = (): Date => new Date(ANSWERED_AT);
const jsonl = (...values: unknown[]): string => values.map((value) => `${JSON.stringify(value)}\n`).join('');

/** A bottle whose agent reported progress (1), asked two questions (2, 3, the second expired) and finished (4). */
async function bottle(): Promise<string> {
  const dir = await tempDir();
  await writeFile(
    join(dir, 'messages.jsonl'),
    jsonl(
      { v: 1, id: '1', at: AT, kind: 'progress', text: 'started' },
      { v: 1, id: '2', at: AT, kind: 'question', text: 'which db?', expiresAt: AT },
      { v: 1, id: '3', at: AT, kind: 'question', text: 'deploy?', expiresAt: AT },
      { v: 1, id: '3', at: AT, kind: 'expired', reason: 'timeout' },
      { v: 1, id: '4', at: AT, kind: 'done', text: 'finished' },
    ),
  );
  return dir;
}

const answersOf = async (dir: string): Promise<string> => readFile(join(dir, 'answers.jsonl'), 'utf8').catch(() => '(no file)');

describe('answerQuestion', () => {
  it('appends one answer line to a 0600 file, and the question reads as answered', async () => {
    const dir = await bottle();
    expect(await answerQuestion(dir, '2', 'SQLite', { now })).toEqual({ id: '2', at: ANSWERED_AT });
    expect(await answersOf(dir)).toBe(`{"v":1,"id":"2","at":"${ANSWERED_AT}","text":"SQLite"}\n`);
    expect(await modeOf(join(dir, 'answers.jsonl'))).toBe(0o600);
    expect((await readInbox(dir))[1]).toMatchObject({ id: '2', status: 'answered', answer: { text: 'SQLite', at: ANSWERED_AT } });
  });

  it('records the answer to an expired question, and says the agent no longer waits', async () => {
    const dir = await bottle();
    expect(await answerQuestion(dir, '3', 'yes', { now })).toEqual({ id: '3', at: ANSWERED_AT, expired: { at: AT, reason: 'timeout' } });
    expect((await readInbox(dir))[2]).toMatchObject({ id: '3', status: 'expired', answer: { text: 'yes' } });
  });

  it('refuses a second answer, quoting the first', async () => {
    const dir = await bottle();
    await answerQuestion(dir, '2', 'SQLite', { now });
    await expect(answerQuestion(dir, '2', 'Postgres')).rejects.toMatchObject({
      name: 'InboxError',
      code: 'already-answered',
      message: `Question 2 was already answered at ${ANSWERED_AT}: "SQLite". The first answer counts, so this one was not recorded.`,
    });
    expect(await answersOf(dir)).toBe(`{"v":1,"id":"2","at":"${ANSWERED_AT}","text":"SQLite"}\n`);
  });

  it('refuses an id that is no message, or not a question, saying which ids there are', async () => {
    const dir = await bottle();
    await expect(answerQuestion(dir, '9', 'x')).rejects.toMatchObject({
      code: 'unknown-id',
      message: "This bottle has no message 9; its message ids run from 1 to 4. List the bottle's messages to see its questions and their ids.",
    });
    await expect(answerQuestion(dir, '#2', 'x')).rejects.toMatchObject({
      code: 'unknown-id',
      message: `This bottle has no message "#2" (ids are whole numbers: 1, 2, ...); its message ids run from 1 to 4. List the bottle's messages to see its questions and their ids.`,
    });
    await expect(answerQuestion(dir, '1', 'x')).rejects.toMatchObject({ code: 'not-a-question', message: 'Message 1 is a progress report, not a question; only questions take answers.' });
    await expect(answerQuestion(dir, '4', 'x')).rejects.toMatchObject({ code: 'not-a-question', message: "Message 4 is the agent's closing summary, not a question; only questions take answers." });
    await expect(answerQuestion(await tempDir(), '1', 'x')).rejects.toThrow('This bottle has no message 1; it has no messages yet.');
    expect(await answersOf(dir)).toBe('(no file)');
  });

  it('refuses an empty or blank answer, and one over 64 Ki characters', async () => {
    const dir = await bottle();
    await expect(answerQuestion(dir, '2', '')).rejects.toMatchObject({ code: 'empty-answer', message: 'The answer to question 2 is empty; write the answer text.' });
    await expect(answerQuestion(dir, '2', ' \n ')).rejects.toMatchObject({ code: 'empty-answer' });
    await expect(answerQuestion(dir, '2', 'x'.repeat(65537))).rejects.toMatchObject({
      code: 'answer-too-long',
      message: expect.stringMatching(/^The answer to question 2 has 65537 characters, more than the 65536 an answer may have; shorten it/),
    });
    expect(await answerQuestion(dir, '2', 'x'.repeat(65536))).toMatchObject({ id: '2' });
  });

  it('starts its line after a torn last line, so both the daemon and the inbox read it', async () => {
    const dir = await bottle();
    await writeFile(join(dir, 'answers.jsonl'), '{"v":1,"id":"2","at":"2030-');
    await answerQuestion(dir, '2', 'SQLite', { now });
    expect((await answersOf(dir)).split('\n')).toEqual(['{"v":1,"id":"2","at":"2030-', `{"v":1,"id":"2","at":"${ANSWERED_AT}","text":"SQLite"}`, '']);
    expect((await readInbox(dir))[1]).toMatchObject({ status: 'answered', answer: { text: 'SQLite' } });
  });

  it.runIf(process.getuid?.() === 0)('gives the file it creates to the owner of the directory (the bundle user) when run as root', async () => {
    const dir = await bottle();
    await chown(dir, 65532, 65532);
    await answerQuestion(dir, '2', 'SQLite');
    const { uid, gid } = await stat(join(dir, 'answers.jsonl'));
    expect([uid, gid]).toEqual([65532, 65532]);
  });
});
