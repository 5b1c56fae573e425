/**
 * ca: installs the bottle's CA in the guest — the system store (through
 * update-ca-certificates: curl, git with GIT_SSL_CAINFO) and for Node
 * (NODE_EXTRA_CA_CERTS, set at machine start) — and proves both trust it with
 * a request through the proxy to the bundle's TLS probe, whose certificate
 * the CA signed.
 */
import { daemons } from './daemons.js';
import { CA_PROBE_HOST, TLS_PROBE_PORT } from '../lib/plan/types.js';
import { prepare } from './prepare.js';
import { startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';
import { execOk } from './guest.js';

export interface CaOutput {
  path: string;
  digest: string;
  proven: string[];
}

/**
 * Node's own check (Node has no proxy support of its own before 24): CONNECT
 * through the proxy, then TLS with the default store plus NODE_EXTRA_CA_CERTS.
 * Fixed code, given the proxy and target as arguments.
 */
export const NODE_TLS_PROBE = `
const http = require('http'), tls = require('tls');
const [proxy, target] = process.argv.slice(1).map((u) => new URL(u));
const fail = (m) => { console.error(m); process.exit(1); };
http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: target.hostname + ':' + (target.port || 443) })
  .on('connect', (res, socket) => {
    if (res.statusCode !== 200) fail('proxy answered ' + res.statusCode);
    const s = tls.connect({ socket, servername: target.hostname }, () =>
      s.end('GET ' + target.pathname + ' HTTP/1.1\\r\\nHost: ' + target.hostname + '\\r\\nConnection: close\\r\\n\\r\\n'));
    let body = '';
    s.on('data', (d) => (body += d)).on('end', () => (body.startsWith('HTTP/1.1 200') ? console.log('node trusts the bottle CA') : fail(body.split('\\r\\n')[0])));
    s.on('error', (e) => fail(e.message));
  })
  .on('error', (e) => fail(e.message))
  .end();
`;

export const ca = bottleTask({
  id: 'ca',
  title: 'CA',
  needs: [prepare, startVm, daemons],
  retry: { attempts: 3, baseMs: 1000 },
  timeoutMs: 90_000,
  fingerprint: (ctx) => ({ path: ctx.plan.guestCaPath, probe: CA_PROBE_HOST, proxy: ctx.plan.proxyUrl }),
  run: async (ctx, io): Promise<CaOutput> => {
    const { plan } = ctx;
    const backend = backendOf(ctx);
    const prepared = io.needs.prepare;
    const machine = io.needs['start-vm'].machine;
    await backend.copyFile(machine, prepared.caCert, plan.guestCaPath, { ...op(io), mode: 0o644, user: 'root' });
    await execOk(backend, machine, ['update-ca-certificates'], { ...op(io), user: '0' });
    const url = `https://${CA_PROBE_HOST}:${TLS_PROBE_PORT}/health`;
    const asUser = { ...op(io), user: plan.user };
    await execOk(backend, machine, ['curl', '-fsS', '--max-time', '15', '--proxy', plan.proxyUrl, url], asUser);
    io.log('curl trusts the bottle CA');
    const node = await execOk(backend, machine, ['node', '-e', NODE_TLS_PROBE, plan.proxyUrl, url], asUser);
    io.log(node.stdout.trim());
    return { path: plan.guestCaPath, digest: prepared.caDigest, proven: ['curl', 'node'] };
  },
});
