/**
 * Text from inside a sandbox (a guest command's output, an error quoting its
 * stderr) made safe to print on the user's terminal: every character a
 * terminal would act on instead of draw — C0 controls, DEL, C1 controls (a
 * raw U+009B is a CSI), lone surrogates, and the bidi overrides and isolates
 * that reorder a line — becomes a visible escape (`\x1b`, `\r`, `\x9b`,
 * `\u202e`), so an OSC 52 clipboard write or a screen clear is shown, never
 * run. A tab becomes a space (the display counts columns). Everything else,
 * "é" and emoji included, is left as it is.
 *
 * It does not escape backslashes (paths and regexes in logs stay readable, so
 * a guest can print a literal `\x1b` that looks like an escaped one), and it
 * does not strip our own styling: escape untrusted text first, then colour it.
 */

/** What a terminal may interpret. With `u`, the surrogate range matches only unpaired halves. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;
const UNSAFE_BUT_NEWLINE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;
/** Raw in JSON.stringify's output (it escapes C0 and lone surrogates itself). */
const UNSAFE_IN_JSON = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\t': ' ', '\n': '\\n', '\r': '\\r' };

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** One line of untrusted text, safe to print: a newline in it is shown as `\n`. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Untrusted text that may span lines (an error message): as `terminalText`, but newlines are kept. */
export function terminalLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, visible);
}

/**
 * A JSON text whose strings carry no raw DEL, C1 or bidi control, for when a
 * person `tail`s NDJSON: each becomes a `\u` escape, so it parses to the same
 * value. Only strings can hold these characters, so the replacement is always
 * inside one.
 */
export function terminalJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
