import { describe, expect, it } from 'vitest';
import { terminalJson, terminalLines, terminalText } from '../../lib/report/terminal-text.js';
import { GUEST, GUEST_SHOWN } from './hostile.js';

describe('text from a guest, made safe for a terminal', () => {
  it('shows OSC 52, screen clears, carriage returns, BEL and C1 controls as escapes', () => {
    expect(terminalText(GUEST)).toBe(GUEST_SHOWN);
    expect(terminalText('\x00\x1b\x7f\x80\x9b\x9f')).toBe('\\x00\\x1b\\x7f\\x80\\x9b\\x9f');
  });

  it('escapes bidi overrides and isolates, and lone surrogates, but not a paired emoji', () => {
    expect(terminalText('a\u202eb\u2066c\u2069')).toBe('a\\u202eb\\u2066c\\u2069');
    expect(terminalText('x\ud800y\udfff')).toBe('x\\ud800y\\udfff');
    expect(terminalText('🚀')).toBe('🚀');
  });

  it('leaves ordinary text as it is, the same string when there is nothing to escape', () => {
    const text = 'pulling layer 3/7 — café, naïve, 日本語, 👩‍💻, C:\\path\\x1b';
    expect(terminalText(text)).toBe(text);
    expect(terminalLines(text)).toBe(text);
  });

  it('turns a tab into a space; shows a newline, unless the text may span lines', () => {
    expect(terminalText('a\tb\nc')).toBe('a b\\nc');
    expect(terminalLines('a\tb\nc\r\x1b[2J')).toBe('a b\nc\\r\\x1b[2J');
  });

  it('escapes C1 and bidi controls inside JSON as \\u escapes that parse back to the same value', () => {
    const value = { line: `${GUEST}\u202e\x7f` };
    const json = terminalJson(JSON.stringify(value));
    expect(json).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e]/);
    expect(json).toContain('\\u009b31m');
    expect(JSON.parse(json)).toEqual(value);
  });
});
