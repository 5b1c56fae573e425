/** A TLS request from Node in a guest, through the bottle's proxy: what the e2e tests use to prove Node trusts the bottle CA. */
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
