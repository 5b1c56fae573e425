import { describe, expect, it } from 'vitest';
import { splitCgiHead } from '../../../daemons/git-gate/cgi-response.js';

describe('splitCgiHead', () => {
  it('waits for the blank line', () => {
    expect(splitCgiHead(Buffer.from('Content-Type: text/plain\r\n'))).toBeUndefined();
  });

  it('takes the status from Status:, keeps content headers and returns the start of the body', () => {
    const split = splitCgiHead(
      Buffer.from('Status: 403 Forbidden\r\nContent-Type: text/plain\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nbody'),
    );
    expect(split?.head).toEqual({ status: 403, headers: [['Content-Type', 'text/plain'], ['Cache-Control', 'no-cache']] });
    expect(split?.body.toString()).toBe('body');
  });

  it('is 200 without Status:, and takes bare newlines too', () => {
    const split = splitCgiHead(Buffer.from('Content-Type: application/x-git-upload-pack-result\n\n0008NAK\n'));
    expect(split?.head.status).toBe(200);
    expect(split?.body.toString()).toBe('0008NAK\n');
  });

  it('refuses a malformed head', () => {
    expect(() => splitCgiHead(Buffer.from('not a header\r\n\r\n'))).toThrow('malformed header line "not a header"');
    expect(() => splitCgiHead(Buffer.from('Status: 99 Odd\r\n\r\n'))).toThrow('invalid Status "99 Odd"');
    expect(() => splitCgiHead(Buffer.alloc(70_000, 'a'))).toThrow('response head is over 65536 bytes');
  });
});
