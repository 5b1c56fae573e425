/**
 * Egress inspection end to end on a real dockerd: the proxy terminates TLS
 * for an inspected host, sets the API key the agent never holds, refuses the
 * key echoed back, a denied path and an upstream it cannot verify; `bottle
 * allow`/`deny` change a running bottle's proxy with no container restarted,
 * and `bottle logs --denied` shows what was refused. The upstreams are TLS
 * servers of this test (test/e2e/fixtures/recording-https-server.cjs), each
 * recording what really arrived.
 */
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCa, issueServerCert } from '../../lib/ca/openssl.js';
import { bottle, REPO, type CliRun } from '../helpers/cli.js';
import { dockerOut, guest } from '../helpers/docker.js';

const API = 'api.bottle-test';
const UNTRUSTED = 'untrusted.bottle-test';
const LATER = 'later.bottle-test';
const random = () => `${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
const KEY = `sk-bottle-test-${random()}`;
/** Secrets of env: one written in the manifest, one read from bottle's environment. */
const WRITTEN = `written-${random()}`;
const HOST_TOKEN = `host-${random()}`;

let work: string;
let env: Record<string, string>;
let up: CliRun;
let plan: { slug: string; machine: string; bundle: string; stateDir: string };
const net = `bottle-test-inspect-${process.pid}`;
const hosts = [`${net}-api`, `${net}-untrusted`];

const manifest = `
bottles:
  dev:
    backend: docker
    env:
      WRITTEN_TOKEN: { value: ${WRITTEN}, secret: true }
      HOST_TOKEN: { from: "env:BOTTLE_TEST_TOKEN" }
    egress:
      allow:
        - { host: ${API}, inspect: true, paths: { deny: ["/admin/*"] } }
        - { host: ${UNTRUSTED}, inspect: true }
        # The test hosts sit on a Docker network of the test, at a private address: named here, or the proxy refuses it.
        - "172.16.0.0/12:443"
        - "192.168.0.0/16:443"
      credentials:
        - { host: ${API}, header: x-api-key, from: "env:BOTTLE_TEST_KEY", placeholderEnv: ANTHROPIC_API_KEY }
      upstreamCa: certs/upstream-ca.crt
agents:
  a: { bottle: dev }
`;

const cli = (...args: string[]) => bottle([...args, '-f', join(work, 'bottle.yaml')], env);
/** What the test hosts received, one entry per request. */
const arrived = async (): Promise<{ method: string; url: string; headers: Record<string, string>; body: string }[]> => {
  const text = await readFile(join(work, 'log', 'requests.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
};
const curl = (...args: string[]) => guest(plan.machine, ['curl', '-sS', '--max-time', '15', ...args]);
const containerIds = async () => (await dockerOut(['inspect', '--format', '{{.Id}}', plan.machine, plan.bundle])).stdout.trim();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-inspect-'));
  const certs = join(work, 'certs');
  // The upstream's CA, which the manifest names, and another that nothing trusts.
  const upstreamCa = await ensureCa(join(work, 'upstream-ca'), 'bottle test upstream CA');
  await issueServerCert(upstreamCa, join(certs, 'api'), [API, LATER]);
  await issueServerCert(await ensureCa(join(work, 'stranger-ca'), 'a CA nobody trusts'), join(certs, 'untrusted'), [UNTRUSTED]);
  await writeFile(join(certs, 'upstream-ca.crt'), await readFile(upstreamCa.cert));
  for (const dir of ['api', 'untrusted']) for (const file of ['server.crt', 'server.key']) await chmod(join(certs, dir, file), 0o644);
  await mkdir(join(work, 'log'));
  await chmod(join(work, 'log'), 0o777);
  await writeFile(join(work, 'bottle.yaml'), manifest);
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state'), BOTTLE_TEST_KEY: KEY, BOTTLE_TEST_TOKEN: HOST_TOKEN };
  up = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);
  expect(up.exitCode, up.stderr + JSON.stringify(up.events.filter((e) => e.status === 'failed'))).toBe(0);
  const slug = up.events[0]!.bottles.find((b: string) => b.startsWith('a-'));
  plan = JSON.parse(await readFile(join(work, 'state', slug, 'plan.json'), 'utf8'));

  const image = JSON.parse(await readFile(join(work, 'state', '_run', 'record.json'), 'utf8')).tasks['bundle-image'].output.image;
  expect((await dockerOut(['network', 'create', '--label', 'bot-bottle.test=1', net])).exitCode).toBe(0);
  expect((await dockerOut(['network', 'connect', net, plan.bundle])).exitCode).toBe(0);
  const server = join(REPO, 'test', 'e2e', 'fixtures', 'recording-https-server.cjs');
  for (const [name, dir, aliases] of [[hosts[0]!, 'api', [API, LATER]], [hosts[1]!, 'untrusted', [UNTRUSTED]]] as const) {
    const run = await dockerOut([
      'run', '-d', '--name', name, '--label', 'bot-bottle.test=1', '--network', net, ...aliases.flatMap((a) => ['--network-alias', a]),
      '--mount', `type=bind,source=${join(certs, dir)},target=/certs,readonly`,
      '--mount', `type=bind,source=${server},target=/server.cjs,readonly`,
      '--mount', `type=bind,source=${join(work, 'log')},target=/log`,
      image, 'node', '/server.cjs', '/certs/server.crt', '/certs/server.key',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
  }
  // Listening: the first request through the proxy may otherwise race the server's start.
  for (let i = 0; i < 50 && (await curl(`https://${API}/ping`)).exitCode !== 0; i++) await new Promise((r) => setTimeout(r, 200));
}, 900_000);

