/**
 * The live policy and credentials files through startEgress: the host
 * rewrites them (temp file + rename) while the daemon runs, and within a
 * second the next CONNECT or request follows the new file, open tunnels
 * included, with no restart. A file that changes to something unusable is
 * reported (never quoting a credential) and the previous one stays.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EgressConfigError, parseConfig } from '../../../daemons/egress/config.js';
import { startEgress } from '../../../daemons/egress/daemon.js';
import { tempDir } from '../../state/temp-dir.js';
import { http2Request, http2Session, openTlsTunnel } from './inspect-clients.js';
import { readToEnd, sendConnect } from './proxy-clients.js';
import { collectMessages, replaceFile } from './replace-file.js';
import type { AuditLine } from './start-proxy.js';
import { API, makeInspectPki } from './start-inspecting-proxy.js';
import { startHttpsUpstream } from './upstreams.js';

const LOCAL = '127.0.0.1';
const FIRST_KEY = 'key-first-0123456789';
const SECOND_KEY = 'key-second-0123456789';
const BAD_KEY = 'key-never-logged-0123456789';

/** A policy file's contents: `allow` rules for API on `port` (inspected) when `allowed`. */
function policy(port: number, options: { allowed: boolean; denyHosts?: string[] }) {
  const allow = options.allowed ? [{ host: API, port, inspect: true }, { host: LOCAL, port }] : [];
  return { allow, hosts: { [API]: LOCAL }, ...(options.denyHosts ? { denyHosts: options.denyHosts } : {}) };
}

async function startDaemon(options: { allowed: boolean; key: string }) {
  const pki = await makeInspectPki();
  const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
  const dir = await tempDir();
  const files = { policy: join(dir, 'policy.json'), credentials: join(dir, 'credentials.json'), audit: join(dir, 'log', 'egress.jsonl') };
  await replaceFile(files.policy, policy(upstream.port, { allowed: options.allowed }));
  await replaceFile(files.credentials, { credentials: [{ host: API, header: 'x-api-key', value: options.key }] });
  const config = parseConfig({
    listen: { host: LOCAL, port: 0 },
    auditLog: files.audit,
    policyFile: files.policy,
    inspect: { leafDir: pki.leafDir, credentialsFile: files.credentials, upstreamCaFiles: [pki.upstreamCa.certPath] },
  });
  const messages = collectMessages();
  const running = await startEgress(config, { onReload: messages.say });
  onTestFinished(() => running.close());
  const authority = `${API}:${upstream.port}`;
  const connectStatus = async (): Promise<number> => {
    const tunnel = await sendConnect(running.proxy.port, authority);
    if (tunnel.status !== 200) await readToEnd(tunnel.socket, tunnel.rest);
    tunnel.socket.destroy();
    return tunnel.status;
  };
  const session = async () => http2Session(await openTlsTunnel(running.proxy.port, authority, { ca: pki.agentCa.cert, servername: API }), authority);
  const auditLines = async (): Promise<AuditLine[]> => {
    await running.close();
    const text = await readFile(files.audit, 'utf8');
    return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditLine);
  };
  return { upstream, files, messages, running, connectStatus, session, auditLines };
}

