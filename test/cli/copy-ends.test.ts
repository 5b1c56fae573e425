/** How `bottle cp` reads its two ends: `<agent>:<path>` is the agent's, anything else the host's; a guest path is absolute under the workspace. */
import { describe, expect, it } from 'vitest';
import { copyDirection, copyEnd, guestPathOf, hostPathOf } from '../../cli/copy-ends.js';

describe('copyEnd', () => {
  it("reads <agent>:<path> as the agent's side, and paths as the host's", () => {
    expect(copyEnd('demo:src/app.ts')).toEqual({ side: 'guest', agent: 'demo', path: 'src/app.ts' });
    expect(copyEnd('demo-2:/tmp/x')).toEqual({ side: 'guest', agent: 'demo-2', path: '/tmp/x' });
    expect(copyEnd('notes.md')).toEqual({ side: 'host', path: 'notes.md' });
    // A ':' after a '/' belongs to a host path.
    expect(copyEnd('./a:b')).toEqual({ side: 'host', path: './a:b' });
    expect(copyEnd('/srv/a:b')).toEqual({ side: 'host', path: '/srv/a:b' });
  });

  it('says what is wrong with an <agent>:<path> it cannot read', () => {
    expect(() => copyEnd('Demo:x')).toThrow('"Demo:x" is not <agent>:<path>: "Demo" is no agent name (use only lower-case letters, digits and "-"); a host path holding ":" is written ./Demo:x');
    expect(() => copyEnd(':x')).toThrow('"" is no agent name');
    expect(() => copyEnd('demo:')).toThrow('"demo:" names no path after "demo:"; write demo:. for the agent\'s workspace');
    expect(() => copyEnd('')).toThrow('empty path');
  });
});

describe('copyDirection', () => {
  it('needs exactly one end in the agent', () => {
    expect(copyDirection(copyEnd('demo:a'), copyEnd('b'))).toBe('out');
    expect(copyDirection(copyEnd('a'), copyEnd('demo:b'))).toBe('in');
    expect(() => copyDirection(copyEnd('a'), copyEnd('b'))).toThrow("needs the agent's side as <agent>:<path>");
    expect(() => copyDirection(copyEnd('demo:a'), copyEnd('demo:b'))).toThrow('name a host path on one side');
  });
});

describe('paths', () => {
  it('puts a relative guest path under the workspace, and refuses the guest\'s "/"', () => {
    expect(guestPathOf('/home/node/workspace', 'src/x')).toBe('/home/node/workspace/src/x');
    expect(guestPathOf('/home/node/workspace', '.')).toBe('/home/node/workspace');
    expect(guestPathOf('/home/node/workspace', 'out/')).toBe('/home/node/workspace/out/');
    expect(guestPathOf('/home/node/workspace', '/etc//hosts')).toBe('/etc/hosts');
    expect(() => guestPathOf('/home/node/workspace', '/')).toThrow('not the guest\'s whole "/"');
  });

  it('makes a host path absolute against the working directory, keeping a trailing "/"', () => {
    expect(hostPathOf('/work', 'a/b')).toBe('/work/a/b');
    expect(hostPathOf('/work', 'dir/')).toBe('/work/dir/');
    expect(hostPathOf('/work', '/abs')).toBe('/abs');
  });
});
