/**
 * The MCP server the agent talks to: its three tools, their input schemas
 * (texts and options bounded, so a call that is too big gets a tool error
 * that says what to do) and what each returns; a message that cannot be
 * recorded (the log is full, the daemon is stopping) is a tool error with
 * the log's own words. One server is made per MCP session, and one per
 * request that names none; they all share the message log and the question
 * desk. It does not listen or route HTTP (mcp-endpoint.ts) nor write files
 * itself (message-log.ts).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { MAX_OPTION_CHARS, MAX_OPTIONS, MAX_TEXT_CHARS } from './format.js';
import type { MessageLog } from './message-log.js';
import type { QuestionDesk } from './question-desk.js';
import { describeDuration, doneRecorded, noAnswer, progressRecorded } from './replies.js';
import { DEFAULT_PROGRESS_EVERY_MS, reportWaiting } from './waiting-progress.js';

export const SERVER_NAME = 'supervise';
export const SERVER_VERSION = '1.0.0';

export interface SuperviseTools {
  readonly log: MessageLog;
  readonly desk: QuestionDesk;
  /** How long ask_human waits; told to the agent in the tool's description. */
  readonly askTimeoutMs: number;
  /** How often a waiting ask_human sends a progress notification, when the client asked for them; DEFAULT_PROGRESS_EVERY_MS when not given. */
  readonly progressEveryMs?: number;
}

const INSTRUCTIONS =
  'This server connects you with the human who supervises this sandbox (a bottle). ' +
  'Call report_progress with a sentence at each milestone, ask_human only when you cannot go on without a human decision ' +
  '(it waits for the answer), and done once, when the task is finished.';

// The SDK words a validation failure as "<message> at <field>": each message names the problem, then what to do.

/** A text field: not blank, at most MAX_TEXT_CHARS characters. */
function text(description: string) {
  return z
    .string()
    .max(MAX_TEXT_CHARS, `over ${MAX_TEXT_CHARS} characters (shorten it: put long material in a file in the workspace and name the file)`)
    .refine((value) => value.trim().length > 0, 'blank (write what you mean to tell the human)')
    .describe(description);
}

const options = z
  .array(
    z
      .string()
      .min(1, 'empty option (give each option a few words)')
      .max(MAX_OPTION_CHARS, `option over ${MAX_OPTION_CHARS} characters (keep options short and explain them in the question)`),
  )
  .max(MAX_OPTIONS, `more than ${MAX_OPTIONS} options (offer at most ${MAX_OPTIONS})`)
  .optional()
  .describe(`Up to ${MAX_OPTIONS} short choices to offer (the human may still answer in their own words).`);

function reply(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

export function createSuperviseServer({ log, desk, askTimeoutMs, progressEveryMs = DEFAULT_PROGRESS_EVERY_MS }: SuperviseTools): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION }, { instructions: INSTRUCTIONS });

  server.registerTool(
    'report_progress',
    {
      title: 'Report progress',
      description: 'Tell the human supervising this bottle what you are doing or have just finished, in a sentence or two. Returns at once; no reply comes.',
      inputSchema: { text: text('The progress message.') },
    },
    async ({ text: message }) => reply(progressRecorded((await log.add({ kind: 'progress', text: message })).id)),
  );

  server.registerTool(
    'ask_human',
    {
      title: 'Ask the human',
      description:
        'Ask the human supervising this bottle a question and wait for the answer, which is returned as this tool\'s result. ' +
        'Use it when you cannot go on well without a human decision. ' +
        `If no answer comes within ${describeDuration(askTimeoutMs)}, you are told so: then go on with your best judgement.`,
      inputSchema: { question: text('The question, with what the human needs to know to answer it.'), options },
    },
    async ({ question, options: choices }, extra) => {
      const stopProgress = reportWaiting(extra, askTimeoutMs, progressEveryMs);
      try {
        // No options and an empty list are the same question: the line leaves `options` out.
        const outcome = await desk.ask({ text: question, options: choices?.length ? choices : undefined }, extra.signal);
        return reply(outcome.kind === 'answered' ? outcome.text : noAnswer(outcome.id, outcome.reason, askTimeoutMs));
      } finally {
        stopProgress();
      }
    },
  );

  server.registerTool(
    'done',
    {
      title: 'Done',
      description: 'Tell the human that you have finished the task: what you did, what is left, and what they should check. Call it once, at the end.',
      inputSchema: { summary: text('The summary of your work.') },
    },
    async ({ summary }) => reply(doneRecorded((await log.add({ kind: 'done', text: summary })).id)),
  );

  return server;
}
