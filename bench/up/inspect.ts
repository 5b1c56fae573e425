/**
 * Reads back from dockerd what bottle made for some bottles: every container
 * and network labelled `bot-bottle.slug` with one of their slugs, every other
 * network those containers are attached to (a shared one, say), and the
 * images' own config (to tell what a container sets from what its image
 * does). Only the fields the compose copy uses are typed. It changes nothing.
 */
import { mustRun, timed } from './timing.js';

export const SLUG_LABEL = 'bot-bottle.slug';

export interface ContainerInspect {
  Id: string;
  Name: string;
  Config: {
    Image: string;
    Hostname: string;
    User: string;
    Env: string[] | null;
    Cmd: string[] | null;
    Entrypoint: string[] | null;
    WorkingDir: string;
    Labels: Record<string, string> | null;
    StopSignal?: string;
    StopTimeout?: number;
    Healthcheck?: Healthcheck;
    Tty: boolean;
    OpenStdin: boolean;
  };
  HostConfig: {
    NetworkMode: string;
    CapAdd: string[] | null;
    CapDrop: string[] | null;
    SecurityOpt: string[] | null;
    ReadonlyRootfs: boolean;
    Tmpfs?: Record<string, string> | null;
    Memory: number;
    MemorySwap: number;
    MemoryReservation: number;
    PidsLimit: number | null;
    CpuQuota: number;
    CpuPeriod: number;
    NanoCpus: number;
    CpuShares: number;
    CpusetCpus: string;
    Dns: string[] | null;
    DnsOptions: string[] | null;
    DnsSearch: string[] | null;
    Sysctls?: Record<string, string> | null;
    StorageOpt?: Record<string, string> | null;
    Init: boolean | null;
    RestartPolicy: { Name: string; MaximumRetryCount: number };
    Privileged: boolean;
    ShmSize: number;
    Ulimits: { Name: string; Soft: number; Hard: number }[] | null;
    ExtraHosts: string[] | null;
    GroupAdd: string[] | null;
    Devices: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[] | null;
    OomScoreAdj: number;
    Runtime: string;
    Mounts?: { Type: string; Target: string; TmpfsOptions?: { SizeBytes?: number; Mode?: number } }[] | null;
  };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean; Propagation: string }[];
  NetworkSettings: {
    Networks: Record<string, { NetworkID: string; IPAMConfig: { IPv4Address?: string; IPv6Address?: string } | null; Aliases: string[] | null }>;
  };
}

export interface Healthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

export interface NetworkInspect {
  Id: string;
  Name: string;
  Driver: string;
  Internal: boolean;
  Attachable: boolean;
  EnableIPv6: boolean;
  Options: Record<string, string> | null;
  Labels: Record<string, string> | null;
  IPAM: {
    Driver: string;
    Options: Record<string, string> | null;
    Config: { Subnet?: string; IPRange?: string; Gateway?: string; AuxiliaryAddresses?: Record<string, string> }[] | null;
  };
}

export interface ImageInspect {
  Id: string;
  Config: { Env: string[] | null; Cmd: string[] | null; Entrypoint: string[] | null; WorkingDir: string; StopSignal?: string; Healthcheck?: Healthcheck };
}

export interface Readback {
  containers: ContainerInspect[];
  networks: NetworkInspect[];
  images: Map<string, ImageInspect>;
}

async function ids(args: string[]): Promise<string[]> {
  return (await mustRun('docker', args)).stdout.split('\n').filter(Boolean);
}

async function inspect<T>(kind: 'container' | 'network' | 'image', names: readonly string[]): Promise<T[]> {
  if (names.length === 0) return [];
  return JSON.parse((await mustRun('docker', [kind, 'inspect', ...names])).stdout) as T[];
}

const ofSlugs = (slugs: ReadonlySet<string>) => (o: { Labels?: Record<string, string> | null }) => slugs.has(o.Labels?.[SLUG_LABEL] ?? '');

export async function readBack(slugs: readonly string[]): Promise<Readback> {
  const wanted = new Set(slugs);
  const containers = (await inspect<ContainerInspect>('container', await ids(['ps', '--all', '--quiet', '--no-trunc', '--filter', `label=${SLUG_LABEL}`])))
    .filter((c) => ofSlugs(wanted)(c.Config));
  const networks = (await inspect<NetworkInspect>('network', await ids(['network', 'ls', '--quiet', '--no-trunc', '--filter', `label=${SLUG_LABEL}`])))
    .filter(ofSlugs(wanted));
  const known = new Set(networks.map((n) => n.Id));
  const attached = [...new Set(containers.flatMap((c) => Object.values(c.NetworkSettings.Networks).map((n) => n.NetworkID)))].filter((id) => id && !known.has(id));
  networks.push(...(await inspect<NetworkInspect>('network', attached)));
  const imageNames = [...new Set(containers.map((c) => c.Config.Image))];
  const images = new Map((await inspect<ImageInspect>('image', imageNames)).map((img, i) => [imageNames[i]!, img]));
  return { containers, networks, images };
}

/** Every IPv4 subnet of every network dockerd has now (bottle's included); one removed meanwhile is skipped. */
export async function subnetsInUse(): Promise<string[]> {
  const r = await timed('docker', ['network', 'inspect', ...(await ids(['network', 'ls', '--quiet', '--no-trunc']))]);
  const all = (r.stdout.trim().startsWith('[') ? JSON.parse(r.stdout) : []) as NetworkInspect[];
  return all.flatMap((n) => (n.IPAM.Config ?? []).map((c) => c.Subnet ?? '')).filter((s) => s && !s.includes(':'));
}

export async function networkIds(): Promise<Set<string>> {
  return new Set(await ids(['network', 'ls', '--quiet', '--no-trunc']));
}
