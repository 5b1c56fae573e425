/**
 * Unpacking a guest's archive on the host (`bottle cp` out of a bottle): the
 * tree lands as `docker cp` would place it, links stay links, and a hostile
 * archive (tar-slip by `..`, an absolute name, a path through a link it
 * planted, two trees) is refused whole, with nothing written anywhere.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, type Header } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { destinationOf, extractTree, ExtractError } from '../../lib/fs/extract-tree.js';
import { packTree } from '../../lib/fs/pack-tree.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'extract-tree-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

type Entry = Partial<Header> & { name: string; body?: string };

/** A tar archive of exactly these entries, in this order, as a hostile guest could send it. */
async function archive(entries: Entry[]): Promise<NodeJS.ReadableStream> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of tar) chunks.push(chunk as Buffer);
  })();
  for (const { body, ...header } of entries) tar.entry({ type: 'file', mode: 0o644, ...header }, body ?? '');
  tar.finalize();
  await done;
  return Readable.from([Buffer.concat(chunks)]);
}

const mode = async (path: string) => (await lstat(path)).mode & 0o7777;

/** Every name under `dir`, recursively (links not followed). */
async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    out.push(name);
    if ((await lstat(join(dir, name))).isDirectory()) out.push(...(await names(join(dir, name))).map((n) => `${name}/${n}`));
  }
  return out;
}

async function refused(entries: Entry[], dest: string): Promise<ExtractError> {
  const error = await extractTree(await archive(entries), dest).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExtractError);
  return error as ExtractError;
}

describe('extractTree', () => {
  it('round-trips a tree packed on the host: modes, contents, a subdirectory, and a link kept as a link', async () => {
    const src = join(work, 'src', 'tree');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    await writeFile(join(src, 'secret'), 'key', { mode: 0o600 });
    await writeFile(join(src, 'sub', 'note.txt'), 'note');
    await symlink('/etc/shadow', join(src, 'shadow-link'));
    const tar = join(work, 'tree.tar');
    expect(await packTree(src, 'tree', tar)).toMatchObject({ files: 3, dirs: 2, links: 1, skipped: [] });

    const out = await extractTree(Readable.from([await readFile(tar)]), join(work, 'copy'));
    expect(out).toMatchObject({ path: join(work, 'copy'), files: 3, dirs: 2, links: 1, skipped: [] });
    expect(await names(join(work, 'copy'))).toEqual(['run.sh', 'secret', 'shadow-link', 'sub', 'sub/note.txt']);
    expect(await mode(join(work, 'copy', 'run.sh'))).toBe(0o755);
    expect(await mode(join(work, 'copy', 'secret'))).toBe(0o600);
    expect(await readFile(join(work, 'copy', 'sub', 'note.txt'), 'utf8')).toBe('note');
    expect(await readlink(join(work, 'copy', 'shadow-link'))).toBe('/etc/shadow');
    // Nothing of the unpacking is left beside the copy.
    expect(await readdir(work)).toEqual(['copy', 'src', 'tree.tar'].sort());
  });

  it('puts the tree inside a directory that exists, and merges into what it finds there on a second copy', async () => {
    const dest = join(work, 'dest');
    await mkdir(dest);
    await extractTree(await archive([{ name: 't/', type: 'directory', mode: 0o755 }, { name: 't/a', body: 'one' }]), dest);
    expect(await readFile(join(dest, 't', 'a'), 'utf8')).toBe('one');
    await writeFile(join(dest, 't', 'mine'), 'kept');
    const second = await extractTree(await archive([{ name: 't/', type: 'directory' }, { name: 't/a', body: 'two' }, { name: 't/b', body: 'new' }]), dest);
    expect(second.path).toBe(join(dest, 't'));
    expect(await names(dest)).toEqual(['t', 't/a', 't/b', 't/mine']);
    expect(await readFile(join(dest, 't', 'a'), 'utf8')).toBe('two');
  });

  it('copies a single file as the name given, replacing a file there', async () => {
    await writeFile(join(work, 'old.txt'), 'old');
    await extractTree(await archive([{ name: 'notes.md', body: 'new', mode: 0o640 }]), join(work, 'old.txt'));
    expect(await readFile(join(work, 'old.txt'), 'utf8')).toBe('new');
    expect(await mode(join(work, 'old.txt'))).toBe(0o640);
  });

  it('keeps permission bits only: no setuid, setgid or sticky bit comes out of a guest', async () => {
    await extractTree(await archive([{ name: 'd/', type: 'directory', mode: 0o1777 }, { name: 'd/su', mode: 0o4755, body: 'x' }, { name: 'd/sg', mode: 0o2755, body: 'x' }]), join(work, 'd'));
    expect(await mode(join(work, 'd'))).toBe(0o777);
    expect(await mode(join(work, 'd', 'su'))).toBe(0o755);
    expect(await mode(join(work, 'd', 'sg'))).toBe(0o755);
  });

  it('leaves out devices and FIFOs, naming them', async () => {
    const out = await extractTree(await archive([{ name: 't/', type: 'directory' }, { name: 't/fifo', type: 'fifo' }, { name: 't/f', body: 'x' }]), join(work, 't'));
    expect(out.skipped).toEqual(['t/fifo']);
    expect(await names(join(work, 't'))).toEqual(['f']);
  });
});

