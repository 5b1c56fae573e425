import { describe, expect, it } from 'vitest';
import { egressLine, isDenied, parseEgressLog } from '../../lib/report/egress-lines.js';
import { RAW_CONTROL } from './hostile.js';

const LOG = [
  '{"ts":"2026-11-29T14:00:00.000Z","method":"CONNECT","host":"api.example.com","port":443,"decision":"allow","status":200,"address":"203.0.113.5"}',
  '{"ts":"2026-11-29T14:00:01.500Z","method":"CONNECT","host":"evil.example","port":443,"decision":"deny","status":403,"reason":"not in the allowlist"}',
  '{"ts":"2026-11-29T14:00:02.000Z","method":"POST","host":"api.example.com","port":443,"path":"/v1/admin","decision":"allow","status":403,"rule":"paths"}',
  'not json',
  '{"ts":1,"method":"GET"}',
  '{"ts":"2026-11-29T14:00:03.000Z","method":"GET","host":"x\\u001b[2Jy","port":80,"decision":"deny","status":403}',
  '{"ts":"2026-11-29T14:00:04.000Z","method":"GET","host":"torn',
].join('\n');

describe('the egress log for people', () => {
  it('keeps the entries, skips what is not one, and tells what was refused', () => {
    const entries = parseEgressLog(LOG);
    expect(entries.map((e) => e.host)).toEqual(['api.example.com', 'evil.example', 'api.example.com', 'x\u001b[2Jy']);
    expect(entries.filter(isDenied).map((e) => e.host)).toEqual(['evil.example', 'api.example.com', 'x\u001b[2Jy']);
  });

  it('writes one line per entry: time, decision, method, where, status, why; control characters escaped', () => {
    const lines = parseEgressLog(LOG).map(egressLine);
    expect(lines[0]).toBe('2026-11-29 14:00:00  allow  CONNECT api.example.com:443  200');
    expect(lines[1]).toBe('2026-11-29 14:00:01  deny   CONNECT evil.example:443  403  not in the allowlist');
    expect(lines[2]).toBe('2026-11-29 14:00:02  allow  POST api.example.com:443/v1/admin  403  rule paths');
    expect(lines[3]).not.toMatch(RAW_CONTROL);
  });
});