describe('a live policy file', () => {
  it('takes an added allow rule, then an added denied host, without a restart; open tunnels follow it', async () => {
    const { upstream, files, messages, running, connectStatus, session, auditLines } = await startDaemon({ allowed: false, key: FIRST_KEY });
    expect(await connectStatus()).toBe(403);

    let reloaded = messages.next();
    await replaceFile(files.policy, policy(upstream.port, { allowed: true }));
    expect(await reloaded).toBe(`the policy file ${files.policy} changed: 2 allow rule(s), 1 inspected`);
    expect(await connectStatus()).toBe(200);
    const open = await session();
    expect((await http2Request(open, { path: '/v1/a' })).status).toBe(200);
    expect(upstream.seen.map((seen) => seen.headers['x-api-key'])).toEqual([FIRST_KEY]);

    reloaded = messages.next();
    await replaceFile(files.policy, policy(upstream.port, { allowed: true, denyHosts: [API] }));
    expect(await reloaded).toBe(`the policy file ${files.policy} changed: 2 allow rule(s), 1 inspected; denied hosts ${API}`);
    expect(running.policy().denyHosts).toEqual([API]);
    expect(await connectStatus()).toBe(403);
    // The tunnel opened before the change: its next request is judged by the new policy.
    const refused = await http2Request(open, { path: '/v1/b' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain(`${API} is on this bottle's denied hosts (bottle deny)`);
    expect(upstream.seen).toHaveLength(1);

    const lines = await auditLines();
    expect(lines.map(({ method, status, rule }) => `${method} ${status} ${rule ?? '-'}`)).toEqual([
      'CONNECT 403 -',
      'CONNECT 200 -',
      'CONNECT 200 -',
      'GET 200 -',
      'CONNECT 403 denyHosts',
      'GET 403 denyHosts',
    ]);
  });

  it('keeps the previous policy when the file changes to an invalid one, says which field, and takes the next valid one', async () => {
    const { upstream, files, messages, connectStatus } = await startDaemon({ allowed: true, key: FIRST_KEY });
    expect(await connectStatus()).toBe(200);

    let reloaded = messages.next();
    await replaceFile(files.policy, { allow: [{ host: API, port: 'https' }] });
    const message = await reloaded;
    expect(message).toContain(`the policy file ${files.policy} changed but cannot be used; the previous one stays: Invalid egress policy file ${files.policy}:`);
    expect(message).toContain('`allow[0].port`: expected an integer from 1 to 65535 or null (80 and 443), got "https" (string).');
    expect(await connectStatus()).toBe(200);

    reloaded = messages.next();
    await replaceFile(files.policy, '{ not json');
    expect(await reloaded).toContain('is not valid JSON');
    expect(await connectStatus()).toBe(200);

    reloaded = messages.next();
    await replaceFile(files.policy, policy(upstream.port, { allowed: false }));
    expect(await reloaded).toBe(`the policy file ${files.policy} changed: 0 allow rule(s), 0 inspected`);
    expect(await connectStatus()).toBe(403);
  });
});

describe('a live credentials file', () => {
  it('injects the new value into the next request, on a tunnel opened before the change', async () => {
    const { upstream, files, messages, session } = await startDaemon({ allowed: true, key: FIRST_KEY });
    const open = await session();
    expect((await http2Request(open, { path: '/one' })).status).toBe(200);

    const reloaded = messages.next();
    await replaceFile(files.credentials, { credentials: [{ host: API, header: 'x-api-key', value: SECOND_KEY }] });
    expect(await reloaded).toBe(`the credentials file ${files.credentials} changed: 1 credential(s)`);
    expect((await http2Request(open, { path: '/two' })).status).toBe(200);
    expect((await http2Request(await session(), { path: '/three' })).status).toBe(200);

    expect(upstream.seen.map((seen) => `${seen.url} ${String(seen.headers['x-api-key'])}`)).toEqual([`/one ${FIRST_KEY}`, `/two ${SECOND_KEY}`, `/three ${SECOND_KEY}`]);
  });

  it('keeps the previous credentials when the file changes to an invalid one, and never quotes a value', async () => {
    const { upstream, files, messages, session } = await startDaemon({ allowed: true, key: FIRST_KEY });
    const open = await session();

    let reloaded = messages.next();
    await replaceFile(files.credentials, { credentials: [{ host: API, header: 'bad header', value: BAD_KEY }] });
    const invalid = await reloaded;
    expect(invalid).toContain(`the credentials file ${files.credentials} changed but cannot be used; the previous one stays`);
    expect(invalid).toContain('`credentials[0].header`');

    reloaded = messages.next();
    await replaceFile(files.credentials, `{"credentials": [{"host": "${API}", "header": "x-api-key", "value": "${BAD_KEY}"}`);
    const notJson = await reloaded;
    expect(notJson).toContain("is not valid JSON (the parser's message is withheld: it may quote a credential)");

    expect((await http2Request(open, { path: '/still' })).status).toBe(200);
    expect(upstream.seen.map((seen) => seen.headers['x-api-key'])).toEqual([FIRST_KEY]);
    expect(messages.all.join('\n')).not.toContain(BAD_KEY);
  });
});

describe('startEgress with files that cannot be used at start', () => {
  it('fails with the policy file\'s problems, and with an unreadable credentials file, before listening', async () => {
    const pki = await makeInspectPki();
    const dir = await tempDir();
    const policyFile = join(dir, 'policy.json');
    await replaceFile(policyFile, { allow: [{ host: API, port: 443, inspect: 'yes' }] });
    const base = { listen: { host: LOCAL, port: 0 }, auditLog: join(dir, 'egress.jsonl'), policyFile };
    const inspect = { leafDir: pki.leafDir, credentialsFile: join(dir, 'missing.json') };

    const badPolicy = startEgress(parseConfig({ ...base, inspect: { leafDir: pki.leafDir } }));
    await expect(badPolicy).rejects.toBeInstanceOf(EgressConfigError);
    await expect(badPolicy).rejects.toThrow('`allow[0].inspect`: expected true or false, got "yes" (string).');

    await replaceFile(policyFile, { allow: [] });
    const noCredentials = startEgress(parseConfig({ ...base, inspect }));
    await expect(noCredentials).rejects.toThrow(`Cannot read the credentials file ${inspect.credentialsFile}: ENOENT`);
  });
});