describe('extractTree refuses a hostile archive whole, writing nothing', () => {
  let outside: string;
  let dest: string;
  beforeEach(async () => {
    outside = join(work, 'outside');
    dest = join(work, 'dest');
    await mkdir(outside);
    await mkdir(dest);
  });

  /** Nothing outside, and nothing but what was there in dest (no partial tree, no temp dir). */
  async function nothingWritten(before: string[] = []) {
    expect(await readdir(outside)).toEqual([]);
    expect(await names(dest)).toEqual(before);
  }

  it('an entry that climbs out with ..', async () => {
    const error = await refused([{ name: 't/', type: 'directory' }, { name: 't/ok', body: 'fine' }, { name: 't/../../outside/x', body: 'slip' }], dest);
    expect(error.code).toBe('UNSAFE_ENTRY');
    expect(error.message).toContain('"t/../../outside/x"');
    await nothingWritten();
  });

  it('a first entry that is ../x', async () => {
    const error = await refused([{ name: '../x', body: 'slip' }], join(dest, 'sub'));
    expect(error.message).toMatch(/climbs out with "\.\."/);
    await nothingWritten();
    await expect(stat(join(work, 'x'))).rejects.toThrow();
  });

  it('an absolute path', async () => {
    const target = join(outside, 'abs');
    const error = await refused([{ name: 't/', type: 'directory' }, { name: target, body: 'slip' }], dest);
    expect(error.code).toBe('UNSAFE_ENTRY');
    expect(error.message).toContain('absolute path');
    await nothingWritten();
  });

  it('a file written through a link the archive planted', async () => {
    const error = await refused([{ name: 't/', type: 'directory' }, { name: 't/l', type: 'symlink', linkname: outside }, { name: 't/l/pwned', body: 'through the link' }], dest);
    expect(error.message).toContain('goes through t/l, a symbolic link');
    await nothingWritten();
  });

  it('a second tree beside the first', async () => {
    const error = await refused([{ name: 'a/', type: 'directory' }, { name: 'b/x', body: 'x' }], dest);
    expect(error.message).toContain('beside a');
    await nothingWritten();
  });

  it('a destination that is a link, leaving where it points untouched', async () => {
    await symlink(outside, join(work, 'link'));
    const error = await refused([{ name: 'f', body: 'x' }], join(work, 'link'));
    expect(error.code).toBe('BAD_DESTINATION');
    expect(error.message).toContain('is a symbolic link');
    expect(await readdir(outside)).toEqual([]);
  });

  it('a directory onto a file, before anything moves', async () => {
    await mkdir(join(dest, 't'));
    await writeFile(join(dest, 't', 'f'), 'mine');
    const error = await refused([{ name: 't/', type: 'directory' }, { name: 't/a', body: 'x' }, { name: 't/f/', type: 'directory' }], dest);
    expect(error.code).toBe('CONFLICT');
    await nothingWritten(['t', 't/f']);
    expect(await readFile(join(dest, 't', 'f'), 'utf8')).toBe('mine');
  });
});

describe('extractTree never writes through a link already at the destination', () => {
  it('replaces a link standing where a file of the copy goes, and the file it pointed to stays as it was', async () => {
    const victim = join(work, 'victim');
    await writeFile(victim, 'precious');
    const dest = join(work, 'dest');
    await mkdir(join(dest, 't'), { recursive: true });
    await symlink(victim, join(dest, 't', 'f'));
    await extractTree(await archive([{ name: 't/', type: 'directory' }, { name: 't/f', body: 'copied' }]), dest);
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect((await lstat(join(dest, 't', 'f'))).isFile()).toBe(true);
    expect(await readFile(join(dest, 't', 'f'), 'utf8')).toBe('copied');
  });

  it('replaces a link standing where a directory of the copy goes', async () => {
    const elsewhere = join(work, 'elsewhere');
    await mkdir(elsewhere);
    const dest = join(work, 'dest');
    await mkdir(dest);
    await symlink(elsewhere, join(dest, 't'));
    await extractTree(await archive([{ name: 't/', type: 'directory' }, { name: 't/f', body: 'x' }]), dest);
    expect(await readdir(elsewhere)).toEqual([]);
    expect((await lstat(join(dest, 't'))).isDirectory()).toBe(true);
  });
});

describe('destinationOf', () => {
  it('says a directory is copied into, and refuses a name whose directory is missing', async () => {
    expect(await destinationOf(work)).toEqual({ into: true });
    expect(await destinationOf(join(work, 'new'))).toEqual({ into: false });
    await expect(destinationOf(join(work, 'no', 'new'))).rejects.toThrow(`no such directory: ${join(work, 'no')}`);
  });
});
