/**
 * What the agent reads back from the tools: short acknowledgements, and for a
 * question that got no answer, why and what to do instead. A question's
 * answer itself is returned as the human wrote it (tools.ts). It decides
 * nothing.
 */
import type { ExpiryReason } from './format.js';

export function progressRecorded(id: string): string {
  return `Progress recorded (message ${id}). Carry on.`;
}

export function doneRecorded(id: string): string {
  return `Recorded that you are done (message ${id}); the human will read your summary.`;
}

const NO_ANSWER: Record<ExpiryReason, (id: string, timeoutMs: number) => string> = {
  timeout: (id, timeoutMs) =>
    `No answer came within ${describeDuration(timeoutMs)}, so question ${id} is closed. ` +
    'Go on with your best judgement, and say what you assumed in your next progress report or your summary.',
  cancelled: (id) => `Question ${id} was withdrawn: the call asking it was cancelled before an answer came.`,
  stopped: (id) =>
    `The supervise daemon stopped before question ${id} was answered. Go on with your best judgement, or ask again once the bottle is back.`,
};

export function noAnswer(id: string, reason: ExpiryReason, timeoutMs: number): string {
  return NO_ANSWER[reason](id, timeoutMs);
}

/** `90000` → "1.5 minutes", `600000` → "10 minutes", `1000` → "1 second". */
export function describeDuration(ms: number): string {
  if (ms >= 60_000) return plural(round(ms / 60_000), 'minute');
  return plural(round(ms / 1000), 'second');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
