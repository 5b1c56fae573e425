/**
 * The daemon as the agent meets it: the SDK's MCP client over streamable
 * HTTP (as Claude Code connects), the files as the host reads and writes
 * them through lib/supervise.
 */
import { describe, expect, it, vi } from 'vitest';
import { answerQuestion } from '../../../lib/supervise/answer.js';
import { readInbox } from '../../../lib/supervise/inbox.js';
import { connectClient, messageLines, startDaemon, textOf } from './start-daemon.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Waits until the bottle's inbox has a question nobody answered with `text`, and returns its id. */
async function questionAsked(dir: string, text: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const entry = (await readInbox(dir)).find((candidate) => candidate.kind === 'question' && candidate.text === text);
      if (!entry) throw new Error(`no question ${JSON.stringify(text)} yet`);
      return entry.id;
    },
    { timeout: 5000, interval: 10 },
  );
}

describe('the tools', () => {
  it('are report_progress, ask_human and done, with bounded text inputs', async () => {
    const { base } = await startDaemon({ askTimeoutMs: 600_000 });
    const client = await connectClient(base);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['ask_human', 'done', 'report_progress']);
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(byName['report_progress']?.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string', maxLength: 65536 } },
      required: ['text'],
    });
    expect(byName['done']?.inputSchema).toMatchObject({ properties: { summary: { type: 'string', maxLength: 65536 } }, required: ['summary'] });
    expect(byName['ask_human']?.inputSchema).toMatchObject({
      properties: {
        question: { type: 'string', maxLength: 65536 },
        options: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 200 } },
      },
      required: ['question'],
    });
    expect(byName['ask_human']?.description).toContain('If no answer comes within 10 minutes');
    expect(client.getServerVersion()?.name).toBe('supervise');
  });

  it('record progress and the summary in messages.jsonl, and acknowledge them', async () => {
    const { base, dir } = await startDaemon();
    const client = await connectClient(base);
    const progress = await client.callTool({ name: 'report_progress', arguments: { text: 'Tests pass; writing docs.' } });
    expect(textOf(progress)).toBe('Progress recorded (message 1). Carry on.');
    const done = await client.callTool({ name: 'done', arguments: { summary: 'Added the parser; see README.' } });
    expect(textOf(done)).toBe('Recorded that you are done (message 2); the human will read your summary.');
    const lines = await messageLines(dir);
    expect(lines).toEqual([
      { v: 1, id: '1', at: expect.stringMatching(ISO), kind: 'progress', text: 'Tests pass; writing docs.' },
      { v: 1, id: '2', at: expect.stringMatching(ISO), kind: 'done', text: 'Added the parser; see README.' },
    ]);
  });

  it('refuse texts that are blank or too long, and too many options, with a tool error naming the field', async () => {
    const { base, dir } = await startDaemon();
    const client = await connectClient(base);
    const blank = await client.callTool({ name: 'report_progress', arguments: { text: '  ' } });
    expect(blank.isError).toBe(true);
    expect(textOf(blank)).toMatch(/Invalid arguments for tool report_progress: blank \(write what you mean to tell the human\) at text$/);
    const long = await client.callTool({ name: 'done', arguments: { summary: 'x'.repeat(65537) } });
    expect(long.isError).toBe(true);
    expect(textOf(long)).toMatch(/over 65536 characters \(shorten it: put long material in a file in the workspace and name the file\) at summary$/);
    const options = await client.callTool({ name: 'ask_human', arguments: { question: 'Which?', options: Array.from({ length: 21 }, (_, i) => `o${i}`) } });
    expect(options.isError).toBe(true);
    expect(textOf(options)).toMatch(/more than 20 options \(offer at most 20\) at options$/);
    expect(await messageLines(dir)).toEqual([]);
  });
});

