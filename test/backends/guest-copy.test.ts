/**
 * The guest side of `bottle cp`, run for real in a Debian bookworm container
 * (our base image), the way the smolvm backend runs it: root stages, the
 * agent's user (reached with setpriv) packs and unpacks. The Docker backend
 * runs the same scripts (test/e2e/cp-port.test.ts); here each case of where
 * a copy lands is checked on its own.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packArgv, stageOutArgv, unpackIntoArgv, USER_MISTAKE_EXIT } from '../../lib/backends/guest-copy.js';
import { asUser } from '../../lib/backends/smolvm/guest.js';
import { packTree } from '../../lib/fs/pack-tree.js';
import { ensureBaseImage } from '../../lib/images/base-image.js';
import { cacheDir } from '../../lib/images/paths.js';
import { shellQuote } from '../../lib/process/shell-quote.js';
import { dockerOut } from '../helpers/docker.js';

let image: string;
let host: string;

// The archives readable by all, as the backends stage them (root's, 0644).
const SETUP = 'useradd -m -u 1000 node && mkdir -p /home/node/w && chown node:node /home/node/w && cp /in/tree.tar /in/note.tar /tmp/ && chmod 644 /tmp/tree.tar /tmp/note.tar';

/** argv as one shell command line. */
const line = (argv: readonly string[]) => argv.map(shellQuote).join(' ');

/** `argv` in a fresh container as root after `setup`, then `after` (printed after an `exit=N` line). The host dir is at /in. */
async function inGuest(argv: readonly string[], setup = 'true', after = 'true') {
  const r = await dockerOut(['run', '--rm', '-v', `${host}:/in:ro`, image, 'sh', '-c', `${SETUP} && ${setup} && { ${line(argv)}; echo "exit=$?"; } && ${after}`]);
  const [, rest = ''] = r.stdout.split(/^exit=/m);
  const [code, ...lines] = rest.split('\n');
  return { exitCode: Number(code), after: lines.join('\n').trim(), stderr: r.stderr };
}

beforeAll(async () => {
  image = await ensureBaseImage(cacheDir(), {});
  host = await mkdtemp(join(tmpdir(), 'guest-copy-'));
  await mkdir(join(host, 'tree', 'sub'), { recursive: true });
  await writeFile(join(host, 'tree', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(join(host, 'tree', 'secret'), 'k', { mode: 0o600 });
  await writeFile(join(host, 'tree', 'sub', 'n'), 'n');
  await symlink('/etc/shadow', join(host, 'tree', 'shadow'));
  await packTree(join(host, 'tree'), 'tree', join(host, 'tree.tar'));
  await writeFile(join(host, 'note'), 'new note', { mode: 0o640 });
  await packTree(join(host, 'note'), 'note', join(host, 'note.tar'));
}, 300_000);

afterAll(async () => {
  if (host) await rm(host, { recursive: true, force: true });
});

describe('packing, as the user', () => {
  it('packs the tree under its own name into the file root staged for the user, a link as a link', async () => {
    const setup = 'cp -a /in/tree /home/node/w/tree && chown -R -h node:node /home/node/w/tree';
    const stage = stageOutArgv('/tmp/.stage', 'out.tar', 'node');
    const pack = asUser('node', packArgv('/home/node/w/tree', '/tmp/.stage/out.tar'));
    const r = await inGuest(stage, setup, `${line(pack)} && stat -c "%a %U" /tmp/.stage /tmp/.stage/out.tar && tar -tvf /tmp/.stage/out.tar | awk '{print $1, $6, $7, $8}' | LC_ALL=C sort`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.after.split('\n')).toEqual([
      '711 root',
      '600 node',
      '-rw------- tree/secret  ',
      '-rw-r--r-- tree/sub/n  ',
      '-rwxr-xr-x tree/run.sh  ',
      'drwxr-xr-x tree/  ',
      'drwxr-xr-x tree/sub/  ',
      'lrwxrwxrwx tree/shadow -> /etc/shadow',
    ]);
  });

  it('says a path is not there, with its own exit code', async () => {
    const r = await inGuest(asUser('node', packArgv('/home/node/w/nothing', '/tmp/out.tar')));
    expect(r.exitCode).toBe(USER_MISTAKE_EXIT);
    expect(r.stderr).toContain('no such file or directory: /home/node/w/nothing');
  });
});

describe('unpacking, as the user, where docker cp would put it', () => {
  const show = 'cd /home/node/w && find . -mindepth 1 | sort | while read -r p; do stat -c "%a %U %n" "$p"; done';

  it('into a directory that exists: inside it, owned by the user, modes kept, the link a link', async () => {
    const r = await inGuest(asUser('node', unpackIntoArgv('/home/node/w', '/tmp/tree.tar', 'tree')), 'true', `${show} && readlink /home/node/w/tree/shadow`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.after.split('\n')).toEqual([
      '755 node ./tree',
      '755 node ./tree/run.sh',
      '600 node ./tree/secret',
      '777 node ./tree/shadow',
      '755 node ./tree/sub',
      '644 node ./tree/sub/n',
      '/etc/shadow',
    ]);
  });

  it('under a new name, leaving no temp dir', async () => {
    const r = await inGuest(asUser('node', unpackIntoArgv('/home/node/w/copy', '/tmp/tree.tar', 'tree')), 'true', show);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.after.split('\n')[0]).toBe('755 node ./copy');
    expect(r.after).not.toContain('.bottle-cp-');
  });

  it('a file over a file: replaced, with the copy\'s mode', async () => {
    const setup = 'echo old > /home/node/w/notes && chown node:node /home/node/w/notes';
    const r = await inGuest(asUser('node', unpackIntoArgv('/home/node/w/notes', '/tmp/note.tar', 'note')), setup, `${show} && cat /home/node/w/notes`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.after.split('\n')).toEqual(['640 node ./notes', 'new note']);
  });

  it('refuses a directory onto a file, and a destination whose directory is missing, with its own exit code', async () => {
    const setup = 'echo old > /home/node/w/notes && chown node:node /home/node/w/notes';
    const onto = await inGuest(asUser('node', unpackIntoArgv('/home/node/w/notes', '/tmp/tree.tar', 'tree')), setup, show);
    expect(onto.exitCode).toBe(USER_MISTAKE_EXIT);
    expect(onto.stderr).toContain('/home/node/w/notes is not a directory: a directory cannot replace it');
    expect(onto.after).toBe('644 node ./notes');
    const missing = await inGuest(asUser('node', unpackIntoArgv('/home/node/w/no/such', '/tmp/note.tar', 'note')));
    expect(missing.exitCode).toBe(USER_MISTAKE_EXIT);
    expect(missing.stderr).toContain('no such directory: /home/node/w/no');
  });

  it('writes as the user: a directory only root may write stays untouched', async () => {
    const r = await inGuest(asUser('node', unpackIntoArgv('/etc', '/tmp/note.tar', 'note')), 'true', 'test ! -e /etc/note && echo untouched');
    expect(r.exitCode).not.toBe(0);
    expect(r.after).toBe('untouched');
  });
});
