import { readFileSync } from 'node:fs';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageLogError, openMessageLog } from '../../../daemons/supervise/message-log.js';
import { modeOf, tempDir } from '../../state/temp-dir.js';

const AT = '2030-01-02T03:04:05.678Z';
const now = (): Date => new Date(AT);
const read = async (dir: string): Promise<string> => readFile(join(dir, 'messages.jsonl'), 'utf8');

describe('openMessageLog', () => {
  it('creates its directory and a 0600 file, numbers messages from 1 and writes one line each', async () => {
    const dir = join(await tempDir(), 'state', 'supervise');
    const log = await openMessageLog(dir, { now });
    expect(await log.add({ kind: 'progress', text: 'p' })).toEqual({ v: 1, id: '1', at: AT, kind: 'progress', text: 'p' });
    await log.add({ kind: 'question', text: 'q?', options: ['a'], expiresAt: AT });
    await log.expire('2', 'timeout');
    await log.add({ kind: 'done', text: 'd' });
    await log.close();
    expect(await modeOf(join(dir, 'messages.jsonl'))).toBe(0o600);
    expect(await read(dir)).toBe(
      [
        `{"v":1,"id":"1","at":"${AT}","kind":"progress","text":"p"}`,
        `{"v":1,"id":"2","at":"${AT}","kind":"question","text":"q?","options":["a"],"expiresAt":"${AT}"}`,
        `{"v":1,"id":"2","at":"${AT}","kind":"expired","reason":"timeout"}`,
        `{"v":1,"id":"3","at":"${AT}","kind":"done","text":"d"}`,
        '',
      ].join('\n'),
    );
  });

  it('writes messages added at once in id order, each line whole', async () => {
    const dir = await tempDir();
    const log = await openMessageLog(dir);
    const written = await Promise.all(Array.from({ length: 200 }, (_, i) => log.add({ kind: 'progress', text: `${i} ${'x'.repeat(i * 50)}` })));
    await log.close();
    expect(written.map((message) => message.id)).toEqual(Array.from({ length: 200 }, (_, i) => String(i + 1)));
    const lines = (await read(dir)).trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; text: string });
    expect(lines.map((line) => [line.id, line.text.split(' ')[0]])).toEqual(Array.from({ length: 200 }, (_, i) => [String(i + 1), String(i)]));
  });

  it('tells the id before the line can be read', async () => {
    const dir = await tempDir();
    const log = await openMessageLog(dir);
    let seen = 'not called';
    await log.add({ kind: 'progress', text: 'p' }, (id) => {
      seen = `${id}: ${JSON.stringify(readFileSync(join(dir, 'messages.jsonl'), 'utf8'))}`;
    });
    await log.close();
    expect(seen).toBe('1: ""');
  });

  it('goes on from the highest id of the file it finds, past lines that are not messages', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'messages.jsonl'),
      `{"v":1,"id":"4","at":"${AT}","kind":"progress","text":"p"}\nnot json\n{"v":1,"id":"9","at":"${AT}","kind":"expired"}\n`,
    );
    const log = await openMessageLog(dir);
    expect((await log.add({ kind: 'progress', text: 'next' })).id).toBe('5');
    await log.close();
  });

  it('counts a last line that lacks only its newline, and starts the next line after one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'messages.jsonl'), `{"v":1,"id":"1","at":"${AT}","kind":"progress","text":"p"}`);
    const log = await openMessageLog(dir, { now });
    await log.add({ kind: 'progress', text: 'q' });
    await log.close();
    expect((await read(dir)).split('\n').map((line) => (line ? (JSON.parse(line) as { id: string }).id : ''))).toEqual(['1', '2', '']);
  });

  it('refuses to grow the file past its limit, saying so', async () => {
    const dir = await tempDir();
    const log = await openMessageLog(dir, { maxBytes: 200 });
    await log.add({ kind: 'progress', text: 'fits' });
    const path = join(dir, 'messages.jsonl');
    const size = (await stat(path)).size;
    await expect(log.add({ kind: 'progress', text: 'x'.repeat(200) })).rejects.toThrow(
      `The message log ${path} is full (200 bytes): nothing more can be recorded for this bottle. Carry on without supervise messages.`,
    );
    expect((await stat(path)).size).toBe(size);
    await log.close();
    await expect(log.add({ kind: 'progress', text: 'late' })).rejects.toBeInstanceOf(MessageLogError);
  });

  it('refuses to open a directory or a link in place of the file, naming it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'messages.jsonl'));
    await expect(openMessageLog(dir)).rejects.toThrow(`Cannot open the message log ${join(dir, 'messages.jsonl')}: EISDIR`);
    const other = await tempDir();
    await writeFile(join(other, 'target'), '');
    await symlink(join(other, 'target'), join(other, 'messages.jsonl'));
    await expect(openMessageLog(other)).rejects.toThrow(`Cannot open the message log ${join(other, 'messages.jsonl')}: ELOOP`);
  });
});