describe('ask_human', () => {
  it('waits for the answer the host writes, and returns it', async () => {
    const { base, dir } = await startDaemon();
    const client = await connectClient(base);
    let returned = false;
    const call = client
      .callTool({ name: 'ask_human', arguments: { question: 'Postgres or SQLite?', options: ['Postgres', 'SQLite'] } })
      .finally(() => {
        returned = true;
      });
    const id = await questionAsked(dir, 'Postgres or SQLite?');
    const [question] = await messageLines(dir);
    expect(question).toEqual({
      v: 1,
      id,
      at: expect.stringMatching(ISO),
      kind: 'question',
      text: 'Postgres or SQLite?',
      options: ['Postgres', 'SQLite'],
      expiresAt: expect.stringMatching(ISO),
    });
    expect(Date.parse(String(question?.['expiresAt'])) - Date.parse(String(question?.['at']))).toBeCloseTo(30_000, -2);
    expect(returned).toBe(false);

    await answerQuestion(dir, id, 'SQLite, it is a CLI.');
    expect(textOf(await call)).toBe('SQLite, it is a CLI.');
    expect(await readInbox(dir)).toMatchObject([{ kind: 'question', id, status: 'answered', answer: { text: 'SQLite, it is a CLI.' } }]);
  });

  it('tells the agent to go on when no answer comes in time, and marks the question expired', async () => {
    const { base, dir } = await startDaemon({ askTimeoutMs: 150 });
    const client = await connectClient(base);
    const result = await client.callTool({ name: 'ask_human', arguments: { question: 'Anyone there?' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(
      'No answer came within 0.2 seconds, so question 1 is closed. Go on with your best judgement, and say what you assumed in your next progress report or your summary.',
    );
    expect((await messageLines(dir)).map(({ kind, id, reason }) => ({ kind, id, reason }))).toEqual([
      { kind: 'question', id: '1', reason: undefined },
      { kind: 'expired', id: '1', reason: 'timeout' },
    ]);
    // A late answer is still recorded, and the host is told the agent stopped waiting.
    expect(await answerQuestion(dir, '1', 'Yes')).toMatchObject({ id: '1', expired: { reason: 'timeout' } });
  });

  it('sends progress notifications while it waits, to a client that asks for them', async () => {
    const { base, dir } = await startDaemon({ askTimeoutMs: 600_000 }, { progressEveryMs: 20 });
    const client = await connectClient(base);
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const call = client.callTool({ name: 'ask_human', arguments: { question: 'Slow one?' } }, undefined, { onprogress: (update) => progress.push(update) });
    const id = await questionAsked(dir, 'Slow one?');
    await vi.waitFor(() => expect(progress.length).toBeGreaterThanOrEqual(2), { timeout: 5000, interval: 10 });
    await answerQuestion(dir, id, 'fine');
    expect(textOf(await call)).toBe('fine');
    expect(progress[0]).toMatchObject({ total: 600, message: expect.stringMatching(/^Waiting for the human's answer; \d+(\.\d)? minutes left before going on without one\.$/) });
    expect(progress[1]!.progress).toBeGreaterThan(progress[0]!.progress);
  });

  it('gives each of two clients asking at once its own answer', async () => {
    const { base, dir } = await startDaemon();
    const [alice, bob] = await Promise.all([connectClient(base, 'alice'), connectClient(base, 'bob')]);
    const aliceCall = alice.callTool({ name: 'ask_human', arguments: { question: 'Alice asks' } });
    const bobCall = bob.callTool({ name: 'ask_human', arguments: { question: 'Bob asks' } });
    const [aliceId, bobId] = await Promise.all([questionAsked(dir, 'Alice asks'), questionAsked(dir, 'Bob asks')]);
    await answerQuestion(dir, bobId, 'for Bob');
    expect(textOf(await bobCall)).toBe('for Bob');
    await answerQuestion(dir, aliceId, 'for Alice');
    expect(textOf(await aliceCall)).toBe('for Alice');
  });

  it('stops waiting when the client cancels the call, and marks the question expired', async () => {
    const { base, dir } = await startDaemon();
    const client = await connectClient(base);
    const abort = new AbortController();
    const call = client.callTool({ name: 'ask_human', arguments: { question: 'Cancel me' } }, undefined, { signal: abort.signal });
    const id = await questionAsked(dir, 'Cancel me');
    abort.abort('the user pressed Esc');
    await expect(call).rejects.toThrow();
    await vi.waitFor(async () => expect(await readInbox(dir)).toMatchObject([{ id, status: 'expired', expired: { reason: 'cancelled' } }]), {
      timeout: 5000,
      interval: 10,
    });
  });

  it('stops waiting when the client goes away, even without a session', async () => {
    const { base, dir } = await startDaemon();
    const abort = new AbortController();
    const body = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'ask_human', arguments: { question: 'Hang up on me' } } };
    const response = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const id = await questionAsked(dir, 'Hang up on me');
    abort.abort();
    await vi.waitFor(async () => expect(await readInbox(dir)).toMatchObject([{ id, status: 'expired', expired: { reason: 'cancelled' } }]), {
      timeout: 5000,
      interval: 10,
    });
  });

  it('answers a call still waiting when the daemon stops, and marks its question expired', async () => {
    const { base, dir, running } = await startDaemon();
    const client = await connectClient(base);
    const call = client.callTool({ name: 'ask_human', arguments: { question: 'Still there?' } });
    await questionAsked(dir, 'Still there?');
    await running.close();
    expect(textOf(await call)).toBe('The supervise daemon stopped before question 1 was answered. Go on with your best judgement, or ask again once the bottle is back.');
    expect(await readInbox(dir)).toMatchObject([{ id: '1', status: 'expired', expired: { reason: 'stopped' } }]);
  });
});
