/**
 * A stand-in for the `smolvm` binary at the process boundary: a Runner that
 * answers `smolvm machine ...` the way smolvm 1.9.2 does — exit codes,
 * stdout and stderr texts as read from its source (docs/smolvm.md; the
 * file tags below) — and hands every other command (tar, docker) to the
 * real runner. It keeps machines, their env and uploaded files (and serves
 * downloads from `guestFiles`), rejects
 * flags smolvm does not have (as clap does: exit 2), and fails on cue
 * (`failNext`). The guest is a function tests can replace.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { run, type RunOptions, type RunResult } from '../../../lib/process/run.js';
import type { Runner } from '../../../lib/backends/smolvm/runner.js';

export interface FakeMachine {
  name: string;
  state: 'created' | 'running' | 'stopped';
  labels: Record<string, string>;
  /** From -e and the Smolfile's `env`, as smolvm stores them in the record. */
  env: Record<string, string>;
  args: string[];
  createdAt: number;
}

export interface Upload {
  machine: string;
  path: string;
  content: Buffer;
  mode: string | undefined;
  uid: string | undefined;
  gid: string | undefined;
}

export interface GuestCall {
  machine: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string | undefined;
}

export type Guest = (call: GuestCall) => Partial<RunResult> | undefined;

/** Flags each verb takes [src/cli/machine.rs]; `true`: takes a value. */
const FLAGS: Record<string, Record<string, boolean>> = {
  create: {
    '-n': true, '--name': true, '--label': true, '-I': true, '--image': true, '--cpus': true, '--mem': true, '--storage': true, '--overlay': true,
    '-v': true, '--volume': true, '-p': true, '--port': true, '--net': false, '--net-backend': true, '--dns': true, '--network': true,
    '--allow-cidr': true, '--allow-host': true, '--outbound-localhost-only': false, '--init': true, '-e': true, '--env': true,
    '-w': true, '--workdir': true, '--secret-env': true, '--secret-file': true, '-s': true, '--smolfile': true, '--from': true,
  },
  start: { '-n': true, '--name': true, '--forkable': false, '--fork-pool-size': true },
  stop: { '-n': true, '--name': true },
  delete: { '-n': true, '--name': true, '-f': false, '--force': false, '--cascade': false },
  rm: { '-n': true, '--name': true, '-f': false, '--force': false, '--cascade': false },
  status: { '-n': true, '--name': true, '--json': false },
  ls: { '-v': false, '--verbose': false, '--json': false },
  // exec has `--name` but no `-n` [src/cli/machine.rs ExecCmd].
  exec: {
    '--name': true, '-w': true, '--workdir': true, '-e': true, '--env': true, '--secret-env': true, '--secret-file': true,
    '--timeout': true, '-i': false, '--interactive': false, '-t': false, '--tty': false, '--stream': false, '-d': false,
  },
  cp: { '--mode': true, '--uid': true, '--gid': true },
};

interface Parsed {
  flags: Map<string, string[]>;
  positional: string[];
  rest: string[];
}

function parse(verb: string, args: string[]): Parsed | string {
  const known = FLAGS[verb];
  if (!known) return `error: unrecognized subcommand '${verb}'`;
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return { flags, positional, rest: args.slice(i + 1) };
    if (a.startsWith('-')) {
      if (!(a in known)) return `error: unexpected argument '${a}' found`;
      const values = flags.get(a) ?? [];
      if (known[a]) values.push(args[++i] ?? '');
      flags.set(a, values);
    } else if (verb === 'exec') {
      return { flags, positional, rest: args.slice(i) }; // trailing var-arg: the command
    } else positional.push(a);
  }
  return { flags, positional, rest: [] };
}

const one = (p: Parsed, ...names: string[]) => names.map((n) => p.flags.get(n)?.at(-1)).find((v) => v !== undefined);
const many = (p: Parsed, ...names: string[]) => names.flatMap((n) => p.flags.get(n) ?? []);

export function defaultGuest(call: GuestCall): Partial<RunResult> | undefined {
  const [cmd, user] = call.argv;
  if (cmd === 'id' && user === 'node') return { stdout: 'uid=1000(node) gid=1000(node) groups=1000(node)\n' };
  if (cmd === 'id' && (user === 'root' || user === '0')) return { stdout: 'uid=0(root) gid=0(root) groups=0(root)\n' };
  if (cmd === 'id') return { exitCode: 1, stderr: `id: '${user}': no such user\n` };
  return undefined;
}

