/** A bundle read from a machine gives back the image's roots: bottle CAs (ours or another bottle's) are taken out, nothing else. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureCa } from '../../lib/ca/openssl.js';
import { BOTTLE_CA_SUBJECT, imageRoots } from '../../lib/ca/roots.js';
import { tempDir } from '../state/temp-dir.js';

describe('imageRoots', () => {
  it('keeps the roots and drops every bottle CA, wherever it stands in the bundle', async () => {
    const dir = await tempDir();
    const root = await readFile((await ensureCa(join(dir, 'root'), 'Some Root CA')).cert, 'utf8');
    const mine = await readFile((await ensureCa(join(dir, 'a'), `${BOTTLE_CA_SUBJECT} a-12345`)).cert, 'utf8');
    const other = await readFile((await ensureCa(join(dir, 'b'), `${BOTTLE_CA_SUBJECT} b-67890`)).cert, 'utf8');
    expect(imageRoots(`${root}${mine}${root}${other}`)).toBe(`${root}${root}`);
    expect(imageRoots('not a certificate\n')).toBe('not a certificate\n');
  });
});