afterAll(async () => {
  for (const name of hosts) await dockerOut(['rm', '-f', name]);
  if (plan) await dockerOut(['network', 'disconnect', '--force', net, plan.bundle]);
  await dockerOut(['network', 'rm', net]);
  if (work) {
    await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env);
    await rm(work, { recursive: true, force: true });
  }
}, 300_000);

describe('egress inspection', () => {
  it('sets the key on requests to the inspected host, over HTTP/1.1 and HTTP/2, replacing the placeholder the agent sends', async () => {
    const placeholder = await guest(plan.machine, ['sh', '-c', 'printf %s "$ANTHROPIC_API_KEY"']);
    expect(placeholder.stdout).toBe('bottle-placeholder');
    const h1 = await guest(plan.machine, ['sh', '-c', `curl -sS --max-time 15 --http1.1 -H "x-api-key: $ANTHROPIC_API_KEY" -d '{"q":1}' https://${API}/v1/messages`]);
    expect(h1.stdout, h1.stderr).toBe('hello POST /v1/messages');
    const h2 = await curl('--http2', '-o', '/dev/null', '-w', '%{http_version} %{http_code}', `https://${API}/v1/models`);
    expect(h2.stdout, h2.stderr).toBe('2 200');
    const seen = (await arrived()).filter((r) => r.url.startsWith('/v1/'));
    expect(seen.map((r) => [r.method, r.url, r.headers['x-api-key']])).toEqual([
      ['POST', '/v1/messages', KEY],
      ['GET', '/v1/models', KEY],
    ]);
    expect(seen[0]!.body).toBe('{"q":1}');
  });

  it('gets the real Claude Code, holding only the placeholder, through to the API with the key', async () => {
    // Pointed at the test host; what it sends there is what it would send to api.anthropic.com.
    const run = await dockerOut([
      'exec', '--user', 'node', '--env', `ANTHROPIC_BASE_URL=https://${API}`, plan.machine,
      'timeout', '60', 'claude', '-p', 'say hi', '--max-turns', '1',
    ]);
    const calls = (await arrived()).filter((r) => r.url.startsWith('/v1/messages') && r.headers['user-agent']?.includes('claude'));
    expect(calls.length, run.stdout + run.stderr).toBeGreaterThan(0);
    expect(calls.map((r) => r.headers['x-api-key'])).toEqual(calls.map(() => KEY));
    expect(JSON.stringify(calls)).not.toContain('bottle-placeholder');
  }, 120_000);

  it('refuses the key echoed back in a body, and a path the rules deny, before anything goes upstream', async () => {
    const before = (await arrived()).length;
    const echoed = await curl('-d', `note=${KEY}`, '-w', ' %{http_code}', `https://${API}/v1/echo`);
    expect(echoed.stdout).toMatch(/refused \(secret-in-request\): the body carries the credential for api\.bottle-test.* 403$/);
    expect(echoed.stdout).not.toContain(KEY);
    const admin = await curl('-w', ' %{http_code}', `https://${API}/admin/users`);
    expect(admin.stdout).toMatch(/refused by the rule paths\.deny.* 403$/);
    expect(await arrived()).toHaveLength(before);
    const audit = await readFile(join(plan.stateDir, 'egress', 'egress.jsonl'), 'utf8');
    expect(audit).not.toContain(KEY);
    const lines = audit.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toContainEqual(expect.objectContaining({ method: 'POST', host: API, path: '/v1/echo', decision: 'deny', status: 403, rule: 'secret-in-request' }));
    expect(lines).toContainEqual(expect.objectContaining({ method: 'GET', host: API, path: '/admin/users', decision: 'deny', status: 403, rule: 'paths.deny' }));
  });

  it('refuses an upstream whose certificate its roots do not trust: 502, audited, nothing sent', async () => {
    const r = await curl('-w', ' %{http_code}', `https://${UNTRUSTED}/v1/x`);
    expect(r.stdout).toMatch(/cannot reach untrusted\.bottle-test:443: the upstream's TLS certificate is not trusted.* 502$/);
    expect((await arrived()).some((a) => a.headers.host === UNTRUSTED)).toBe(false);
    const audit = await readFile(join(plan.stateDir, 'egress', 'egress.jsonl'), 'utf8');
    expect(audit).toMatch(/"host":"untrusted\.bottle-test".*"status":502/);
  });

  it('bottle allow opens a host within a second and bottle deny closes it, with no container restarted', async () => {
    const ids = await containerIds();
    const probe = () => curl('-k', '-o', '/dev/null', '-w', '%{http_code}', `https://${LATER}/`);
    expect((await probe()).stderr).toContain('CONNECT tunnel failed, response 403');

    const allowed = await cli('allow', 'a', `${LATER}:443`);
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain(`allowed ${LATER}:443 for a, live: the manifest does not allow it; the next \`bottle up\` returns to the manifest unless given --keep-live-rules`);
    const opened = Date.now();
    let reached = await probe();
    while (reached.stdout !== '200' && Date.now() - opened < 5000) reached = await probe();
    expect(reached.stdout).toBe('200');
    expect(Date.now() - opened).toBeLessThan(1000);

    const denied = await cli('deny', 'a', LATER);
    expect(denied.exitCode, denied.stderr).toBe(0);
    const closed = Date.now();
    let refused = await probe();
    while (!refused.stderr.includes('response 403') && Date.now() - closed < 5000) refused = await probe();
    expect(refused.stderr).toContain('CONNECT tunnel failed, response 403');
    expect(Date.now() - closed).toBeLessThan(1000);
    expect(await containerIds()).toBe(ids);
  });

  it('bottle logs --denied shows the refusals of probes from the guest, and bottle up goes back to the manifest', async () => {
    const logs = await cli('logs', 'a', '--denied');
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/deny +CONNECT later\.bottle-test:443 +403 +not on the allowlist/);
    expect(logs.stdout).toMatch(/deny +CONNECT later\.bottle-test:443 +403 +rule denyHosts/);
    expect(logs.stdout).toMatch(/deny +POST api\.bottle-test:443\/v1\/echo +403 +rule secret-in-request/);
    expect(logs.stdout.split('\n').every((line) => !/ allow /.test(line))).toBe(true);

    const again = await cli('up', '--progress', 'plain');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain(`bottle: a: dropping the live rules, back to the manifest's egress: denied ${LATER} (--keep-live-rules keeps them)`);
    expect(JSON.parse(await readFile(join(plan.stateDir, 'bundle', 'egress-policy.json'), 'utf8')).denyHosts).toEqual([]);
  });

  it('leaves no trace of the key where the agent, a record, a log or the NDJSON could show it', async () => {
    // Planted where the search must find it, so a search that cannot find anything fails here.
    const marker = 'bottle-trace-marker-0c7f';
    await guest(plan.machine, ['sh', '-c', `printf ${marker} > /tmp/marker`]);
    // `[s]k-...` matches the text but is not it: the search's own command line holds no match.
    const search = (text: string) => {
      const pattern = `[${text[0]}]${text.slice(1)}`;
      return guest(plan.machine, ['sh', '-c', `grep -rls '${pattern}' / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev; cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n' | grep -c '${pattern}'`], 'root');
    };
    expect((await search(marker)).stdout).toContain('/tmp/marker');
    const found = await search(KEY);
    expect(found.stdout.trim()).toBe('0');
    const inspect = await dockerOut(['inspect', plan.machine, plan.bundle]);
    expect(inspect.stdout).not.toContain(KEY);
    const bundleLogs = await dockerOut(['logs', plan.bundle]);
    expect(bundleLogs.stdout + bundleLogs.stderr).toContain('egress: listening');
    expect(bundleLogs.stdout + bundleLogs.stderr).not.toContain(KEY);
    expect(inspect.stdout).toContain('ANTHROPIC_API_KEY=bottle-placeholder');
    expect(JSON.stringify(up.events) + up.stdout + up.stderr).not.toContain(KEY);
    // The state directory holds it in one file only: the one handed to the proxy, readable by its user alone.
    const holders = await filesContaining(join(work, 'state'), KEY);
    expect(holders).toEqual([join(plan.stateDir, 'bundle', 'credentials.json')]);
    expect((await stat(holders[0]!)).mode & 0o777).toBe(0o600);
  });

  it('gives the agent the secrets of env, and keeps them out of the bundle, the records, logs, NDJSON and the rest of docker inspect', async () => {
    const seen = await guest(plan.machine, ['sh', '-c', 'printf "%s %s" "$WRITTEN_TOKEN" "$HOST_TOKEN"']);
    expect(seen.stdout).toBe(`${WRITTEN} ${HOST_TOKEN}`);
    for (const secret of [WRITTEN, HOST_TOKEN]) {
      const [machine] = JSON.parse((await dockerOut(['inspect', plan.machine])).stdout);
      expect(machine.Config.Env).toContain(secret === WRITTEN ? `WRITTEN_TOKEN=${secret}` : `HOST_TOKEN=${secret}`);
      machine.Config.Env = [];
      expect(JSON.stringify(machine)).not.toContain(secret);
      expect((await dockerOut(['inspect', plan.bundle])).stdout).not.toContain(secret);
      expect(JSON.stringify(up.events) + up.stdout + up.stderr).not.toContain(secret);
      expect(await filesContaining(join(work, 'state'), secret)).toEqual([]);
    }
  });
});

async function filesContaining(dir: string, text: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if ((await readFile(path)).includes(text)) out.push(path);
  }
  return out;
}
