/** The line formats, read as what they are: input from a process in the sandbox. */
import { describe, expect, it } from 'vitest';
import { formatLine, parseAnswerLine, parseMessageLine } from '../../../daemons/supervise/format.js';
import { readRecords, splitLines } from '../../../daemons/supervise/lines.js';

const AT = '2030-01-02T03:04:05.678Z';
const line = (value: unknown): string => JSON.stringify(value);

describe('parseMessageLine', () => {
  it('reads each kind as written, and writes it back the same', () => {
    const lines = [
      { v: 1, id: '1', at: AT, kind: 'progress', text: 'p' },
      { v: 1, id: '2', at: AT, kind: 'question', text: 'q?', options: ['a', 'b'], expiresAt: AT },
      { v: 1, id: '3', at: AT, kind: 'question', text: 'open?', expiresAt: AT },
      { v: 1, id: '4', at: AT, kind: 'done', text: 'd' },
      { v: 1, id: '2', at: AT, kind: 'expired', reason: 'cancelled' },
    ] as const;
    for (const value of lines) {
      expect(parseMessageLine(line(value))).toEqual(value);
      expect(formatLine(value)).toBe(`${line(value)}\n`);
    }
  });

  it('reads an expired line without a reason as a timeout', () => {
    expect(parseMessageLine(line({ v: 1, id: '2', at: AT, kind: 'expired' }))).toEqual({ v: 1, id: '2', at: AT, kind: 'expired', reason: 'timeout' });
  });

  it('keeps only the known fields', () => {
    const parsed = parseMessageLine('{"v":1,"id":"1","at":"2030-01-02T03:04:05.678Z","kind":"progress","text":"p","__proto__":{"x":1},"extra":2}');
    expect(parsed).toEqual({ v: 1, id: '1', at: AT, kind: 'progress', text: 'p' });
    expect(Object.keys(parsed ?? {})).toEqual(['v', 'id', 'at', 'kind', 'text']);
  });

  it.each([
    ['not JSON', '{"v":1,'],
    ['not an object', '[1]'],
    ['another version', line({ v: 2, id: '1', at: AT, kind: 'progress', text: 'p' })],
    ['a number id', line({ v: 1, id: 1, at: AT, kind: 'progress', text: 'p' })],
    ['an id with a leading zero', line({ v: 1, id: '01', at: AT, kind: 'progress', text: 'p' })],
    ['an id past 15 digits', line({ v: 1, id: '1234567890123456', at: AT, kind: 'progress', text: 'p' })],
    ['a time that is not one', line({ v: 1, id: '1', at: 'yesterday', kind: 'progress', text: 'p' })],
    ['an unknown kind', line({ v: 1, id: '1', at: AT, kind: 'shell', text: 'rm -rf' })],
    ['a text that is not a string', line({ v: 1, id: '1', at: AT, kind: 'progress', text: { toString: 1 } })],
    ['an empty text', line({ v: 1, id: '1', at: AT, kind: 'done', text: '' })],
    ['a text over 64 Ki characters', line({ v: 1, id: '1', at: AT, kind: 'progress', text: 'x'.repeat(65537) })],
    ['a question without expiresAt', line({ v: 1, id: '1', at: AT, kind: 'question', text: 'q' })],
    ['options that are not strings', line({ v: 1, id: '1', at: AT, kind: 'question', text: 'q', options: [1], expiresAt: AT })],
    ['21 options', line({ v: 1, id: '1', at: AT, kind: 'question', text: 'q', options: Array(21).fill('o'), expiresAt: AT })],
    ['an option over 200 characters', line({ v: 1, id: '1', at: AT, kind: 'question', text: 'q', options: ['o'.repeat(201)], expiresAt: AT })],
    ['an unknown expiry reason', line({ v: 1, id: '1', at: AT, kind: 'expired', reason: 'bored' })],
  ])('refuses a line with %s', (_, text) => {
    expect(parseMessageLine(text)).toBeUndefined();
  });
});

describe('parseAnswerLine', () => {
  it('reads an answer and refuses one without text', () => {
    expect(parseAnswerLine(line({ v: 1, id: '7', at: AT, text: 'yes' }))).toEqual({ v: 1, id: '7', at: AT, text: 'yes' });
    expect(parseAnswerLine(line({ v: 1, id: '7', at: AT }))).toBeUndefined();
    expect(parseAnswerLine(line({ v: 1, id: '7', at: AT, text: 42 }))).toBeUndefined();
  });
});

describe('readRecords', () => {
  const progress = (id: string): string => line({ v: 1, id, at: AT, kind: 'progress', text: id });

  it('skips lines that are not records, blank lines and a half-written last line', () => {
    const text = `${progress('1')}\n\ngarbage\n${progress('2')}\n${progress('3').slice(0, 30)}`;
    expect(readRecords(text, parseMessageLine).map((message) => message.id)).toEqual(['1', '2']);
  });

  it('takes a last line that lacks only its newline', () => {
    expect(readRecords(`${progress('1')}\n${progress('2')}`, parseMessageLine).map((message) => message.id)).toEqual(['1', '2']);
  });

  it('splits text into the lines a newline ends and the rest', () => {
    expect(splitLines('a\nb\nc')).toEqual({ complete: ['a', 'b'], tail: 'c' });
    expect(splitLines('a\n')).toEqual({ complete: ['a'], tail: '' });
    expect(splitLines('')).toEqual({ complete: [], tail: '' });
  });
});
