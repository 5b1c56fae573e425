/**
 * The smolvm Backend, over either transport (CLI or `smolvm serve`). Machines
 * are reused while their `bot-bottle.config` label matches the wanted
 * configuration and recreated otherwise; exec, cp and copies check the machine
 * runs first (the CLI never starts one, the API would start it silently);
 * other users than root are reached with setpriv (guest.ts); networking
 * follows fabric.ts. It does not build images (image-archive.ts bridges
 * Docker's) and has no network objects of its own to make or remove.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { TaskError } from '../../engine/index.js';
import { cacheDir } from '../../images/paths.js';
import type { Backend, ExecOptions, FilesRequest, MachineInfo, MachineSpec, MachineState, NetworkSpec, OpOptions, ReadMachineFile } from '../types.js';
import { FABRIC_RANGE, FIRST_MEMBER_IP, networkFields } from './fabric.js';
import { isConfigured, machineLabels, reuseOrRecreate } from '../reuse.js';
import { SLUG_LABEL } from '../labels.js';
import { asUser, isRoot, parseId } from './guest.js';
import { smolvmCopies } from './copy.js';
import { readArgv, unpackArgv } from '../guest-install.js';
import { freshDirs, mergeRequests, packGuestFiles } from '../guest-files.js';
import { dockerImageBridge, type ImageBridge } from './image-archive.js';
import { realRunner, type Runner } from './runner.js';
import type { CreateRequest, SmolvmMachine, SmolvmTransport } from './transport.js';

export interface SmolvmBackendOptions {
  transport: SmolvmTransport;
  /** Runs host commands (tar); default: the real `run`. */
  runner?: Runner;
  /** Default: Docker images saved under `<cache>/smolvm-images`. */
  images?: ImageBridge;
}

