/**
 * The guest side of the smolvm backend, run for real: the argv it hands
 * `smolvm machine exec` runs in a Debian bookworm container (our base image),
 * as root, the way smolvm runs it in the root variant of our images. What
 * smolvm adds around it is the fake's to answer; what runs inside is proven
 * here.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { asUser, parseId } from '../../../lib/backends/smolvm/guest.js';
import { readArgv, unpackArgv } from '../../../lib/backends/guest-install.js';
import { packGuestFiles, treeEntries, type GuestEntry } from '../../../lib/backends/guest-files.js';
import { ensureBaseImage } from '../../../lib/images/base-image.js';
import { cacheDir } from '../../../lib/images/paths.js';
import { dockerOut } from '../../helpers/docker.js';

let image: string;
let host: string;

// Users as the images have them: node (group node), and one whose primary group has another name.
const USERS = 'useradd -m -u 1000 node && useradd -m -u 1001 -g users other';

/** argv in a fresh container, as root, after `setup`; the host dir at /in. */
function inGuest(argv: string[], setup = 'true') {
  return dockerOut(['run', '--rm', '-v', `${host}:/in:ro`, image, 'sh', '-c', `${USERS} && ${setup} && exec "$@"`, 'sh', ...argv]);
}

beforeAll(async () => {
  image = await ensureBaseImage(cacheDir(), {});
  host = await mkdtemp(join(tmpdir(), 'smolvm-guest-'));
  await mkdir(join(host, 'my-skill', 'refs'), { recursive: true });
  await writeFile(join(host, 'my-skill', 'SKILL.md'), '# s\n');
  await writeFile(join(host, 'my-skill', 'refs', 'a.md'), 'a\n');

}, 300_000);

describe('as another user (setpriv)', () => {
  it('runs as the user and its primary group, argv intact', async () => {
    const r = await inGuest(asUser('node', ['sh', '-c', 'echo "$(id -un):$(id -gn) [$1]"', 'sh', 'two words; $HOME']));
    expect(r).toMatchObject({ exitCode: 0, stdout: 'node:node [two words; $HOME]' });
  });

  it('finds a primary group named unlike the user', async () => {
    const r = await inGuest(asUser('other', ['id', '-gn']));
    expect(r.stdout).toBe('users');
  });

  it('passes the command\'s exit code through', async () => {
    expect((await inGuest(asUser('node', ['sh', '-c', 'exit 7']))).exitCode).toBe(7);
  });

  it('leaves root commands as they are', () => {
    expect(asUser('0', ['update-ca-certificates'])).toEqual(['update-ca-certificates']);
    expect(asUser(undefined, ['true'])).toEqual(['true']);
  });
});

describe('id, for cp --uid --gid', () => {
  it('reads uid and gid from Debian\'s `id USER`', async () => {
    const r = await inGuest(['id', 'other']);
    expect(parseId(r.stdout)).toEqual({ uid: 1001, gid: 100 });
  });
});

/** What the backend's staging does before the user takes over: a root dir of 711, the file in it owned by node (as `machine cp --uid --gid --mode 600`). */
const STAGE = (file: string) => `mkdir -m 711 /tmp/.bot-bottle-s && cp /in/${file} /tmp/.bot-bottle-s/${file} && chown node: /tmp/.bot-bottle-s/${file} && chmod 600 /tmp/.bot-bottle-s/${file}`;

/** An archive as the backend makes it for node (uid 1000), written where the guest sees it at /in. */
async function archive(name: string, entries: GuestEntry[]): Promise<string> {
  await writeFile(join(host, name), await packGuestFiles(entries, { uid: 1000, gid: 1000 }, { placeholders: false }));
  return name;
}

const unpack = (file: string, fresh: string[] = []) => asUser('node', unpackArgv('/home/node', `/tmp/.bot-bottle-s/${file}`, fresh)).map(q).join(' ');

describe('files unpacked by their owner', () => {
  it('land under the directory, owned by the user, from an archive staged in a directory root owns', async () => {
    const file = await archive('skill.tar', await treeEntries(join(host, 'my-skill'), '.claude/skills/my-skill'));
    const r = await inGuest(['sh', '-c', 'stat -c "%U %n" /home/node/.claude/skills/my-skill /home/node/.claude/skills/my-skill/refs/a.md'], `${STAGE(file)} && ${unpack(file)}`);
    expect(r.stdout.split('\n')).toEqual(['node /home/node/.claude/skills/my-skill', 'node /home/node/.claude/skills/my-skill/refs/a.md']);
  });

  it('replace a symlink the guest planted at a file or a directory, instead of writing through it', async () => {
    const file = await archive('over-links.tar', [
      { path: '.claude-bottle-prompt.txt', content: 'the prompt', mode: 0o600 },
      { path: '.claude/skills/x/SKILL.md', content: '# x', mode: 0o644 },
    ]);
    const r = await inGuest(
      ['sh', '-c', 'stat -c "%U:%G %a %F" /etc/shadow /home/node/.claude-bottle-prompt.txt /home/node/.claude; cat /home/node/.claude-bottle-prompt.txt; echo; ls /etc/skills 2>&1 | head -1'],
      `ln -s /etc/shadow /home/node/.claude-bottle-prompt.txt && ln -s /etc /home/node/.claude && ${STAGE(file)} && ${unpack(file)}`,
    );
    expect(r.stdout.split('\n')).toEqual([
      'root:shadow 640 regular file',
      'node:node 600 regular file',
      'node:node 755 directory',
      'the prompt',
      "ls: cannot access '/etc/skills': No such file or directory",
    ]);
  });

  it('empty a fresh directory first: a file dropped from a skill goes from the guest too', async () => {
    const file = await archive('fresh.tar', await treeEntries(join(host, 'my-skill'), 'skills/my-skill'));
    const r = await inGuest(
      ['find', '/home/node/skills', '-type', 'f'],
      `mkdir -p /home/node/skills/my-skill && touch /home/node/skills/my-skill/stale.md && chown -R node: /home/node/skills && ${STAGE(file)} && ${unpack(file, ['skills/my-skill'])}`,
    );
    expect(r.stdout.split('\n').sort()).toEqual(['/home/node/skills/my-skill/SKILL.md', '/home/node/skills/my-skill/refs/a.md']);
  });
});

describe('a file read by its owner', () => {
  const read = (path: string) => asUser('node', readArgv(path, 100)).map(q).join(' ');

  it('reads a regular file, and nothing through a link', async () => {
    const r = await inGuest(['sh', '-c', `${read('/home/node/c.json')}; echo " $?"; ${read('/home/node/l.json')}; echo " $?"`], `echo -n '{}' > /home/node/c.json && ln -s /etc/hostname /home/node/l.json`);
    expect(r.stdout).toBe('{} 0\n 1');
  });
});

/** One shell word. */
function q(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
