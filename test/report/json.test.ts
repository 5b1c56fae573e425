import { describe, expect, it } from 'vitest';
import { jsonReporter } from '../../lib/report/json.js';
import { GUEST } from './hostile.js';

describe('NDJSON progress', () => {
  it('writes no raw control character of a guest line, and parses back to the very line', () => {
    const lines: string[] = [];
    const line = `${GUEST}\u202e`;
    jsonReporter((l) => lines.push(l))({ type: 'node-log', item: 'a', task: 'prepare', line });
    expect(lines[0]).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(JSON.parse(lines[0]!)).toEqual({ v: 1, type: 'node-log', bottle: 'a', task: 'prepare', line });
  });
});
