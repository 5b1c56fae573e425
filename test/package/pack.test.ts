/**
 * The npm package as people get it: `npm pack` of a clean copy of the
 * project (its prepack builds from nothing), the tarball installed into an
 * empty prefix with no dev dependencies, the copy deleted, and the installed
 * `bottle` run from an unrelated directory on the example it ships. Proves
 * the tarball carries what `bottle` reads at run time (compiled code, the
 * daemons bundle, Dockerfiles, guest files, the example) and nothing else,
 * and that every path it reads resolves inside the installed package.
 */
import { execa } from 'execa';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

let work: string;
let files: string[];
/** The installed package's directory and its `bottle` on PATH. */
let installed: string;
let env: Record<string, string>;
const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The environment without npm's own variables (npm test sets npm_config_prefix and the like). */
function plainEnv(extra: Record<string, string> = {}): Record<string, string> {
  const kept = Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^npm_/i.test(k));
  return { ...(Object.fromEntries(kept) as Record<string, string>), ...extra };
}

async function npm(args: string[], cwd: string) {
  const r = await execa('npm', args, { cwd, env: plainEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
  expect(r.exitCode, `npm ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return String(r.stdout);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-pack-'));
  // A clean clone: the project's files as git sees them (uncommitted ones too), no dist/, the dependencies linked.
  const src = join(work, 'src');
  const listed = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO });
  for (const file of String(listed.stdout).split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO, file))) continue; // deleted in the work tree
    await mkdir(dirname(join(src, file)), { recursive: true });
    await cp(join(REPO, file), join(src, file));
  }
  await symlink(join(REPO, 'node_modules'), join(src, 'node_modules'));
  const out = join(work, 'out');
  await mkdir(out);
  const packed = JSON.parse(await npm(['pack', '--json', '--pack-destination', out, '--loglevel=error'], src)) as {
    filename: string;
    files: { path: string }[];
  }[];
  files = packed[0]!.files.map((f) => f.path).sort();
  // Nothing may resolve to the copy from here on.
  await rm(src, { recursive: true, force: true });
  const prefix = join(work, 'prefix');
  // --ignore-scripts: the dependencies' install scripts only compile ssh2's optional native speed-ups (20 s here).
  await npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', join(out, packed[0]!.filename)], work);
  installed = join(prefix, 'lib', 'node_modules', 'bot-bottle');
  await mkdir(join(work, 'home'));
  // A user's shell: the installed bottle and node on PATH, a home of the test's own, nothing of the clone's.
  env = { PATH: [join(prefix, 'bin'), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'), HOME: join(work, 'home') };
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The installed `bottle`, found on PATH, in `cwd`. */
async function bottle(args: string[], cwd: string) {
  const r = await execa('bottle', args, { cwd, env, extendEnv: false, reject: false, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('npm pack', () => {
  it('ships the compiled CLI, the daemons bundle, the images and the example, and nothing else', () => {
    for (const needed of [
      'package.json',
      'README.md',
      'dist/bin/bottle.js',
      'dist/cli/main.js',
      'dist/bundle-image/daemons.cjs',
      'dist/bundle-image/pre-receive.cjs',
      'images/agent/Dockerfile',
      'images/bundle/Dockerfile',
      'images/guest/port-relay.cjs',
      'examples/bottle.yaml',
      'examples/prompts/builder.md',
      'examples/skills/review/SKILL.md',
      'examples/skills/tdd/SKILL.md',
    ]) {
      expect(files).toContain(needed);
    }
    const allowed = /^(package\.json|README\.md|LICENSE(\.md)?|dist\/(bin|cli|lib|tasks|graphs|daemons|bundle-image)\/.+|images\/.+|examples\/.+)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /\.(ts|tsx|mts|cts|map)$/.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|bench|\.ci|docs|node_modules)\//.test(f))).toEqual([]);
  });
});

describe('the installed package', () => {
  it('has the runtime dependencies and no dev dependency', async () => {
    const modules = join(installed, 'node_modules');
    for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(modules, dep, 'package.json')), dep).toBe(true);
    // A dev dependency may be there only as some runtime dependency's own dependency (protobufjs needs @types/node).
    const needed = new Set<string>();
    for (const dir of await packageDirs(modules)) {
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) for (const name of Object.keys(manifest[field] ?? {})) needed.add(name);
    }
    const present = Object.keys(pkg.devDependencies).filter((dep) => existsSync(join(modules, dep)));
    expect(present.filter((dep) => !needed.has(dep))).toEqual([]);
    for (const tool of ['typescript', 'vitest', 'esbuild', 'tsx', '@modelcontextprotocol/sdk']) expect(existsSync(join(modules, tool)), tool).toBe(false);
  });

  it('loads every command with the runtime dependencies alone, and finds its files in itself, not in the clone', async () => {
    const elsewhere = await mkdtemp(join(work, 'elsewhere-'));
    const program = `
      import { readdirSync, existsSync } from 'node:fs';
      import { join } from 'node:path';
      const dist = ${JSON.stringify(join(installed, 'dist'))};
      const commands = join(dist, 'cli', 'commands');
      for (const f of readdirSync(commands).filter((f) => f.endsWith('.js'))) await import(join(commands, f));
      const { packageRoot } = await import(join(dist, 'lib', 'images', 'paths.js'));
      const root = packageRoot();
      const files = ['images/agent/Dockerfile', 'images/bundle/Dockerfile', 'images/guest/port-relay.cjs', 'dist/bundle-image/daemons.cjs', 'dist/bundle-image/pre-receive.cjs'];
      console.log(JSON.stringify({ root, missing: files.filter((f) => !existsSync(join(root, f))) }));
    `;
    const r = await execa('node', ['--input-type=module', '-e', program], { cwd: elsewhere, env, extendEnv: false, reject: false });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(JSON.parse(String(r.stdout))).toEqual({ root: installed, missing: [] });
  });

  it('bottle --help, --version, validate and up --dry-run work from an unrelated directory on the packaged example', async () => {
    const project = join(work, 'project');
    await cp(join(installed, 'examples'), project, { recursive: true });

    const help = await bottle(['--help'], work);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: bottle <command>');
    expect(help.stdout).toMatch(/^\s+up \[agents\.\.\]/m);
    const version = await bottle(['--version'], work);
    expect(version.exitCode, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(`bottle ${pkg.version}`);

    const valid = await bottle(['validate'], project);
    expect(valid.exitCode, valid.stderr).toBe(0);
    expect(valid.stdout).toContain(`${join(project, 'bottle.yaml')} is valid: 1 bottle(s), 2 agent(s)`);

    const plan = await bottle(['up', '--dry-run'], project);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`Plan for ${join(project, 'bottle.yaml')}:`);
    for (const agent of ['reviewer', 'builder']) expect(plan.stdout).toMatch(new RegExp(`\\+ ${agent}-[0-9a-f]{5} start-vm`));
    expect(plan.stdout).toContain('Nothing was changed (dry run).');
    // A dry run writes no state: the home the user's state root is under stays empty.
    expect(await readdir(env.HOME!)).toEqual([]);
  });
});

/** Every package directory under `modules` (scoped and nested ones too). */
async function packageDirs(modules: string): Promise<string[]> {
  const found: string[] = [];
  if (!existsSync(modules)) return found;
  for (const entry of await readdir(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(modules, entry.name);
    if (entry.name.startsWith('@')) {
      found.push(...(await packageDirs(dir)));
      continue;
    }
    if (existsSync(join(dir, 'package.json'))) found.push(dir);
    found.push(...(await packageDirs(join(dir, 'node_modules'))));
  }
  return found;
}
