/**
 * Progress notifications while ask_human waits, for a client that asked for
 * them (a `progressToken` on the call): one every `everyMs`, saying how long
 * is left. They show the user what the agent waits for, and they are the
 * messages that keep a client's idle watchdog from giving up on a call that
 * is quiet on purpose (Claude Code aborts a remote tool call after 5 minutes
 * with no response). It does not wait for anything itself.
 */
import type { ProgressToken, ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import { describeDuration } from './replies.js';

export const DEFAULT_PROGRESS_EVERY_MS = 30_000;

export interface ProgressChannel {
  readonly _meta?: { readonly progressToken?: ProgressToken };
  sendNotification(notification: ServerNotification): Promise<void>;
}

/** Starts the notifications for the call of `channel`; the returned function stops them. */
export function reportWaiting(channel: ProgressChannel, timeoutMs: number, everyMs: number): () => void {
  const progressToken = channel._meta?.progressToken;
  if (progressToken === undefined) return () => undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    const elapsed = Date.now() - started;
    const message = `Waiting for the human's answer; ${describeDuration(Math.max(0, timeoutMs - elapsed))} left before going on without one.`;
    // Seconds since the call began: they only grow, as progress must. A notification that cannot be sent is no loss.
    channel
      .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: elapsed / 1000, total: timeoutMs / 1000, message } })
      .catch(() => undefined);
  }, everyMs);
  return () => clearInterval(timer);
}
