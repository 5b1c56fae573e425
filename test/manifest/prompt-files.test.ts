/**
 * promptFile: read as a regular file of at most 1 MiB, inside the project; a
 * FIFO, a device or a huge file is refused without waiting on it or reading it.
 */
import { mkdir, open, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseManifest, type ParseOptions } from '../../lib/manifest/index.js';
import { manifestErrorOf, tempDir, writeFiles } from './helpers.js';

const MIB = 1024 * 1024;

function parseWithPrompt(dir: string, promptFile: string, options: ParseOptions = {}) {
  const data = { bottles: { dev: {} }, agents: { demo: { bottle: 'dev', promptFile } } };
  return parseManifest(data, { path: join(dir, 'bottle.yaml'), dir }, { home: join(dir, 'home'), ...options });
}

async function issuesOf(dir: string, promptFile: string, options: ParseOptions = {}) {
  return (await manifestErrorOf(parseWithPrompt(dir, promptFile, options))).issues;
}

/** A file of `size` bytes (sparse: nothing written). */
async function fileOfSize(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  await handle.truncate(size);
  await handle.close();
}

describe('promptFile', () => {
  it('reads a regular file, up to 1 MiB', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'prompts/demo.md': 'Review.\n' });
    await fileOfSize(join(dir, 'max.md'), MIB);
    expect((await parseWithPrompt(dir, 'prompts/demo.md')).agents.demo?.prompt).toBe('Review.\n');
    expect((await parseWithPrompt(dir, 'max.md')).agents.demo?.prompt).toHaveLength(MIB);
  });

  it('refuses a file of 1 MiB + 1 byte', async () => {
    const dir = await tempDir();
    await fileOfSize(join(dir, 'big.md'), MIB + 1);
    expect(await issuesOf(dir, 'big.md')).toStrictEqual([
      {
        path: 'agents.demo.promptFile',
        message: `"big.md" (${join(dir, 'big.md')}) has 1048577 bytes, more than a prompt may have (1 MiB); shorten it`,
      },
    ]);
  });

  it('refuses a FIFO without waiting for a writer', { timeout: 10_000 }, async () => {
    const dir = await tempDir();
    await execa('mkfifo', [join(dir, 'prompt.fifo')]);
    expect(await issuesOf(dir, 'prompt.fifo')).toStrictEqual([
      {
        path: 'agents.demo.promptFile',
        message: `"prompt.fifo" is a FIFO (named pipe) (${join(dir, 'prompt.fifo')}), not a regular file; point promptFile at a file`,
      },
    ]);
  });

  it.each(['/dev/zero', '/dev/urandom'])('refuses %s, even where it is allowed, without reading it', async (device) => {
    const dir = await tempDir();
    await symlink(device, join(dir, 'prompt.md'));
    expect(await issuesOf(dir, 'prompt.md', { allowOutside: ['/dev'] })).toStrictEqual([
      {
        path: 'agents.demo.promptFile',
        message: `"prompt.md" is a character device (${join(dir, 'prompt.md')}), not a regular file; point promptFile at a file`,
      },
    ]);
  });

  it('refuses a symlink to a file outside the project, and a path that climbs out of it', async () => {
    const [dir, outside] = [await tempDir(), await tempDir()];
    await writeFiles(outside, { 'secret.md': 'private' });
    await symlink(join(outside, 'secret.md'), join(dir, 'link.md'));
    const allowed = `(${dir}, ${join(dir, 'home', '.claude', 'skills')})`;
    expect(await issuesOf(dir, 'link.md')).toStrictEqual([
      {
        path: 'agents.demo.promptFile',
        message:
          `"link.md" (${join(dir, 'link.md')}) resolves to ${join(outside, 'secret.md')}, which is outside the directories ` +
          `a manifest may use ${allowed}; move it inside the project or pass --allow-outside ${outside}`,
      },
    ]);
    const climbing = join('..', outside.split('/').pop()!, 'secret.md');
    expect(await issuesOf(dir, climbing)).toStrictEqual([
      {
        path: 'agents.demo.promptFile',
        message:
          `${JSON.stringify(climbing)} (${join(outside, 'secret.md')}) is outside the directories a manifest may use ${allowed}; ` +
          `move it inside the project or pass --allow-outside ${outside}`,
      },
    ]);
  });

  it('reads a symlink to a file outside from a directory allowed with allowOutside, and a symlink within the project', async () => {
    const [dir, outside] = [await tempDir(), await tempDir()];
    await writeFiles(outside, { 'shared.md': 'Shared.' });
    await writeFiles(dir, { 'prompts/real.md': 'Own.' });
    await symlink(join(outside, 'shared.md'), join(dir, 'shared.md'));
    await mkdir(join(dir, 'links'));
    await symlink('../prompts/real.md', join(dir, 'links', 'own.md'));
    expect((await parseWithPrompt(dir, 'shared.md', { allowOutside: [outside] })).agents.demo?.prompt).toBe('Shared.');
    const own = (await parseWithPrompt(dir, 'links/own.md')).agents.demo;
    expect([own?.prompt, own?.promptSource]).toStrictEqual(['Own.', join(dir, 'links', 'own.md')]);
  });
});
