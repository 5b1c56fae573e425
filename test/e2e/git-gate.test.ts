/**
 * The git gate end to end on a real dockerd: the agent starts with the host
 * repository's code, pushes its work to a branch of its own, `bottle git
 * fetch` brings it home, and every push the policy forbids is refused with
 * the reason in git's `remote:` lines and in the gate's audit log. All
 * traffic is between the bottle's two containers; the host repository's
 * remote URL (with a token) is never contacted and must never show up in them.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bottle } from '../helpers/cli.js';
import { dockerOut, guest } from '../helpers/docker.js';

let work: string;
let env: Record<string, string>;
let plan: { agent: string; slug: string; machine: string; bundle: string; stateDir: string; gitOrigin: string };

const TOKEN = 'ghp-not-a-real-token-but-the-hosts-own';
// Built from pieces, so this file itself holds no key header.
const KEY_HEADER = ['-----BEGIN OPENSSH', 'PRIVATE KEY-----'].join(' ');
const KEY_BODY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW';

const manifest = `
bottles:
  dev:
    backend: docker
    git:
      repo: ./repo
      secrets: [{ name: "acme token", pattern: "ACME-[0-9]{8}" }]
agents:
  coder: { bottle: dev }
`;

const hostGit = (...args: string[]) => execa('git', ['-C', join(work, 'repo'), ...args], { env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Host', GIT_AUTHOR_EMAIL: 'h@x', GIT_COMMITTER_NAME: 'Host', GIT_COMMITTER_EMAIL: 'h@x' } });

/** A shell script in the agent's workspace, as the agent; its exit code and both streams. */
const agent = (script: string) => guest(plan.machine, ['sh', '-c', `cd ~/workspace && ${script}`]);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-gate-'));
  await execa('git', ['init', '-q', '-b', 'main', join(work, 'repo')]);
  await writeFile(join(work, 'repo', 'README.md'), 'the host project\n');
  await hostGit('add', '.');
  await hostGit('commit', '-qm', 'host: first');
  await hostGit('branch', 'feature');
  await hostGit('tag', 'v1');
  await hostGit('remote', 'add', 'origin', `https://host-user:${TOKEN}@git.invalid/project.git`);
  await writeFile(join(work, 'bottle.yaml'), manifest);
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
  const up = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);
  expect(up.exitCode, up.stderr + JSON.stringify(up.events.filter((e) => e.status === 'failed'))).toBe(0);
  const slug = up.events[0]!.bottles.find((b: string) => b.startsWith('coder-'));
  plan = JSON.parse(await readFile(join(work, 'state', slug, 'plan.json'), 'utf8'));
}, 900_000);

afterAll(async () => {
  if (!work) return;
  await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env);
  await rm(work, { recursive: true, force: true });
}, 300_000);

