/**
 * Runs the supervise daemon from a validated config: opens the message log,
 * polls answers.jsonl for answers, and serves MCP (/mcp) and health over
 * HTTP. `close` stops them in order: no new connection, the waiting questions
 * told the daemon stopped (and marked expired), the sessions closed, polling
 * stopped, the log closed. It does not read argv, install signal or error
 * handlers, write to the terminal or exit (the bundle's main does those).
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { BoundAddress } from '../common/listen.js';
import { closeServer, listen } from '../common/listen.js';
import type { AnswerFeed } from './answer-feed.js';
import { watchAnswers } from './answer-feed.js';
import type { SuperviseConfig } from './config.js';
import { DEFAULT_POLL_MS } from './config.js';
import { ANSWERS_FILE } from './format.js';
import { createSuperviseHttpServer } from './http-server.js';
import type { McpEndpoint, McpEndpointOptions } from './mcp-endpoint.js';
import { createMcpEndpoint } from './mcp-endpoint.js';
import { openMessageLog } from './message-log.js';
import { createQuestionDesk } from './question-desk.js';
import { createSuperviseServer } from './tools.js';

export interface RunningSupervise {
  /** Where it listens (the real port when asked for port 0). */
  readonly address: BoundAddress;
  /** Stops everything; waiting ask_human calls are told the daemon stopped. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartSuperviseOptions {
  /** The clock of the lines' times (`at`, `expiresAt`). */
  now?: () => Date;
  /** Told of what fails after start without failing a call: an unreadable answers file, an expired line not written. */
  onError?: (error: Error) => void;
  /** Body and session bounds; the defaults of mcp-endpoint.ts when not given. */
  endpoint?: Omit<McpEndpointOptions, 'onError'>;
  /** How often a waiting ask_human sends a progress notification (to a client that asked for them); 30 s when not given. */
  progressEveryMs?: number;
}

export async function startSupervise(config: SuperviseConfig, options: StartSuperviseOptions = {}): Promise<RunningSupervise> {
  const { now, onError } = options;
  const log = await openMessageLog(config.dir, { now });
  const desk = createQuestionDesk(log, { timeoutMs: config.askTimeoutMs, now, onError });
  let feed: AnswerFeed | undefined;
  let endpoint: McpEndpoint | undefined;
  let server: Server | undefined;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = server ? closeServer(server, () => undefined) : undefined;
      await desk.close();
      // One turn for the replies of the calls just ended to be written out before their streams close.
      await new Promise((resolve) => setImmediate(resolve));
      await endpoint?.close();
      server?.closeAllConnections();
      await stopped;
      await feed?.close();
      await log.close();
    })());

  try {
    feed = await watchAnswers(join(config.dir, ANSWERS_FILE), (answer) => desk.answer(answer), { pollMs: config.pollMs ?? DEFAULT_POLL_MS, onError });
    const tools = { log, desk, askTimeoutMs: config.askTimeoutMs, progressEveryMs: options.progressEveryMs };
    endpoint = createMcpEndpoint(() => createSuperviseServer(tools), { ...options.endpoint, onError });
    server = createSuperviseHttpServer(endpoint);
    const address = await listen(server, config.listen.host, config.listen.port, 'supervise daemon');
    return { address, close };
  } catch (error) {
    await close();
    throw error;
  }
}
