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
import { asUser, hostsArgv, parseId } from '../../../lib/backends/smolvm/guest.js';
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

describe('a directory copy unpacked by the user', () => {
  it('lands as <parent>/<name>, owned by the user, from an archive root owns', async () => {
    const r = await inGuest(
      ['sh', '-c', 'stat -c "%U %n" /home/node/skills/my-skill /home/node/skills/my-skill/refs/a.md'],
      `mkdir -p /home/node/skills && chown node: /home/node/skills && cp /in/my-skill.tar /tmp/.bot-bottle-my-skill.tar && ` +
        `${asUser('node', ['tar', '-x', '--no-same-owner', '-f', '/tmp/.bot-bottle-my-skill.tar', '-C', '/home/node/skills']).map(q).join(' ')}`,
    );
    expect(r.stdout.split('\n')).toEqual(['node /home/node/skills/my-skill', 'node /home/node/skills/my-skill/refs/a.md']);
  });
});

describe('/etc/hosts aliases', () => {
  it('adds its lines, replaces them on a second run, keeps the others, and the name resolves', async () => {
    const write = hostsArgv(['ca-probe.bottle.internal']).map(q).join(' ');
    const r = await inGuest(['sh', '-c', 'cat /etc/hosts; echo ---; getent hosts ca-probe.bottle.internal'], `${write} && ${write}`);
    const [file, resolved] = r.stdout.split('\n---\n');
    expect(file!.split('\n').filter((l) => l.includes('bot-bottle'))).toEqual(['127.0.0.1 ca-probe.bottle.internal # bot-bottle']);
    expect(file).toContain('localhost');
    expect(resolved).toMatch(/^127\.0\.0\.1\s+ca-probe\.bottle\.internal$/);
  });
});

/** One shell word. */
function q(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
