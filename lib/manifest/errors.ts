/**
 * The one error class of lib/manifest: no manifest found, a file that cannot be
 * read or parsed, or a manifest that breaks the schema. It carries every issue
 * found, not just the first, and keeps the underlying `cause`. It does not
 * print anything; bin/ decides how to show it (and that it exits 2).
 */
import { TOP_LEVEL, type ManifestIssue } from './issues.js';

export type ManifestErrorCode = 'NOT_FOUND' | 'UNREADABLE' | 'SYNTAX' | 'INVALID';

export interface ManifestErrorOptions {
  code: ManifestErrorCode;
  /** The manifest file, or the directory searched when none was found. */
  file: string;
  /** The message; for INVALID it is built from the issues. */
  message?: string;
  issues?: readonly ManifestIssue[];
  /** Where a syntax error is, 1-based, when the parser says. */
  line?: number;
  column?: number;
  cause?: unknown;
}

export class ManifestError extends Error {
  readonly code: ManifestErrorCode;
  readonly file: string;
  /** Every problem found; a failure that is not about one value has one issue at `(top level)`. */
  readonly issues: readonly ManifestIssue[];
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(options: ManifestErrorOptions) {
    const issues = options.issues ?? [];
    const message = options.message ?? invalidMessage(options.file, issues);
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ManifestError';
    this.code = options.code;
    this.file = options.file;
    this.issues = issues.length > 0 ? issues : [{ path: TOP_LEVEL, message }];
    this.line = options.line;
    this.column = options.column;
  }

  /** A manifest that parsed but breaks the schema: all its issues in one error. */
  static invalid(file: string, issues: readonly ManifestIssue[]): ManifestError {
    return new ManifestError({ code: 'INVALID', file, issues });
  }
}

/** `<file> is not a valid bottle manifest:` then one `  - <path>: <message>` line per issue. */
function invalidMessage(file: string, issues: readonly ManifestIssue[]): string {
  const lines = issues.map((issue) => `  - ${issue.path}: ${issue.message}`);
  return [`${file} is not a valid bottle manifest:`, ...lines].join('\n');
}