describe('the agent gets the code', () => {
  it('starts in a workspace on the host\'s current branch, origin at the gate, with nothing of the host\'s remotes', async () => {
    const r = await agent('git branch --show-current && cat README.md && git remote get-url origin && git log --format=%s');
    expect(r.stdout.split('\n')).toEqual(['main', 'the host project', plan.gitOrigin, 'host: first']);
    expect(plan.gitOrigin).toBe(`http://${plan.bundle}:8418/coder.git`);
    // The host's remote and its token reach neither machine.
    expect((await agent(`grep -r "${TOKEN}" .git; echo $?`)).stdout.trim()).toBe('1');
    expect((await dockerOut(['exec', plan.bundle, 'grep', '-r', TOKEN, '/var/lib/bot-bottle/git'])).exitCode).toBe(1);
  });

  it('clones from the gate: every branch and tag', async () => {
    const r = await guest(plan.machine, ['sh', '-c', `git clone -q ${plan.gitOrigin} /tmp/clone && git -C /tmp/clone branch -r && git -C /tmp/clone tag`]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n').map((l) => l.trim())).toEqual(['origin/HEAD -> origin/main', 'origin/feature', 'origin/main', 'v1']);
  });
});

describe('pushes', () => {
  it('takes a push to bottle/<agent>/x, and `bottle git fetch` brings it into the host repository', async () => {
    const push = await agent('git checkout -q -b bottle/coder/x && echo work > work.txt && git add . && git commit -qm "agent: work" && git push -q origin HEAD 2>&1; echo "exit $?"');
    expect(push.stdout.trim().split('\n').at(-1)).toBe('exit 0');
    const tip = (await agent('git rev-parse HEAD')).stdout.trim();
    const mainBefore = (await hostGit('rev-parse', 'main')).stdout;
    const fetch = await bottle(['git', 'fetch', '-f', join(work, 'bottle.yaml')], env);
    expect(fetch.exitCode, fetch.stderr).toBe(0);
    expect(fetch.stdout).toContain(`coder: refs/heads/bottle/coder/x -> refs/remotes/bottle/coder/x (${tip.slice(0, 12)})`);
    expect((await hostGit('rev-parse', 'refs/remotes/bottle/coder/x')).stdout).toBe(tip);
    expect((await hostGit('rev-parse', 'main')).stdout).toBe(mainBefore);
    const log = await bottle(['git', 'log', 'coder', '-f', join(work, 'bottle.yaml')], env);
    expect(log.stdout).toMatch(/refs\/heads\/bottle\/coder\/x .*\n {2}\w+ \d{4}-\d\d-\d\d coder \(bottle\): agent: work$/);
  });

  it.each([
    ['to main', 'git push origin HEAD:main', 'refs/heads/main: this bottle may push only to refs/heads/bottle/coder/*'],
    ['that rewrites history', 'git commit -q --amend -m rewritten && git push -f origin HEAD', 'not a fast-forward'],
    ['that deletes a branch', 'git push origin :bottle/coder/x', 'deleting a ref is not allowed'],
    [
      'that adds a private key',
      `printf '%s\\n%s\\n' "${KEY_HEADER}" "${KEY_BODY}" > deploy_key && git add deploy_key && git commit -qm key && git push origin HEAD:bottle/coder/key`,
      'adds "deploy_key"',
    ],
    ['that adds a token the manifest names', 'echo "token = ACME-12345678" > conf.ini && git add conf.ini && git commit -qm conf && git push origin HEAD:bottle/coder/conf', 'matches the secret pattern "acme token"'],
  ])('refuses a push %s, saying why to the pusher and in the audit log', async (_what, script, reason) => {
    const before = (await readFile(join(plan.stateDir, 'egress', 'git-gate.jsonl'), 'utf8')).split('\n').length;
    const r = await agent(`git checkout -q bottle/coder/x && git reset -q --hard origin/bottle/coder/x && ${script} 2>&1; echo "exit $?"`);
    expect(r.stdout).toMatch(/exit [1-9]/);
    const remote = r.stdout.split('\n').filter((l) => l.startsWith('remote: bot-bottle git-gate: refused'));
    expect(remote.join('\n')).toContain(reason);
    const audit = (await readFile(join(plan.stateDir, 'egress', 'git-gate.jsonl'), 'utf8')).split('\n').slice(before - 1).filter(Boolean).map((l) => JSON.parse(l));
    const pushes = audit.filter((e) => e.kind === 'push');
    expect(pushes.map((e) => e.decision)).toEqual(['refused']);
    expect(JSON.stringify(pushes[0].refusals)).toContain(reason.replace(/"/g, '\\"'));
    // The secret itself is shown nowhere.
    for (const text of [r.stdout, JSON.stringify(audit)]) {
      expect(text).not.toContain(KEY_BODY);
      expect(text).not.toContain('ACME-12345678');
    }
  });

  it('left the agent\'s branch where the accepted push put it', async () => {
    expect((await dockerOut(['exec', plan.bundle, 'git', '--git-dir', '/var/lib/bot-bottle/git/coder.git', 'log', '--format=%s', 'bottle/coder/x'])).stdout.trim().split('\n')).toEqual([
      'agent: work',
      'host: first',
    ]);
  });
});
