/**
 * The Docker-to-smolvm image bridge against the real dockerd: a tiny image of
 * our own becomes a `docker save` archive of its root-user variant, once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveName, dockerImageBridge } from '../../../lib/backends/smolvm/image-archive.js';
import { realRunner, type Runner } from '../../../lib/backends/smolvm/runner.js';
import { dockerOut } from '../../helpers/docker.js';

const repo = `bot-bottle-test/smolvm-tiny-${process.pid}`;
let work: string;
/** Image ids made here: their tags and root variants go afterwards. */
const made: string[] = [];

/** A one-file image whose user is not root; a new id each time. */
async function tinyImage(tag: string): Promise<string> {
  const root = await mkdtemp(join(work, 'rootfs-'));
  await writeFile(join(root, 'hello'), `${tag} ${Math.random()}\n`);
  const tar = execFileSync('tar', ['-C', root, '-c', '.']);
  const r = await dockerOut(['import', '--change', 'USER nobody', '--change', 'CMD ["/hello"]', '-', `${repo}:${tag}`], tar.toString('latin1'));
  expect(r.exitCode).toBe(0);
  const id = (await dockerOut(['image', 'inspect', '--format', '{{.Id}}', `${repo}:${tag}`])).stdout.trim();
  made.push(id);
  return id;
}

/** The real runner, counting docker subcommands. */
function counting() {
  const seen: string[] = [];
  const runner: Runner = (file, args, options) => {
    seen.push(args[0] === 'image' ? `image ${args[1]}` : args[0]!);
    return realRunner(file, args, options);
  };
  return { runner, seen };
}

/** The image config inside a `docker save` archive. */
function savedConfig(archive: string): { config: { User?: string; Cmd?: string[] } } {
  const manifest = JSON.parse(execFileSync('tar', ['-xOf', archive, 'manifest.json'], { encoding: 'utf8' })) as { Config: string }[];
  return JSON.parse(execFileSync('tar', ['-xOf', archive, manifest[0]!.Config], { encoding: 'utf8' }));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'smolvm-images-'));
});

afterAll(async () => {
  const variants = made.map((id) => `bot-bottle/smolvm-root:${id.slice(7, 19)}`);
  await dockerOut(['rmi', '--force', ...variants, ...made]);
});

describe('a local Docker image', () => {
  it('becomes an archive of its root-user variant, CMD kept, made once', async () => {
    const id = await tinyImage('one');
    const dir = join(work, 'a');
    const { runner, seen } = counting();
    const bridge = dockerImageBridge({ runner, dir });
    const [first, second] = await Promise.all([bridge.resolve(`${repo}:one`, {}), bridge.resolve(`${repo}:one`, {})]);
    expect(first).toBe(join(dir, archiveName(`${repo}:one`, id)));
    expect(second).toBe(first);
    expect(savedConfig(first).config).toMatchObject({ User: 'root', Cmd: ['/hello'] });
    expect(await bridge.resolve(`${repo}:one`, {})).toBe(first);
    expect(seen).toEqual(['image inspect', 'image inspect', 'build', 'save', 'image inspect']);
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('replaces the archive of an older image of the same repository', async () => {
    const dir = join(work, 'b');
    const bridge = dockerImageBridge({ runner: realRunner, dir });
    await tinyImage('two');
    const old = await bridge.resolve(`${repo}:two`, {});
    await tinyImage('two');
    const current = await bridge.resolve(`${repo}:two`, {});
    expect(current).not.toBe(old);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(current)).toBe(true);
  });
});

describe('anything else', () => {
  it('passes an image Docker does not have to smolvm as a registry reference, saying so', async () => {
    const lines: string[] = [];
    const bridge = dockerImageBridge({ runner: realRunner, dir: join(work, 'c') });
    expect(await bridge.resolve(`${repo}:never-made`, { log: (l) => lines.push(l) })).toBe(`${repo}:never-made`);
    expect(lines).toEqual([`${repo}:never-made is not a local Docker image; smolvm pulls it from its registry`]);
  });

  it('passes archives and rootfs directories through without asking Docker', async () => {
    const { runner, seen } = counting();
    const bridge = dockerImageBridge({ runner, dir: join(work, 'd') });
    await mkdir(join(work, 'd'), { recursive: true });
    for (const local of ['/srv/agent.tar', './rootfs/', '../x.tgz']) expect(await bridge.resolve(local, {})).toBe(local);
    expect(seen).toEqual([]);
  });
});
