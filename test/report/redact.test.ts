import { describe, expect, it } from 'vitest';
import { redactEvent, redactor } from '../../lib/report/redact.js';

describe('redactor', () => {
  it('replaces every occurrence, the longest secret first, as written and JSON-escaped', () => {
    const redact = redactor(['abcd1234', 'abcd1234-longer', 'q"uo\\te']);
    expect(redact('x abcd1234-longer y abcd1234 z')).toBe('x [secret] y [secret] z');
    expect(redact(JSON.stringify({ v: 'q"uo\\te' }))).toBe('{"v":"[secret]"}');
  });

  it('leaves values under 4 characters alone, and text without secrets as it is', () => {
    expect(redactor(['1', 'ab'])('1 ab 12')).toBe('1 ab 12');
    expect(redactor([])('anything')).toBe('anything');
  });

  it('cleans the texts of log, retry and end events only', () => {
    const redact = redactor(['s3cr3t-v']);
    expect(redactEvent({ type: 'node-log', item: 'i', task: 't', line: 'x s3cr3t-v' }, redact)).toMatchObject({ line: 'x [secret]' });
    expect(redactEvent({ type: 'node-retry', item: 'i', task: 't', attempt: 2, delayMs: 1, error: 's3cr3t-v' }, redact)).toMatchObject({ error: '[secret]' });
    expect(redactEvent({ type: 'node-end', item: 'i', task: 't', status: 'failed', attempts: 1, durationMs: 1, error: 'no s3cr3t-v' }, redact)).toMatchObject({ error: 'no [secret]' });
  });
});
