import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { MessageLog } from '../../../daemons/supervise/message-log.js';
import { openMessageLog } from '../../../daemons/supervise/message-log.js';
import type { QuestionDeskOptions } from '../../../daemons/supervise/question-desk.js';
import { createQuestionDesk } from '../../../daemons/supervise/question-desk.js';
import { tempDir } from '../../state/temp-dir.js';

const AT = '2030-01-02T03:04:05.678Z';

async function openDesk(options: Partial<QuestionDeskOptions> = {}): Promise<{ desk: ReturnType<typeof createQuestionDesk>; log: MessageLog; dir: string }> {
  const dir = await tempDir();
  const log = await openMessageLog(dir);
  const desk = createQuestionDesk(log, { timeoutMs: 60_000, ...options });
  onTestFinished(async () => {
    await desk.close();
    await log.close();
  });
  return { desk, log, dir };
}

/** The kinds and reasons of the lines after the questions, as "id kind [reason]". */
async function lines(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, 'messages.jsonl'), 'utf8');
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; kind: string; reason?: string })
    .map(({ id, kind, reason }) => [id, kind, reason].filter(Boolean).join(' '));
}

describe('createQuestionDesk', () => {
  it('hands each question the first answer to its id, and ignores the others', async () => {
    const { desk, dir } = await openDesk();
    const first = desk.ask({ text: 'one?' });
    const second = desk.ask({ text: 'two?', options: ['a', 'b'] });
    await expect.poll(() => desk.waiting).toBe(2);
    desk.answer({ v: 1, id: '9', at: AT, text: 'nobody asked' });
    desk.answer({ v: 1, id: '2', at: AT, text: 'b' });
    desk.answer({ v: 1, id: '2', at: AT, text: 'a, on second thought' });
    desk.answer({ v: 1, id: '1', at: AT, text: 'yes' });
    expect(await first).toEqual({ kind: 'answered', id: '1', text: 'yes' });
    expect(await second).toEqual({ kind: 'answered', id: '2', text: 'b' });
    expect(desk.waiting).toBe(0);
    expect(await lines(dir)).toEqual(['1 question', '2 question']);
  });

  it('expires a question at its deadline', async () => {
    const { desk, dir } = await openDesk({ timeoutMs: 50 });
    expect(await desk.ask({ text: 'quick?' })).toEqual({ kind: 'expired', id: '1', reason: 'timeout' });
    desk.answer({ v: 1, id: '1', at: AT, text: 'too late' });
    expect(await lines(dir)).toEqual(['1 question', '1 expired timeout']);
  });

  it('expires a question whose caller gives up, also one that gave up before the line was written', async () => {
    const { desk, dir } = await openDesk();
    const abort = new AbortController();
    const asked = desk.ask({ text: 'cancel?' }, abort.signal);
    await expect.poll(() => desk.waiting).toBe(1);
    abort.abort();
    expect(await asked).toEqual({ kind: 'expired', id: '1', reason: 'cancelled' });
    expect(await desk.ask({ text: 'already?' }, AbortSignal.abort())).toEqual({ kind: 'expired', id: '2', reason: 'cancelled' });
    expect(await lines(dir)).toEqual(['1 question', '1 expired cancelled', '2 question', '2 expired cancelled']);
  });

  it('ends every wait as stopped when closed, and refuses new questions', async () => {
    const { desk, dir } = await openDesk();
    const asked = [desk.ask({ text: 'a?' }), desk.ask({ text: 'b?' })];
    await desk.close();
    expect(await Promise.all(asked)).toEqual([
      { kind: 'expired', id: '1', reason: 'stopped' },
      { kind: 'expired', id: '2', reason: 'stopped' },
    ]);
    await expect(desk.ask({ text: 'c?' })).rejects.toThrow('The supervise daemon is stopping; no question can be asked now.');
    expect((await lines(dir)).sort()).toEqual(['1 expired stopped', '1 question', '2 expired stopped', '2 question']);
  });

  it('refuses a question past the most that may wait, saying what to do', async () => {
    const { desk } = await openDesk({ maxWaiting: 1 });
    void desk.ask({ text: 'first?' });
    await expect.poll(() => desk.waiting).toBe(1);
    await expect(desk.ask({ text: 'second?' })).rejects.toThrow(
      'As many questions as may wait at once (1) already wait for answers; wait for one of them before asking another.',
    );
  });

  it('still tells the caller no answer came when the expired line cannot be written', async () => {
    const errors: Error[] = [];
    const { desk, log } = await openDesk({ timeoutMs: 50, onError: (error) => errors.push(error) });
    const asked = desk.ask({ text: 'then?' });
    await expect.poll(() => desk.waiting).toBe(1);
    await log.close();
    expect(await asked).toEqual({ kind: 'expired', id: '1', reason: 'timeout' });
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('is closed: the supervise daemon is stopping')]);
  });
});
