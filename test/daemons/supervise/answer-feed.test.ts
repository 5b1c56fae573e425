import { appendFile, mkdir, rename, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { watchAnswers } from '../../../daemons/supervise/answer-feed.js';
import { tempDir } from '../../state/temp-dir.js';

const AT = '2030-01-02T03:04:05.678Z';
const answer = (id: string, text: string): string => `${JSON.stringify({ v: 1, id, at: AT, text })}\n`;

/** Watches `path` (a fresh `answers.jsonl` when not given); `got` collects "id=text" of every answer handed over. */
async function watch(given?: string): Promise<{ path: string; got: string[]; errors: Error[] }> {
  const path = given ?? join(await tempDir(), 'answers.jsonl');
  const got: string[] = [];
  const errors: Error[] = [];
  const feed = await watchAnswers(path, (line) => got.push(`${line.id}=${line.text}`), { pollMs: 10, onError: (error) => errors.push(error) });
  onTestFinished(() => feed.close());
  return { path, got, errors };
}

const until = (check: () => void): Promise<void> => vi.waitFor(check, { timeout: 5000, interval: 5 });

describe('watchAnswers', () => {
  it('hands over the answers appended after it started, in order, and not those already there', async () => {
    const path = join(await tempDir(), 'answers.jsonl');
    await writeFile(path, answer('1', 'old'));
    const { got } = await watch(path);
    await appendFile(path, answer('2', 'two'));
    await appendFile(path, answer('3', 'three') + answer('4', 'four'));
    await until(() => expect(got).toEqual(['2=two', '3=three', '4=four']));
  });

  it('reads a file that appears after it started from its start', async () => {
    const { path, got } = await watch();
    await writeFile(path, answer('1', 'first') + answer('2', 'second'));
    await until(() => expect(got).toEqual(['1=first', '2=second']));
  });

  it('holds a line until its newline comes, and skips lines that are not answers', async () => {
    const { path, got } = await watch();
    const whole = answer('5', 'é and 日本');
    const bytes = Buffer.from(whole);
    // Cut inside a multi-byte character: the halves must be joined as bytes.
    await writeFile(path, bytes.subarray(0, bytes.indexOf('日') + 1));
    await appendFile(path, Buffer.concat([bytes.subarray(bytes.indexOf('日') + 1), Buffer.from('not an answer\n\n'), Buffer.from(answer('6', 'six'))]));
    await until(() => expect(got).toEqual(['5=é and 日本', '6=six']));
  });

  it('starts over when the file is replaced', async () => {
    const { path, got } = await watch();
    await writeFile(path, answer('1', 'one'));
    await until(() => expect(got).toEqual(['1=one']));
    await writeFile(`${path}.new`, answer('2', 'two'));
    await rename(`${path}.new`, path);
    await until(() => expect(got).toEqual(['1=one', '2=two']));
  });

  it('reports a directory in place of the file once, and reads the file once it is one', async () => {
    const { path, got, errors } = await watch();
    await mkdir(path);
    await until(() => expect(errors.map((error) => error.message)).toEqual([`The answers file ${path} is not a regular file; answers cannot reach waiting questions until it is.`]));
    await rmdir(path);
    await writeFile(path, answer('1', 'one'));
    await until(() => expect(got).toEqual(['1=one']));
    expect(errors).toHaveLength(1);
  });
});
