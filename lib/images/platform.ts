/**
 * The platform our images are for: the Docker Engine's that builds them
 * (`docker version`'s Os/Arch through the Engine API), never the host's, so
 * a macOS arm64 host with Docker Desktop builds linux/arm64 images. It names
 * what Claude Code's npm package has a native build for (linux/amd64,
 * linux/arm64, glibc: our images are Debian) and how npm asks for it
 * (`--os`/`--cpu`/`--libc`), and reads which platform a binary is for (its
 * ELF header's e_machine) so a wrong one is caught before it is built in.
 */
import { open } from 'node:fs/promises';
import { TaskError } from '../engine/index.js';
import { abortOn, call, docker } from '../docker/client.js';
import type { OpOptions } from '../process/op-options.js';

/** Docker's names (GOARCH): what `docker version` says and `--platform` takes. */
export type Arch = 'amd64' | 'arm64';

export interface Platform {
  os: 'linux';
  arch: Arch;
}

/** Docker's arch → npm's `cpu` (process.arch) and the ELF e_machine of its binaries. */
const ARCHES: Record<Arch, { npmCpu: string; elfMachine: number; elfName: string }> = {
  amd64: { npmCpu: 'x64', elfMachine: 62, elfName: 'x86-64' },
  arm64: { npmCpu: 'arm64', elfMachine: 183, elfName: 'aarch64' },
};

/** ELF e_machine values a binary may carry, for messages (arm, x86, ...): the ones we build for and their near misses. */
const ELF_MACHINES: Record<number, { name: string; arch?: string }> = {
  3: { name: 'x86 (32-bit)', arch: '386' },
  8: { name: 'MIPS', arch: 'mips' },
  20: { name: 'PowerPC', arch: 'ppc' },
  21: { name: 'PowerPC 64', arch: 'ppc64le' },
  22: { name: 's390', arch: 's390x' },
  40: { name: 'ARM (32-bit)', arch: 'arm' },
  62: { name: 'x86-64', arch: 'amd64' },
  183: { name: 'aarch64', arch: 'arm64' },
  243: { name: 'RISC-V', arch: 'riscv64' },
};

export function platformString(platform: Platform): string {
  return `${platform.os}/${platform.arch}`;
}

/** Docker's Os and Arch (`linux`, `amd64`; `aarch64`/`x86_64` as some engines say) as a platform we build for; a message saying why not. */
export function platformOf(os: string, arch: string): { platform: Platform } | { error: string } {
  const a = ({ x86_64: 'amd64', aarch64: 'arm64' } as Record<string, string>)[arch] ?? arch;
  if (os !== 'linux') {
    return { error: `the Docker Engine runs ${os} containers; bottle's images are Linux: switch the engine to Linux containers (Docker Desktop: "Switch to Linux containers")` };
  }
  if (a !== 'amd64' && a !== 'arm64') {
    return { error: `the Docker Engine is linux/${arch}; Claude Code has builds for linux/amd64 and linux/arm64 only: use an engine on one of those` };
  }
  return { platform: { os: 'linux', arch: a } };
}

/** The platform of the Docker Engine of this scope (the image tasks run against the one that builds the images). */
export async function enginePlatform(options: OpOptions = {}): Promise<Platform> {
  const version = await call(
    'docker version',
    () => {
      const client = docker();
      // dockerode takes an abortSignal here too; its types do not say so.
      return (client.version as (opts: object) => Promise<{ Os: string; Arch: string }>).call(client, abortOn(options.signal));
    },
    options,
  );
  const got = platformOf(version.Os, version.Arch);
  if ('error' in got) throw new TaskError(got.error, { code: 'UNSUPPORTED_PLATFORM' });
  return got.platform;
}

/** npm's flags that make `npm install` fetch the optional native packages of `platform` (glibc: our images are Debian), whatever the host is. */
export function npmPlatformFlags(platform: Platform): string[] {
  return [`--os=${platform.os}`, `--cpu=${ARCHES[platform.arch].npmCpu}`, '--libc=glibc'];
}

/** npm's name of a platform (`linux-arm64`), as packages suffix their native builds. */
export function npmPlatformName(platform: Platform): string {
  return `${platform.os}-${ARCHES[platform.arch].npmCpu}`;
}

export type BinaryKind =
  | { kind: 'elf'; bits: 32 | 64; machine: number; name: string; arch?: string }
  | { kind: 'mach-o' }
  | { kind: 'pe' }
  | { kind: 'text' }
  | { kind: 'unknown' };

/** What a file is by its first bytes: an ELF binary (its class and e_machine), a Mach-O or PE one, text. */
export async function binaryKind(path: string): Promise<BinaryKind> {
  const file = await open(path, 'r');
  const head = Buffer.alloc(20);
  try {
    await file.read(head, 0, head.length, 0);
  } finally {
    await file.close();
  }
  if (head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') {
    // e_ident[EI_CLASS] 1/2: 32/64-bit; e_ident[EI_DATA] 1/2: little/big endian; e_machine at 18 in both classes.
    const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
    const known = ELF_MACHINES[machine];
    return { kind: 'elf', bits: head[4] === 1 ? 32 : 64, machine, name: known?.name ?? `machine ${machine}`, ...(known?.arch ? { arch: known.arch } : {}) };
  }
  const magic = head.readUInt32BE(0);
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) return { kind: 'mach-o' };
  if (head.toString('latin1', 0, 2) === 'MZ') return { kind: 'pe' };
  // A script or the npm package's placeholder (it prints that the native binary is missing).
  if (head.every((byte) => byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f))) return { kind: 'text' };
  return { kind: 'unknown' };
}

/** Why the binary at `path` cannot run on `platform` (in words), or undefined when it is a 64-bit ELF binary for its arch. */
export async function binaryMismatch(path: string, platform: Platform): Promise<string | undefined> {
  const got = await binaryKind(path);
  const want = ARCHES[platform.arch];
  switch (got.kind) {
    case 'elf':
      if (got.machine === want.elfMachine && got.bits === 64) return undefined;
      return `it is an ELF ${got.bits}-bit ${got.name} binary${got.arch ? ` (linux/${got.arch})` : ''}, not ${want.elfName}`;
    case 'mach-o':
      return 'it is a macOS (Mach-O) binary, not a Linux (ELF) one';
    case 'pe':
      return 'it is a Windows (PE) binary, not a Linux (ELF) one';
    case 'text':
      return "it is text (a script, or the package's placeholder), not the native binary: npm installed no native package for the image's platform";
    case 'unknown':
      return 'it is not an ELF binary';
  }
}
