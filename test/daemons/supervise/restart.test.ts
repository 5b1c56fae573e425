/**
 * A bundle restart: the directory outlives the daemon, so messages stay,
 * ids go on, a line torn by a crash is passed over, and a client still
 * holding a session of the old daemon keeps working.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInbox } from '../../../lib/supervise/inbox.js';
import { connectClient, startDaemon, textOf } from './start-daemon.js';

const TORN = '{"v":1,"id":"2","at":"2030-01-01T00:00:00.000Z","kind":"progr';

describe('a daemon started again on the same directory', () => {
  it('keeps the messages and goes on with the ids', async () => {
    const first = await startDaemon({ askTimeoutMs: 100 });
    const client = await connectClient(first.base);
    await client.callTool({ name: 'report_progress', arguments: { text: 'one' } });
    await client.callTool({ name: 'ask_human', arguments: { question: 'two?' } });
    await client.close();
    await first.running.close();

    const second = await startDaemon({ dir: first.dir });
    const again = await connectClient(second.base);
    expect(textOf(await again.callTool({ name: 'report_progress', arguments: { text: 'three' } }))).toBe('Progress recorded (message 3). Carry on.');
    expect((await readInbox(first.dir)).map(({ id, kind, text }) => [id, kind, text])).toEqual([
      ['1', 'progress', 'one'],
      ['2', 'question', 'two?'],
      ['3', 'progress', 'three'],
    ]);
  });

  it('passes over a torn last line and starts the next one on a line of its own', async () => {
    const first = await startDaemon();
    const client = await connectClient(first.base);
    await client.callTool({ name: 'report_progress', arguments: { text: 'before the crash' } });
    await client.close();
    await first.running.close();
    await appendFile(join(first.dir, 'messages.jsonl'), TORN);

    const second = await startDaemon({ dir: first.dir });
    const again = await connectClient(second.base);
    expect(textOf(await again.callTool({ name: 'report_progress', arguments: { text: 'after' } }))).toBe('Progress recorded (message 2). Carry on.');
    expect((await readInbox(first.dir)).map(({ id, text }) => [id, text])).toEqual([
      ['1', 'before the crash'],
      ['2', 'after'],
    ]);
    const raw = (await readFile(join(first.dir, 'messages.jsonl'), 'utf8')).split('\n');
    expect(raw[1]).toBe(TORN);
    expect(JSON.parse(raw[2] ?? '')).toMatchObject({ id: '2', text: 'after' });
  });

  it('serves a client that still names a session of the daemon before it', async () => {
    const first = await startDaemon();
    const client = await connectClient(first.base);
    await client.callTool({ name: 'report_progress', arguments: { text: 'before' } });
    await first.running.close();

    await startDaemon({ dir: first.dir, listen: { host: '127.0.0.1', port: first.running.address.port } });
    const result = await client.callTool({ name: 'report_progress', arguments: { text: 'after the restart' } });
    expect(textOf(result)).toBe('Progress recorded (message 2). Carry on.');
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(3);
  });
});
