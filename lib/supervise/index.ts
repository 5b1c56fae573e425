/**
 * The host side of supervise: a bottle's inbox (the agent's progress
 * reports, questions and summary, read from the supervise directory the
 * bundle writes) and recording a human's answer there. The line formats are
 * daemons/supervise/format.ts; the daemon notices answers by itself.
 */
export type { DoneEntry, InboxEntry, ProgressEntry, QuestionEntry, QuestionStatus } from './inbox.js';
export { readInbox } from './inbox.js';
export type { AnswerOptions, AnswerReceipt } from './answer.js';
export { answerQuestion } from './answer.js';
export type { InboxErrorCode } from './inbox-error.js';
export { InboxError } from './inbox-error.js';
export type { ExpiryReason } from '../../daemons/supervise/format.js';
export { MAX_TEXT_CHARS } from '../../daemons/supervise/format.js';
