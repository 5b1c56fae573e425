import { execFileSync } from 'node:child_process';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InboxError } from '../../lib/supervise/inbox-error.js';
import { readInbox } from '../../lib/supervise/inbox.js';
import { tempDir } from '../state/temp-dir.js';

const AT = '2030-01-02T03:04:05.678Z';
const LATER = '2030-01-02T04:00:00.000Z';
const jsonl = (...values: unknown[]): string => values.map((value) => `${JSON.stringify(value)}\n`).join('');
const message = (id: string, kind: string, extra: object = {}): object => ({ v: 1, id, at: AT, kind, ...extra });
const question = (id: string, text: string): object => message(id, 'question', { text, expiresAt: LATER });

describe('readInbox', () => {
  it('is empty for a bottle that has no supervise files, or no directory', async () => {
    const dir = await tempDir();
    expect(await readInbox(dir)).toEqual([]);
    expect(await readInbox(join(dir, 'missing'))).toEqual([]);
  });

  it('lists the messages in order, each question with its answer and status', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'messages.jsonl'),
      jsonl(
        message('1', 'progress', { text: 'started' }),
        message('2', 'question', { text: 'which db?', options: ['pg', 'sqlite'], expiresAt: LATER }),
        question('3', 'open?'),
        question('4', 'late?'),
        message('4', 'expired', { reason: 'timeout' }),
        question('5', 'gone?'),
        message('5', 'expired'),
        message('1', 'progress', { text: 'a second message 1 is not taken' }),
        message('6', 'done', { text: 'finished' }),
      ) + '{"v":1,"id":"7","at":"2030-01-02T03:04:05.678Z","kind":"prog',
    );
    await writeFile(
      join(dir, 'answers.jsonl'),
      jsonl({ v: 1, id: '2', at: LATER, text: 'sqlite' }, { v: 1, id: '2', at: LATER, text: 'second answers do not count' }, { v: 1, id: '4', at: LATER, text: 'after all' }, { v: 1, id: '1', at: LATER, text: 'not a question' }),
    );
    expect(await readInbox(dir)).toEqual([
      { kind: 'progress', id: '1', at: AT, text: 'started' },
      { kind: 'question', id: '2', at: AT, text: 'which db?', options: ['pg', 'sqlite'], expiresAt: LATER, status: 'answered', answer: { text: 'sqlite', at: LATER } },
      { kind: 'question', id: '3', at: AT, text: 'open?', options: [], expiresAt: LATER, status: 'unanswered' },
      {
        kind: 'question',
        id: '4',
        at: AT,
        text: 'late?',
        options: [],
        expiresAt: LATER,
        status: 'expired',
        answer: { text: 'after all', at: LATER },
        expired: { at: AT, reason: 'timeout' },
      },
      { kind: 'question', id: '5', at: AT, text: 'gone?', options: [], expiresAt: LATER, status: 'expired', expired: { at: AT, reason: 'timeout' } },
      { kind: 'done', id: '6', at: AT, text: 'finished' },
    ]);
  });

  it('refuses a link, a directory or a FIFO in place of a file, naming it', async () => {
    const dir = await tempDir();
    const messages = join(dir, 'messages.jsonl');
    await writeFile(join(dir, 'elsewhere'), jsonl(question('1', 'q')));
    await symlink(join(dir, 'elsewhere'), messages);
    await expect(readInbox(dir)).rejects.toThrow(`The message file ${messages} is a symbolic link, not a regular file, so it is not read; remove it.`);

    const other = await tempDir();
    await mkdir(join(other, 'answers.jsonl'));
    await expect(readInbox(other)).rejects.toMatchObject({
      code: 'not-a-file',
      message: `The answers file ${join(other, 'answers.jsonl')} is not a regular file (it is a directory), so it is not read; remove it.`,
    });

    const third = await tempDir();
    execFileSync('mkfifo', [join(third, 'messages.jsonl')]);
    await expect(readInbox(third)).rejects.toThrow('is not a regular file (it is a FIFO)');
  });

  it('refuses a file over 64 MiB, naming its size', async () => {
    const dir = await tempDir();
    const messages = join(dir, 'messages.jsonl');
    await writeFile(messages, '');
    await truncate(messages, 64 * 1024 * 1024 + 1);
    const error = await readInbox(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InboxError);
    expect(error).toMatchObject({
      code: 'too-big',
      message: `The message file ${messages} is 67108865 bytes, more than the 67108864 a supervise file may have, so it is not read; move it away to start a new one.`,
    });
  });
});
