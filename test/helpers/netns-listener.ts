/**
 * Listeners inside a network namespace the test made (a test engine's, so
 * "the engine's host"): a TCP service on a free port and a resolver on
 * port 53 (UDP and TCP) that answers nothing, on every address of the
 * namespace. Each connection and query is reported with where it came from,
 * so a test can tell whether a guest on that engine reached the engine's
 * host around its proxy. One `node` run with `ip netns exec`, stopped by its
 * pid; nothing listens outside the namespace.
 */
import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';

const LISTENER = `
const net = require('net');
const dgram = require('dgram');
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const service = net.createServer((c) => { say({ kind: 'service', from: c.remoteAddress }); c.end('a service of the engine host\\n'); });
service.listen(0, '0.0.0.0', () => {
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => say({ kind: 'dns', from: r.address, query: m.toString('latin1') }));
  udp.bind(53, '0.0.0.0', () => {
    const tcp = net.createServer((c) => c.on('data', (d) => say({ kind: 'dns', from: c.remoteAddress, query: d.toString('latin1') })));
    tcp.listen(53, '0.0.0.0', () => say({ kind: 'ready', port: service.address().port }));
  });
});
`;

export interface NetnsListener {
  /** The TCP service's port. */
  port: number;
  /** Who connected to the service (remote addresses), in order. */
  serviceSeen: string[];
  /** The DNS queries heard, as latin1 text. */
  dnsSeen: string[];
  stop(): Promise<void>;
}

export async function startNetnsListener(netns: string, startTimeoutMs = 10_000): Promise<NetnsListener> {
  const child: ResultPromise = execa('ip', ['netns', 'exec', netns, 'node', '-e', LISTENER], { reject: false, stdin: 'ignore', buffer: false });
  const serviceSeen: string[] = [];
  const dnsSeen: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM');
    await child;
  };
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the listener in ${netns} did not start within ${startTimeoutMs} ms: ${stderr}`)), startTimeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const said = JSON.parse(line) as { kind: string; port?: number; from?: string; query?: string };
      if (said.kind === 'ready') {
        clearTimeout(timer);
        resolve(said.port!);
      } else if (said.kind === 'service') serviceSeen.push(said.from!);
      else if (said.kind === 'dns') dnsSeen.push(said.query!);
    });
    void child.then((r) => {
      clearTimeout(timer);
      reject(new Error(`the listener in ${netns} ended (${r.exitCode ?? r.signal}) before it listened: ${stderr}`));
    });
  }).catch(async (error: Error) => {
    await stop();
    throw error;
  });
  return { port, serviceSeen, dnsSeen, stop };
}
