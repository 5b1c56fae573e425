/**
 * The HTTP API of `smolvm serve` as a SmolvmTransport [src/api/handlers,
 * src/api/types.rs: camelCase bodies; ExecRequest is deny_unknown_fields, so
 * only its own fields are sent]. 404 on delete, and 409 on create,
 * are what idempotency expects; other error replies become TaskErrors
 * (http-errors.ts).
 *
 * What the API cannot do, and this transport therefore refuses rather than
 * half-does: join a named network (CreateMachineRequest has no such field and
 * the server sets `network_name: None` [src/api/state.rs]), take a local image
 * archive (`image` is stored raw, not staged), keep labels (no field), set a
 * file's owner on upload (done here by a chown/chmod exec afterwards). Exec
 * gets only the env of its request: the machine's create-time env is not
 * applied by the API [src/api/handlers/exec.rs].
 */
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { TaskError } from '../../engine/index.js';
import type { ExecResult, OpOptions } from '../types.js';
import { parseApiUrl, send, type ApiReply, type ApiTarget, type RequestBody } from './http-client.js';
import { apiError } from './http-errors.js';
import type { SmolvmMachine, SmolvmState, SmolvmTransport } from './transport.js';

export interface HttpTransportOptions {
  /** `unix:///path.sock`, `/path.sock` or `http://host:port`. */
  url: string;
}

/** The API's MachineInfo, the fields we read. */
interface MachineInfo {
  name: string;
  state: SmolvmState;
  createdAt: number;
}

interface ExecResponse {
  exitCode: number;
  stdout: string;
  stderr: string;
  stdoutB64?: string;
  stderrB64?: string;
}

/** 100 MiB [src/api/mod.rs MAX_FILE_UPLOAD_BYTES]. */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

const BASE = '/api/v1/machines';

export function machinePath(name: string, rest = ''): string {
  return `${BASE}/${encodeURIComponent(name)}${rest}`;
}

/** `/files/{*path}`: the server prefixes "/" after trimming leading slashes [src/api/handlers/files.rs]. */
export function filePath(name: string, guestPath: string): string {
  return machinePath(name, `/files/${guestPath.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/')}`);
}

export function httpTransport(options: HttpTransportOptions): SmolvmTransport {
  const target: ApiTarget = parseApiUrl(options.url);

  async function call(method: string, path: string, body: RequestBody | null, op: OpOptions, ok: readonly number[] = []): Promise<ApiReply> {
    const reply = await send(target, method, path, body, op.signal);
    if ((reply.status >= 200 && reply.status < 300) || ok.includes(reply.status)) return reply;
    throw apiError(method, path, reply);
  }

  const json = (value: unknown): RequestBody => {
    const data = JSON.stringify(value);
    return { data, contentType: 'application/json', length: Buffer.byteLength(data) };
  };

  const transport: SmolvmTransport = {
    kind: 'http',
    acceptsLocalImages: false,

    async create(request, op) {
      if (request.networkName !== undefined) {
        throw new TaskError(
          `cannot create ${request.name} through smolvm serve (${target.url}): its API cannot put machines on a named network (network ${request.networkName}), so the agent could not reach its bundle; run bottle on the smolvm host with the CLI (unset BOTTLE_SMOLVM_URL)`,
          { code: 'SMOLVM_NETWORK_UNSUPPORTED' },
        );
      }
      const allowCidrs = request.allowCidrs ?? [];
      const body = {
        name: request.name,
        image: request.image,
        ...(request.cpus ? { cpus: Math.ceil(request.cpus) } : {}),
        ...(request.memoryMiB ? { memoryMb: request.memoryMiB } : {}),
        network: Boolean(request.net) || allowCidrs.length > 0,
        ...(allowCidrs.length > 0 ? { networkBackend: 'virtio-net', allowedCidrs: allowCidrs } : {}),
        env: Object.entries(request.env).map(([name, value]) => ({ name, value })),
        mounts: request.mounts.map((m) => ({ source: m.host, target: m.guest, readonly: m.readonly })),
        ...(request.command?.length ? { cmd: request.command } : {}),
      };
      const reply = await call('POST', BASE, json(body), op, [409]);
      return reply.status === 409 ? 'exists' : 'created';
    },

    async start(name, op) {
      const reply = await call('POST', machinePath(name, '/start'), null, op, [404]);
      if (reply.status === 404) throw new TaskError(`there is no smolvm machine ${name} to start (${target.url})`, { code: 'MACHINE_MISSING' });
    },

    async stop(name, op) {
      // 200 when it is not running; 404: missing, so not running either.
      await call('POST', machinePath(name, '/stop'), null, op, [404]);
    },

    async remove(name, op) {
      await call('DELETE', machinePath(name), null, op, [404]);
    },

    async get(name, op) {
      const reply = await call('GET', machinePath(name), null, op, [404]);
      return reply.status === 404 ? null : machineOf(JSON.parse(reply.body.toString('utf8')) as MachineInfo);
    },

    async list(op) {
      const reply = await call('GET', BASE, null, op);
      return (JSON.parse(reply.body.toString('utf8')) as { machines: MachineInfo[] }).machines.map(machineOf);
    },

    async exec(name, argv, op) {
      if (op.input !== undefined && typeof op.input !== 'string') throw new TaskError('smolvm serve takes exec stdin as a string only', { code: 'BAD_INPUT' });
      const body = {
        command: [...argv],
        env: Object.entries(op.env ?? {}).map(([k, value]) => ({ name: k, value })),
        ...(op.cwd ? { workdir: op.cwd } : {}),
        ...(op.input !== undefined ? { stdin: op.input } : {}),
      };
      const reply = await call('POST', machinePath(name, '/exec'), json(body), op);
      const res = JSON.parse(reply.body.toString('utf8')) as ExecResponse;
      return {
        exitCode: res.exitCode,
        stdout: res.stdoutB64 !== undefined ? Buffer.from(res.stdoutB64, 'base64').toString('utf8') : res.stdout,
        stderr: res.stderrB64 !== undefined ? Buffer.from(res.stderrB64, 'base64').toString('utf8') : res.stderr,
      } satisfies ExecResult;
    },

    async upload(name, hostPath, guestPath, op) {
      const { size } = await stat(hostPath);
      if (size > MAX_UPLOAD_BYTES) throw new TaskError(`${hostPath} is ${size} bytes; smolvm serve takes uploads of at most 100 MiB`, { code: 'COPY_TOO_LARGE' });
      await call('PUT', filePath(name, guestPath), { data: createReadStream(hostPath), contentType: 'application/octet-stream', length: size }, op);
      // The API writes as root with its default mode: set both, as `machine cp --mode --uid --gid` would.
      for (const argv of [['chown', `${op.uid}:${op.gid}`, guestPath], ['chmod', op.mode.toString(8), guestPath]]) {
        const fixed = await transport.exec(name, argv, op);
        if (fixed.exitCode !== 0) throw new TaskError(`\`${argv.join(' ')}\` in ${name} exited ${fixed.exitCode}: ${fixed.stderr.trim()}`, { code: 'COPY_FAILED' });
      }
    },

    // `GET /{name}/files/{*path}` gives the raw bytes [src/api/handlers/files.rs download_file].
    async download(name, guestPath, hostPath, op) {
      const reply = await call('GET', filePath(name, guestPath), null, op);
      await writeFile(hostPath, reply.body, { flag: 'wx', mode: 0o600 });
    },
  };
  return transport;
}

function machineOf(info: MachineInfo): SmolvmMachine {
  return { name: info.name, state: info.state, createdAt: info.createdAt, labels: null };
}
