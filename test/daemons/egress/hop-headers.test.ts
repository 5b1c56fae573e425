import { describe, expect, it } from 'vitest';
import { endToEndHeaders } from '../../../daemons/egress/hop-headers.js';

describe('endToEndHeaders', () => {
  it('drops hop-by-hop headers, every proxy-* header and those the Connection header names', () => {
    const raw = [
      'Host', 'example.com',
      'Connection', 'keep-alive, X-Hop',
      'Connection', 'X-Other-Hop',
      'Keep-Alive', 'timeout=5',
      'Proxy-Authorization', 'Basic c2VjcmV0',
      'Proxy-Connection', 'keep-alive',
      'Proxy-Anything', 'x',
      'TE', 'trailers',
      'Trailer', 'X-Sum',
      'Transfer-Encoding', 'chunked',
      'Upgrade', 'websocket',
      'X-Hop', 'gone',
      'x-other-hop', 'gone',
      'Authorization', 'Bearer kept',
      'Accept', 'text/plain',
    ];
    expect(endToEndHeaders(raw)).toEqual({ host: 'example.com', authorization: 'Bearer kept', accept: 'text/plain' });
  });

  it('keeps every value of a repeated header, in order', () => {
    expect(endToEndHeaders(['Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'SET-COOKIE', 'c=3'])).toEqual({ 'set-cookie': ['a=1', 'b=2', 'c=3'] });
  });
});