export function createSmolvmBackend(options: SmolvmBackendOptions): Backend {
  const { transport } = options;
  const runner = options.runner ?? realRunner;
  const images = options.images ?? dockerImageBridge({ runner, dir: join(cacheDir(), 'smolvm-images') });

  async function requireRunning(machine: string, op: OpOptions): Promise<void> {
    const found = await transport.get(machine, op);
    if (!found) throw new TaskError(`there is no smolvm machine ${machine}; run \`bottle up\` to make it`, { code: 'MACHINE_MISSING' });
    if (found.state !== 'running') {
      throw new TaskError(`smolvm machine ${machine} is ${found.state}; run \`bottle up\` to start it`, { code: 'MACHINE_NOT_RUNNING' });
    }
  }

  const copies = smolvmCopies(transport, requireRunning);

  async function ownerOf(machine: string, user: string, op: OpOptions): Promise<{ uid: number; gid: number }> {
    if (isRoot(user)) return { uid: 0, gid: 0 };
    const id = await transport.exec(machine, ['id', user], op);
    const owner = id.exitCode === 0 ? parseId(id.stdout) : null;
    if (!owner) throw new TaskError(`there is no user ${user} in ${machine} (\`id ${user}\`: ${(id.stderr || id.stdout).trim()})`, { code: 'NO_SUCH_USER' });
    return owner;
  }

  /**
   * `machine cp` writes as root and would follow a link the guest put at the
   * destination, so it writes only into a fresh directory of root's, named
   * here at random (`mkdir` fails on anything already there, link or not);
   * the user then takes the file from there (guest-install.ts), and the
   * directory goes.
   */
  async function staged(machine: string, hostPath: string, owner: { uid: number; gid: number }, user: string, op: OpOptions, what: string, use: (guestFile: string) => string[]): Promise<void> {
    const dir = `/tmp/.bot-bottle-${randomBytes(8).toString('hex')}`;
    await guestOk(machine, ['mkdir', '-m', '711', dir], op, `make a staging directory in ${machine}`);
    try {
      await transport.upload(machine, hostPath, `${dir}/${basename(hostPath)}`, { ...op, mode: 0o600, ...owner });
      await guestOk(machine, asUser(user, use(`${dir}/${basename(hostPath)}`)), op, what);
    } finally {
      await transport.exec(machine, ['rm', '-rf', dir], op);
    }
  }

  async function guestOk(machine: string, argv: string[], op: OpOptions, what: string): Promise<void> {
    const result = await transport.exec(machine, argv, op);
    if (result.exitCode !== 0) throw new TaskError(`could not ${what}: ${(result.stderr || result.stdout).trim()}`, { code: 'COPY_FAILED' });
  }

  async function createRequest(spec: MachineSpec, op: OpOptions): Promise<CreateRequest> {
    return {
      name: spec.name,
      image: transport.acceptsLocalImages ? await images.resolve(spec.image, op) : spec.image,
      labels: machineLabels(spec),
      env: spec.env,
      ...(spec.cpus ? { cpus: spec.cpus } : {}),
      ...(spec.memoryMiB ? { memoryMiB: spec.memoryMiB } : {}),
      ...networkFields(spec),
      mounts: spec.mounts ?? [],
      ...(spec.command ? { command: spec.command } : {}),
    };
  }

  let listed: Promise<Map<string, MachineState>> | undefined;

  const backend = {
    kind: 'smolvm' as const,

    // smolvm addresses its networks itself (fabric.ts): no subnet of ours, no DNS, the bundle first.
    takesSubnets: false,
    // Its machines run on this host and mount its paths.
    sharesHostPaths: true,
    subnetsInUse: async () => ({ inUse: [], own: new Map<string, string>() }),
    bundleAddress: () => ({ ip: FIRST_MEMBER_IP, host: FIRST_MEMBER_IP }),
    reservedRanges: () => [FABRIC_RANGE],
    whyStopped: (machine: string) => `see \`smolvm machine status --name ${machine}\``,

    async ensureNetwork(network: NetworkSpec) {
      // A named network is made by its first member's lease (fabric.ts): nothing to create.
      return { network: network.name, id: null };
    },

    networkExists: async () => true,

    removeNetwork: async () => {},

    async startMachine(spec: MachineSpec, op: OpOptions): Promise<MachineInfo> {
      if (spec.volumes?.length) {
        throw new TaskError(`smolvm has no volumes to share between machines, which \`caches\` needs; remove \`caches\` from this bottle, or use backend: docker`, { code: 'BAD_SPEC' });
      }
      if (spec.ip && spec.ip !== FIRST_MEMBER_IP) {
        throw new TaskError(`smolvm cannot give ${spec.name} the address ${spec.ip}: members of a smolvm network lease theirs in start order, the first one ${FIRST_MEMBER_IP}`, { code: 'BAD_SPEC' });
      }
      const find = async () => {
        const found = await transport.get(spec.name, op);
        return found && { labels: found.labels, running: found.state === 'running', id: machineId(spec, found) };
      };
      const start = () => transport.start(spec.name, op);
      const info = await reuseOrRecreate(spec, {
        find,
        start,
        remove: () => transport.remove(spec.name, op),
        async create() {
          if ((await transport.create(await createRequest(spec, op), op)) === 'exists') {
            // Someone made it between our look and our create: confirm what it is.
            const now = await find();
            if (!isConfigured(now, spec)) {
              throw new TaskError(`smolvm machine ${spec.name} was created by someone else meanwhile, with another configuration`, { code: 'SMOLVM_CONFLICT', transient: true });
            }
            if (!now.running) await start();
            return { id: now.id, reused: true };
          }
          await start();
          // smolvm reads and writes a running machine only: its first files go in right after it starts.
          const read: ReadMachineFile = async (path, maxBytes) => typed.readFile(spec.name, path, { ...op, user: 'root', maxBytes });
          for (const files of mergeRequests((await spec.initialFiles?.(read)) ?? [])) await typed.putFiles(spec.name, files, op);
          return { id: machineId(spec, await transport.get(spec.name, op)) };
        },
      });
      void listed?.then((states) => states.set(spec.name, 'running'));
      return info;
    },

    async exec(machine: string, argv: readonly string[], options: ExecOptions = {}) {
      await requireRunning(machine, options);
      return transport.exec(machine, asUser(options.user, argv), options);
    },

    /** smolvm copies single files only: the archive made on the host, staged, unpacked by the user. */
    async putFiles(machine: string, files: FilesRequest, options: OpOptions) {
      await requireRunning(machine, options);
      const owner = await ownerOf(machine, files.user, options);
      const dir = await mkdtemp(join(tmpdir(), 'bottle-files-'));
      const archive = join(dir, 'files.tar');
      try {
        await writeFile(archive, await packGuestFiles(files.entries, owner, { placeholders: false }), { mode: 0o600 });
        await staged(machine, archive, owner, files.user, options, `put files into ${machine}:${files.dir}`, (file) => unpackArgv(files.dir, file, freshDirs(files.entries)));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    copyOut: copies.copyOut,
    copyIn: copies.copyIn,
    execStream: copies.execStream,

    async readFile(machine: string, path: string, options: OpOptions & { user: string; maxBytes: number }) {
      await requireRunning(machine, options);
      const read = await transport.exec(machine, asUser(options.user, readArgv(path, options.maxBytes + 1)), options);
      const bytes = Buffer.from(read.stdout);
      return read.exitCode === 0 && bytes.length <= options.maxBytes ? bytes : undefined;
    },

    /** One `machine ls` a run serves every probe; `fresh` lists again. */
    async status(machines: readonly string[], options: OpOptions & { fresh?: boolean } = {}): Promise<Map<string, MachineState>> {
      if (machines.length === 0) return new Map();
      if (options.fresh || !listed) listed = transport.list(options).then((all) => new Map(all.map((m) => [m.name, stateOf(m.state)])));
      const states = await listed;
      return new Map(machines.map((n) => [n, states.get(n) ?? 'missing'] as const));
    },

    /** Every machine carrying a bottle's slug, from one `machine ls`: the CLI keeps labels, `smolvm serve` none (so it lists nothing). */
    async listLabelled(options: OpOptions = {}) {
      const all = await transport.list(options);
      return all.flatMap((m) => (m.labels?.[SLUG_LABEL] ? [{ type: 'machine' as const, name: m.name, labels: m.labels }] : []));
    },

    /** smolvm's stop waits for the machine as it will: it takes no grace period. */
    async stopMachine(machine: string, options: OpOptions) {
      await transport.stop(machine, options);
      void listed?.then((states) => states.has(machine) && states.set(machine, 'stopped'));
    },

    /** Start order is address order on a smolvm network (fabric.ts): the caller resumes the bundle first. */
    async resumeMachine(machine: string, options: OpOptions) {
      try {
        await transport.start(machine, options);
      } catch (error) {
        if (error instanceof TaskError && error.code === 'MACHINE_MISSING') {
          throw new TaskError(`there is no smolvm machine ${machine} to start; run \`bottle up\` to make it anew`, { code: 'MACHINE_MISSING', cause: error });
        }
        throw error;
      }
      void listed?.then((states) => states.set(machine, 'running'));
    },

    async removeMachine(machine: string, options: OpOptions) {
      await transport.remove(machine, options);
      void listed?.then((states) => states.delete(machine));
    },

    async logs(machine: string): Promise<void> {
      throw new TaskError(`smolvm keeps no console log of ${machine}; run \`bottle exec\` to look inside instead`, { code: 'NO_LOGS' });
    },
    async attach(machine: string, argv: readonly string[], options: { user: string; cwd?: string; tty: boolean }): Promise<number> {
      if (!transport.attach) throw new TaskError(`an interactive session in ${machine} needs the smolvm CLI on this host (unset BOTTLE_SMOLVM_URL)`, { code: 'SMOLVM_ATTACH_UNSUPPORTED' });
      await requireRunning(machine, {});
      return transport.attach(machine, asUser(options.user, argv), { tty: options.tty, ...(options.cwd ? { cwd: options.cwd } : {}) });
    },
  };
  // Through a variable, not a literal: no excess-property check ties this file to when `attach` joins Backend.
  const typed: Backend = backend;
  return typed;
}

/** Changes whenever the machine is recreated: a new configuration or a new creation time. */
function machineId(spec: MachineSpec, found: SmolvmMachine | null): string {
  return `${spec.configHash.slice(0, 12)}-${found?.createdAt ?? 0}`;
}

function stateOf(state: SmolvmMachine['state'] | undefined): MachineState {
  if (state === undefined) return 'missing';
  return state === 'running' ? 'running' : 'stopped';
}
