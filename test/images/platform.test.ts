/**
 * The image platform: the engine's (asked of the real dockerd here), mapped
 * to npm's names; and what a binary is by its header, so a wrong one is
 * named in the error (ELF of each arch and endianness, Mach-O, PE, npm's
 * text placeholder).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryKind, binaryMismatch, enginePlatform, npmPlatformFlags, npmPlatformName, platformOf, type Platform } from '../../lib/images/platform.js';
import { dockerOut } from '../helpers/docker.js';

const AMD64: Platform = { os: 'linux', arch: 'amd64' };
const ARM64: Platform = { os: 'linux', arch: 'arm64' };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bottle-platform-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function elf(machine: number, { bits = 64, bigEndian = false } = {}): Buffer {
  const head = Buffer.alloc(64);
  head.write('\x7fELF', 0, 'latin1');
  head[4] = bits === 64 ? 2 : 1;
  head[5] = bigEndian ? 2 : 1;
  if (bigEndian) head.writeUInt16BE(machine, 18);
  else head.writeUInt16LE(machine, 18);
  return head;
}

async function file(name: string, bytes: Buffer | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('the engine platform', () => {
  it('is what docker version says of the engine', async () => {
    const said = await dockerOut(['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
    const platform = await enginePlatform();
    expect(`${platform.os}/${platform.arch}`).toBe(said.stdout.trim());
  });

  it('maps Docker names (and uname ones) to ours, and refuses what Claude Code has no build for', () => {
    expect(platformOf('linux', 'amd64')).toEqual({ platform: AMD64 });
    expect(platformOf('linux', 'aarch64')).toEqual({ platform: ARM64 });
    expect(platformOf('linux', 's390x')).toEqual({ error: expect.stringContaining('linux/amd64 and linux/arm64 only') });
    expect(platformOf('windows', 'amd64')).toEqual({ error: expect.stringContaining('Switch to Linux containers') });
  });

  it("asks npm for that platform's glibc build", () => {
    expect(npmPlatformFlags(ARM64)).toEqual(['--os=linux', '--cpu=arm64', '--libc=glibc']);
    expect(npmPlatformFlags(AMD64)).toEqual(['--os=linux', '--cpu=x64', '--libc=glibc']);
    expect(npmPlatformName(AMD64)).toBe('linux-x64');
  });
});

describe('what a binary is', () => {
  it('reads e_machine of either endianness and class', async () => {
    expect(await binaryKind(await file('arm', elf(183)))).toMatchObject({ kind: 'elf', bits: 64, machine: 183, arch: 'arm64' });
    expect(await binaryKind(await file('s390', elf(22, { bigEndian: true })))).toMatchObject({ kind: 'elf', machine: 22, arch: 's390x' });
    expect(await binaryKind(await file('arm32', elf(40, { bits: 32 })))).toMatchObject({ kind: 'elf', bits: 32, arch: 'arm' });
  });

  it('says why a binary does not run on the platform', async () => {
    expect(await binaryMismatch(await file('x64', elf(62)), AMD64)).toBeUndefined();
    expect(await binaryMismatch(await file('a64', elf(183)), ARM64)).toBeUndefined();
    expect(await binaryMismatch(await file('a64b', elf(183)), AMD64)).toBe('it is an ELF 64-bit aarch64 binary (linux/arm64), not x86-64');
    expect(await binaryMismatch(await file('arm32b', elf(40, { bits: 32 })), ARM64)).toMatch(/ELF 32-bit ARM \(32-bit\) binary/);
    const macho = Buffer.alloc(64);
    macho.writeUInt32BE(0xcffaedfe, 0);
    expect(await binaryMismatch(await file('macho', macho), ARM64)).toMatch(/macOS \(Mach-O\)/);
    expect(await binaryMismatch(await file('pe', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62)])), AMD64)).toMatch(/Windows \(PE\)/);
    expect(await binaryMismatch(await file('stub', 'echo "Error: claude native binary not installed." >&2\n'), AMD64)).toMatch(/placeholder/);
  });
});
