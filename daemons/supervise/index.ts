/**
 * The supervise daemon as the bundle's main and the host use it: start and
 * stop it, read its config, and the line formats of messages.jsonl and
 * answers.jsonl (format.ts, their one definition) with the reader of a file
 * another process may be writing (lines.ts). Nothing here starts on import.
 */
export type { RunningSupervise, StartSuperviseOptions } from './daemon.js';
export { startSupervise } from './daemon.js';
export type { SuperviseConfig } from './config.js';
export { DEFAULT_POLL_MS, SuperviseConfigError, checkSuperviseConfig, loadSuperviseConfig } from './config.js';
export { MessageLogError } from './message-log.js';
export { ListenError } from '../common/listen.js';
export type { BoundAddress } from '../common/listen.js';
export { HEALTH_BODY, MCP_PATH } from './http-server.js';
export type { McpEndpointOptions } from './mcp-endpoint.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_MS } from './mcp-endpoint.js';
export { SERVER_NAME } from './tools.js';
export { DEFAULT_PROGRESS_EVERY_MS } from './waiting-progress.js';
export type { AnswerLine, DoneLine, ExpiredLine, ExpiryReason, MessageKind, MessageLine, ProgressLine, QuestionLine } from './format.js';
export {
  ANSWERS_FILE,
  EXPIRY_REASONS,
  FORMAT_VERSION,
  MAX_FILE_BYTES,
  MAX_OPTION_CHARS,
  MAX_OPTIONS,
  MAX_TEXT_CHARS,
  MESSAGES_FILE,
  formatLine,
  isMessageId,
  parseAnswerLine,
  parseMessageLine,
} from './format.js';
export { readRecords, splitLines } from './lines.js';
