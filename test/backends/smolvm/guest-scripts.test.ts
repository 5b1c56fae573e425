/**
 * The guest side of the smolvm backend, run for real: the argv it hands
 * `smolvm machine exec` runs in a Debian bookworm container (our base image),
 * as root, the way smolvm runs it in the root variant of our images. What
 * smolvm adds around it is the fake's to answer; what runs inside is proven
 * here.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { asUser, parseId } from '../../../lib/backends/smolvm/guest.js';
import { installFileArgv, unpackArgv } from '../../../lib/backends/guest-install.js';
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
  execFileSync('tar', ['-C', host, '-cf', join(host, 'my-skill.tar'), 'my-skill']);
  await writeFile(join(host, 'prompt.txt'), 'the prompt');
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

describe('a directory copy unpacked by the user', () => {
  it('lands as <parent>/<name>, owned by the user, from an archive staged in a directory root owns', async () => {
    const r = await inGuest(
      ['sh', '-c', 'stat -c "%U %n" /home/node/skills/my-skill /home/node/skills/my-skill/refs/a.md'],
      `mkdir -p /home/node/skills && chown node: /home/node/skills && ${STAGE('my-skill.tar')} && ` +
        `${asUser('node', unpackArgv('/home/node/skills', '/tmp/.bot-bottle-s/my-skill.tar')).map(q).join(' ')}`,
    );
    expect(r.stdout.split('\n')).toEqual(['node /home/node/skills/my-skill', 'node /home/node/skills/my-skill/refs/a.md']);
  });
});

describe('a file put in place by its owner', () => {
  const install = (dest: string) => asUser('node', installFileArgv(dest, 0o600, '/tmp/.bot-bottle-s/prompt.txt')).map(q).join(' ');

  it('replaces a symlink the guest planted instead of writing through it', async () => {
    const r = await inGuest(
      ['sh', '-c', 'stat -c "%U:%G %a %F" /etc/shadow /home/node/p.txt; cat /home/node/p.txt'],
      `ln -s /etc/shadow /home/node/p.txt && ${STAGE('prompt.txt')} && ${install('/home/node/p.txt')}`,
    );
    expect(r.stdout.split('\n')).toEqual(['root:shadow 640 regular file', 'node:node 600 regular file', 'the prompt']);
  });

  it('refuses a directory at the destination, and leaves no temporary file', async () => {
    const r = await inGuest(['ls', '-A', '/home/node/d'], `mkdir /home/node/d && chown node: /home/node/d && ${STAGE('prompt.txt')} && ! ${install('/home/node/d')}`);
    expect(r).toMatchObject({ exitCode: 0, stdout: '' });
  });
});

/** One shell word. */
function q(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
