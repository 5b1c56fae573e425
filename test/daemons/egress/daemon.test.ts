/**
 * startEgress from a parsed config: the TLS health server on its own host
 * (loopback unless told otherwise), reached by the agent's CA probe only
 * through the proxy: a name pinned in `hosts`, admitted because a rule names
 * the loopback address and port.
 */
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseConfig } from '../../../daemons/egress/config.js';
import { startEgress } from '../../../daemons/egress/daemon.js';
import { tempDir } from '../../state/temp-dir.js';
import { makeCert } from './make-cert.js';
import { readToEnd, sendConnect, sendRaw } from './proxy-clients.js';
import { closedPort } from './upstreams.js';

const PROBE = 'ca-probe.bottle.internal';

describe('startEgress', () => {
  it('serves TLS health on 127.0.0.1 only, reachable through the proxy by the pinned probe name', async () => {
    const cert = await makeCert();
    const tlsPort = await closedPort();
    const config = parseConfig({
      listen: { host: '127.0.0.2', port: 0 },
      allow: [{ host: PROBE, port: tlsPort }, { host: '127.0.0.1', port: tlsPort }],
      hosts: { [PROBE]: '127.0.0.1' },
      auditLog: join(await tempDir(), 'egress.jsonl'),
      tls: { port: tlsPort, cert: cert.certPath, key: cert.keyPath },
    });
    const running = await startEgress(config);
    onTestFinished(() => running.close());
    expect(running.proxy.host).toBe('127.0.0.2');
    expect(running.tls).toEqual({ host: '127.0.0.1', port: tlsPort });

    const tunnel = await sendConnect(running.proxy.port, `${PROBE}:${tlsPort}`, '', '127.0.0.2');
    expect(tunnel.status).toBe(200);
    // The certificate names 127.0.0.1, where the tunnel really goes.
    const secure = tlsConnect({ socket: tunnel.socket, ca: cert.ca, host: '127.0.0.1' });
    secure.end(`GET /health HTTP/1.1\r\nHost: ${PROBE}\r\nConnection: close\r\n\r\n`);
    expect(await readToEnd(secure)).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\{"status":"ok","daemon":"egress"\}$/);

    // Not on the proxy's address: only the proxy itself reaches it.
    expect(await sendRaw(tlsPort, '', '127.0.0.2')).toBe('');
  });
});
