/** The tools when a message cannot be recorded: the agent gets a tool error in the log's words, not a broken call. */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openMessageLog } from '../../../daemons/supervise/message-log.js';
import { createQuestionDesk } from '../../../daemons/supervise/question-desk.js';
import { createSuperviseServer } from '../../../daemons/supervise/tools.js';
import { tempDir } from '../../state/temp-dir.js';
import { textOf } from './start-daemon.js';

async function toolsOver(maxBytes: number): Promise<{ client: Client; dir: string; closeLog: () => Promise<void> }> {
  const dir = await tempDir();
  const log = await openMessageLog(dir, { maxBytes });
  const desk = createQuestionDesk(log, { timeoutMs: 60_000 });
  const server = createSuperviseServer({ log, desk, askTimeoutMs: 60_000 });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  onTestFinished(async () => {
    await client.close();
    await desk.close();
    await log.close();
  });
  return { client, dir, closeLog: () => log.close() };
}

describe('the tools', () => {
  it('answer a tool error when the message log is full', async () => {
    const { client, dir } = await toolsOver(120);
    expect((await client.callTool({ name: 'report_progress', arguments: { text: 'fits' } })).isError).toBeFalsy();
    for (const [name, args] of [
      ['report_progress', { text: 'x'.repeat(100) }],
      ['ask_human', { question: 'x'.repeat(100) }],
      ['done', { summary: 'x'.repeat(100) }],
    ] as const) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe(
        `The message log ${join(dir, 'messages.jsonl')} is full (120 bytes): nothing more can be recorded for this bottle. Carry on without supervise messages.`,
      );
    }
  });

  it('answer a tool error once the daemon is stopping', async () => {
    const { client, closeLog } = await toolsOver(1024);
    await closeLog();
    const result = await client.callTool({ name: 'done', arguments: { summary: 'all done' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/is closed: the supervise daemon is stopping\.$/);
  });
});
