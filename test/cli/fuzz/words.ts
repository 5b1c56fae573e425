/**
 * Hostile text for the fuzz tests: words made of characters a terminal acts
 * on (C0 and C1 controls, ESC, DEL, NUL, a bidi override), quotes,
 * backslashes, non-ASCII and ordinary letters. `marked` words start with
 * MARK, so a message that names one is told apart from a message that merely
 * happens to contain its characters.
 */
import fc from 'fast-check';

export const MARK = 'zq';

const HOSTILE_CHARS = ['\x00', '\x01', '\x07', '\x1b', '\t', '\n', '\r', '\x7f', '\x9b', '\u202e', '"', "'", '\\', '`', '$', '*', ' ', 'é', '🚀', '=', ':', '/', '.', '_', '-'];

const char = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789') },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_CHARS) },
);

/** Any short text, possibly empty, possibly hostile. */
export const text = fc.string({ unit: char, maxLength: 12 });

/** MARK then 1-10 more characters: never empty, never starting with "-". */
export const marked = fc.string({ unit: char, minLength: 1, maxLength: 10 }).map((rest) => `${MARK}${rest}`);

/** A long text, 1 000 to 100 000 characters. */
export const huge = fc.tuple(fc.integer({ min: 1000, max: 100_000 }), fc.constantFrom('a', 'é', '\x01', 'a/', '🚀')).map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));

/** `a\0b`: text with a NUL inside. */
export const withNul = fc.tuple(text, text).map(([a, b]) => `${a}\0${b}`);
