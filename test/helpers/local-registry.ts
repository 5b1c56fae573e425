/**
 * Registries on 127.0.0.1 for pulls that must not leave the machine (the
 * engine treats 127.0.0.0/8 as an insecure registry: it tries HTTPS, then
 * plain HTTP). `serveImage` is a registry (API v2, read-only) holding one
 * tiny image, `repo:tag`, one layer with one file, for the engine's
 * platform; `silentRegistry` accepts connections and never answers (a
 * registry that hangs). Both count the requests they got.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export interface LocalRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  requests: string[];
  close(): Promise<void>;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function layerTar(): Promise<Buffer> {
  const tar = pack();
  tar.entry({ name: 'hello.txt', mode: 0o644 }, 'a layer of a test image\n');
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function serveImage(repo: string, tag: string, platform: { os: string; arch: string }): Promise<LocalRegistry> {
  const tar = await layerTar();
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({ architecture: platform.arch, os: platform.os, config: { Cmd: ['/hello.txt'] }, rootfs: { type: 'layers', diff_ids: [sha256(tar)] }, history: [{ created_by: 'bottle test' }] }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha256(layer) }],
    }),
  );
  const blobs = new Map([
    [sha256(config), config],
    [sha256(layer), layer],
  ]);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(`${req.method} ${url}`);
    const send = (status: number, body: Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Length': String(body.length), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (url === '/v2/' || url === '/v2') return send(200, Buffer.from('{}'), { 'Content-Type': 'application/json' });
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/?]+)$/.exec(url);
    if (m && m[1] === repo && m[2] === 'manifests' && (m[3] === tag || m[3] === sha256(manifest))) {
      return send(200, manifest, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json', 'Docker-Content-Digest': sha256(manifest) });
    }
    const blob = m && m[1] === repo && m[2] === 'blobs' ? blobs.get(m[3]!) : undefined;
    if (blob) return send(200, blob, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': m![3]! });
    return send(404, Buffer.from(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'not here' }] })), { 'Content-Type': 'application/json' });
  });
  return listening(server, requests, () => undefined);
}

export async function silentRegistry(): Promise<LocalRegistry> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    requests.push('connection');
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return listening(server, requests, () => {
    for (const socket of sockets) socket.destroy();
  });
}

async function listening(server: Server | TcpServer, requests: string[], drop: () => void): Promise<LocalRegistry> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        drop();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