export function fakeSmolvm() {
  const machines = new Map<string, FakeMachine>();
  const calls: string[][] = [];
  const uploads: Upload[] = [];
  const guestCalls: GuestCall[] = [];
  /** What `machine cp NAME:PATH HOST` downloads, by `NAME:PATH`. */
  const guestFiles = new Map<string, Buffer>();
  const failures: { verb: string; result: Partial<RunResult> }[] = [];
  let clock = 1_700_000_000;
  const state = { guest: defaultGuest as Guest };

  // As the real runner hands them on: one final newline stripped (lib/process/run.ts).
  const strip = (text = '') => text.replace(/\n$/, '');
  const reply = (r: Partial<RunResult>): RunResult => ({ exitCode: 0, cancelled: false, ...r, stdout: strip(r.stdout), stderr: strip(r.stderr) });
  const error = (message: string): RunResult => reply({ exitCode: 1, stderr: `Error: ${message}\n` });
  const notRunning = (name: string) =>
    error(`agent operation failed: connect: machine '${name}' is not running. Use 'smolvm machine start --name ${name}' first.`);
  const statusJson = (m: FakeMachine) => ({
    name: m.name, state: m.state, cpus: 4, memory_mib: 8192, pid: m.state === 'running' ? 4242 : null, mounts: 0, ports: 0,
    created_at: m.createdAt, storage_gb: null, overlay_gb: null, image: one(parse('create', m.args) as Parsed, '--image', '-I') ?? null,
    entrypoint: [], cmd: [], ephemeral: false, gpu: false, labels: m.labels, restart_policy: 'never', network: true,
  });

  function machineVerb(verb: string, p: Parsed, options: RunOptions): RunResult {
    const name = one(p, '--name', '-n') ?? 'default';
    const m = machines.get(name);
    switch (verb) {
      case 'create': {
        // [src/cli/vm_common.rs CreateVmReservation, print_create_success]
        if (m) return error(`config operation failed: create machine: machine '${name}' already exists or is being created`);
        const env: Record<string, string> = {};
        const smolfile = one(p, '--smolfile', '-s');
        if (smolfile) {
          for (const line of readFileSync(smolfile, 'utf8').matchAll(/^\s*("(?:[^"\\]|\\.)*"),?$/gm)) {
            const [k, v] = (JSON.parse(line[1]!) as string).split(/=(.*)/s);
            env[k!] = v!;
          }
        }
        for (const e of many(p, '-e', '--env')) {
          const [k, v] = e.includes('=') ? e.split(/=(.*)/s) : [e, options.env?.[e] ?? process.env[e]];
          if (k && v !== undefined) env[k] = v; // a bare KEY with no value is dropped [src/util.rs]
        }
        const labels = Object.fromEntries(many(p, '--label').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
        machines.set(name, { name, state: 'created', labels, env, args: [], createdAt: clock++ });
        machines.get(name)!.args = [...p.flags].flatMap(([f, vs]) => (vs.length ? vs.flatMap((v) => [f, v]) : [f]));
        return reply({ stdout: `Created machine: ${name}\n  CPUs: 4, Memory: 8192 MiB\n` });
      }
      case 'start':
        // [src/cli/vm_common.rs start_vm_named]
        if (!m) return error(`vm not found: ${name}`);
        if (m.state === 'running') return reply({ stdout: `Machine '${name}' already running (PID: 4242)\n` });
        m.state = 'running';
        return reply({ stdout: `Machine '${name}' running (PID: 4242)\n`, stderr: 'Starting machine...\n' });
      case 'stop':
        if (!m) return error(`vm not found: ${name}`);
        if (m.state !== 'running') return reply({ stdout: `Machine '${name}' is not running (state: ${m.state})\n` });
        m.state = 'stopped';
        return reply({ stdout: `Stopping machine '${name}'...\nStopped machine: ${name}\n` });
      case 'delete':
      case 'rm':
        // [src/cli/vm_common.rs delete_vm]: without -f it asks on stderr; a closed stdin cancels, exit 0.
        if (!m) return error(`vm not found: ${name}`);
        if (m.state === 'running') m.state = 'stopped';
        if (!p.flags.has('-f') && !p.flags.has('--force')) return reply({ stderr: `Delete machine '${name}'? [y/N] `, stdout: 'Cancelled\n' });
        machines.delete(name);
        return reply({ stdout: `Deleted machine: ${name}\n` });
      case 'status':
        if (!m) return error(`config operation failed: machine status: machine '${name}' not found`);
        return reply({ stdout: `${JSON.stringify(statusJson(m), null, 2)}\n` });
      case 'ls':
        return reply({ stdout: `${JSON.stringify([...machines.values()].map(statusJson), null, 2)}\n` });
      case 'exec': {
        if (!m) return error(`vm not found: ${name}`);
        if (m.state !== 'running') return notRunning(name);
        const env = { ...m.env };
        for (const ref of many(p, '--secret-env')) {
          const [guestVar, hostVar] = ref.split(/=(.*)/s);
          const value = options.env?.[hostVar!] ?? process.env[hostVar!];
          // [src/secrets.rs resolve_secret_ref]
          if (value === undefined) return error(`config operation failed: resolve secret '${guestVar}': env_unset`);
          env[guestVar!] = value;
        }
        for (const e of many(p, '-e', '--env')) {
          const [k, v] = e.includes('=') ? e.split(/=(.*)/s) : [e, options.env?.[e] ?? process.env[e]];
          if (k && v !== undefined) env[k] = v;
        }
        const call = { machine: name, argv: p.rest, env, cwd: one(p, '-w', '--workdir') };
        guestCalls.push(call);
        return reply(state.guest(call) ?? {});
      }
      case 'cp': {
        const [src, dst] = p.positional;
        if (!src || !dst) return reply({ exitCode: 2, stderr: "error: the following required arguments were not provided:\n  <DST>\n" });
        if (src.includes(':')) {
          // A download: SRC split at its first ':' [src/cli/machine.rs CpCmd]; the file from `guestFiles`.
          const [source, path] = [src.slice(0, src.indexOf(':')), src.slice(src.indexOf(':') + 1)];
          const from = machines.get(source);
          if (!from) return error(`vm not found: ${source}`);
          if (from.state !== 'running') return notRunning(source);
          const content = guestFiles.get(`${source}:${path}`);
          // [crates/smolvm-agent/src/main.rs handle_streaming_file_read]
          if (!content) return error(`agent operation failed: failed to read ${path} in the workload container: No such file or directory (os error 2)`);
          writeFileSync(dst, content);
          return reply({ stderr: `Downloading ${path} -> ${dst}\n` });
        }
        const [target, path] = [dst.slice(0, dst.indexOf(':')), dst.slice(dst.indexOf(':') + 1)];
        const into = machines.get(target);
        if (!into) return error(`vm not found: ${target}`);
        if (into.state !== 'running') return notRunning(target);
        let content: Buffer;
        try {
          content = readFileSync(src);
        } catch {
          return error(`agent operation failed: read local file: ${src}: No such file or directory (os error 2)`);
        }
        uploads.push({ machine: target, path, content, mode: one(p, '--mode'), uid: one(p, '--uid'), gid: one(p, '--gid') });
        return reply({ stderr: `Uploading ${src} -> ${path}\n` });
      }
      default:
        return reply({ exitCode: 2, stderr: `error: unrecognized subcommand '${verb}'\n` });
    }
  }

  const runner: Runner = async (file, args, options = {}) => {
    if (basename(file) !== 'smolvm') return run(file, args, options);
    calls.push([...args]);
    if (args[0] !== 'machine' && args[0] !== 'vm') return reply({ exitCode: 2, stderr: `error: unrecognized subcommand '${args[0]}'\n` });
    const verb = args[1] ?? '';
    const i = failures.findIndex((f) => f.verb === verb);
    if (i >= 0) return reply(failures.splice(i, 1)[0]!.result);
    const parsed = parse(verb, args.slice(2));
    if (typeof parsed === 'string') return reply({ exitCode: 2, stderr: `${parsed}\n\nUsage: smolvm machine ${verb} [OPTIONS]\n` });
    return machineVerb(verb, parsed, options);
  };

  return {
    runner,
    machines,
    /** Every smolvm argv, in order. */
    calls,
    uploads,
    guestCalls,
    guestFiles,
    /** The next `smolvm machine <verb>` answers this instead. */
    failNext(verb: string, result: Partial<RunResult>) {
      failures.push({ verb, result });
    },
    set guest(g: Guest) {
      state.guest = g;
    },
    /** A machine as `create` + `start` would leave it. */
    add(name: string, machine: Partial<FakeMachine> = {}) {
      machines.set(name, { name, state: 'running', labels: {}, env: {}, args: [], createdAt: clock++, ...machine });
    },
  };
}

export type FakeSmolvm = ReturnType<typeof fakeSmolvm>;
