import { describe, expect, it } from 'vitest';
import type { SecretPattern } from '../../../daemons/common/secret-patterns.js';
import { BUILTIN_SECRET_PATTERNS } from '../../../daemons/common/secret-patterns.js';
import type { PatternTest } from '../../../daemons/common/secret-scan.js';
import { plainTest, scanForSecrets } from '../../../daemons/common/secret-scan.js';
import { GITHUB_TOKEN, privateKey } from './fake-secrets.js';

async function* pieces(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part);
}

/** A PatternTest that records every window it is given. */
function recordingTest(windows: string[]): PatternTest {
  return (patterns, text) => {
    windows.push(text);
    return plainTest(patterns, text);
  };
}

const TOKEN: SecretPattern = { name: 'token', regex: /tok_[a-z]{10}/ };

describe('scanForSecrets', () => {
  it('finds a match split across a window boundary, thanks to the overlap', async () => {
    // Window 16 chars, overlap 12: the token (14 chars) starts at 10 and spans windows one and two.
    const text = `${'.'.repeat(10)}tok_abcdefghij${'.'.repeat(20)}`;
    const windows: string[] = [];
    const found = await scanForSecrets(pieces(text), [TOKEN], { windowChars: 16, overlapChars: 12, test: recordingTest(windows) });
    expect(found).toEqual(['token']);
    expect(windows[0]).toBe(text.slice(0, 16)); // the first window alone holds only part of it
    expect(TOKEN.regex.test(windows[0] ?? '')).toBe(false);
  });

  it('misses nothing whatever the piece sizes, the token at every offset', async () => {
    for (let offset = 0; offset < 40; offset++) {
      const text = `${'x'.repeat(offset)}tok_abcdefghij${'y'.repeat(40 - offset)}`;
      const parts = text.match(/.{1,7}/gs) ?? [];
      expect(await scanForSecrets(pieces(...parts), [TOKEN], { windowChars: 16, overlapChars: 13 })).toEqual(['token']);
    }
  });

  it('scans a large stream whole in bounded windows: the key at the very end is found', async () => {
    const megabyte = Buffer.alloc(1024 * 1024, 'a');
    const windows: string[] = [];
    const found = await scanForSecrets(pieces(megabyte, megabyte, megabyte, privateKey()), BUILTIN_SECRET_PATTERNS, { test: recordingTest(windows) });
    expect(found).toEqual(['private key']);
    expect(Math.max(...windows.map((window) => window.length))).toBeLessThanOrEqual(256 * 1024 + 8 * 1024);
  });

  it('keeps a UTF-8 character whole when it is split between pieces', async () => {
    const text = Buffer.from('clé=tok_abcdefghij');
    const split = text.indexOf(0xa9); // inside "é"
    const accent: SecretPattern = { name: 'accent', regex: /clé=tok_/ };
    expect(await scanForSecrets(pieces(text.subarray(0, split), text.subarray(split)), [accent])).toEqual(['accent']);
  });

  it('reports each pattern once, in the order found, and stops reading once all have matched', async () => {
    let read = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for (const part of [`${GITHUB_TOKEN} tok_abcdefghij ${'.'.repeat(9)}`, 'more', 'tok_klmnopqrst']) {
        read += 1;
        yield Buffer.from(part);
      }
    }
    const github = BUILTIN_SECRET_PATTERNS.find((pattern) => pattern.name === 'GitHub token');
    // The first piece fills a window of 64: both match there, and the rest is never asked for.
    const found = await scanForSecrets(counted(), [TOKEN, github!], { windowChars: 64, overlapChars: 48 });
    expect(found).toEqual(['token', 'GitHub token']);
    expect(read).toBe(1);
  });

  it('finds nothing in clean or empty content', async () => {
    expect(await scanForSecrets(pieces('nothing to see'), BUILTIN_SECRET_PATTERNS)).toEqual([]);
    expect(await scanForSecrets(pieces(), BUILTIN_SECRET_PATTERNS)).toEqual([]);
  });

  it('refuses an overlap as large as the window', async () => {
    await expect(scanForSecrets(pieces('x'), [TOKEN], { windowChars: 8, overlapChars: 8 })).rejects.toThrow('overlapChars must be from 0 to windowChars - 1 (7), got 8');
  });
});
