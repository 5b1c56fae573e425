import { describe, expect, it } from 'vitest';
import { routeOf, servedPaths } from '../../../daemons/git-gate/routes.js';

const REPO = 'a-1.git';

describe('routeOf', () => {
  it('routes the smart HTTP requests of the one repo, and health', () => {
    expect(routeOf('GET', '/a-1.git/info/refs?service=git-upload-pack', REPO)).toEqual({ kind: 'advertise', service: 'git-upload-pack' });
    expect(routeOf('GET', '/a-1.git/info/refs?service=git-receive-pack', REPO)).toEqual({ kind: 'advertise', service: 'git-receive-pack' });
    expect(routeOf('POST', '/a-1.git/git-upload-pack', REPO)).toEqual({ kind: 'rpc', service: 'git-upload-pack' });
    expect(routeOf('POST', '/a-1.git/git-receive-pack', REPO)).toEqual({ kind: 'rpc', service: 'git-receive-pack' });
    expect(routeOf('GET', '/health', REPO)).toEqual({ kind: 'health' });
  });

  it.each([
    ['GET', '/other.git/info/refs?service=git-upload-pack'],
    ['GET', '/../x'],
    ['GET', '/a-1.git/../a-1.git/info/refs?service=git-upload-pack'],
    ['GET', '/a-1.git%2finfo/refs?service=git-upload-pack'],
    ['GET', '/a-1.git/info/refs'],
    ['GET', '/a-1.git/info/refs?service=git-upload-archive'],
    ['GET', '/a-1.git/info/refs?service=git-upload-pack&x=1'],
    ['GET', '/a-1.git/HEAD'],
    ['GET', '/a-1.git/objects/info/packs'],
    ['HEAD', '/a-1.git/info/refs?service=git-upload-pack'],
    ['GET', '/a-1.git/git-upload-pack'],
    ['POST', '/a-1.git/git-upload-pack?service=x'],
    ['POST', '/a-1.git/info/refs?service=git-upload-pack'],
    ['POST', '/health'],
    ['GET', '/a-1/info/refs?service=git-upload-pack'],
  ])('does not serve %s %s', (method, url) => {
    expect(routeOf(method, url, REPO)).toEqual({ kind: 'not-served' });
  });

  it('lists what is served', () => {
    expect(servedPaths(REPO)).toBe(
      'GET /health, GET /a-1.git/info/refs?service=git-upload-pack, GET /a-1.git/info/refs?service=git-receive-pack, POST /a-1.git/git-upload-pack, POST /a-1.git/git-receive-pack',
    );
  });
});
