/**
 * A docker-compose file (format 2.4, which docker-compose 1.x runs without
 * swarm) with the containers and networks bottle made, read back from
 * `docker inspect`: the same images, commands, users, environment, limits,
 * hardening, resolvers and host mounts, the same networks (internal flag,
 * driver options) on subnets moved elsewhere, fixed addresses (and those in
 * the environment and resolvers) moved with them. It writes nothing and runs
 * nothing; it does not copy what bottle's tasks put into the containers
 * afterwards (files, exec'd commands): the copy is compose's work only.
 * Labels are our own, so nothing of bottle's (status, down) mistakes the
 * copy for a bottle.
 */
import { stringify } from 'yaml';
import type { ContainerInspect, Healthcheck, NetworkInspect, Readback } from './inspect.js';
import type { SubnetShift } from './subnets.js';

export const COPY_LABEL = 'bot-bottle-bench.copy-of';

const PREDEFINED = new Set(['bridge', 'host', 'none']);
const DEFAULT_SHM = 64 * 1024 * 1024;

export interface ComposeFile {
  text: string;
  services: string[];
  networks: string[];
  volumes: string[];
}

type Doc = Record<string, unknown>;

/** A compose key: letters, digits, `.`, `_`, `-`. */
const keyOf = (name: string) => name.replace(/^\//, '').replace(/[^A-Za-z0-9._-]/g, '_');

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Compose reads `$` as interpolation everywhere; `$$` is a literal one. */
function escapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('$', '$$$$');
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)]));
  return value;
}

/** Drops undefined, null, false, empty lists and empty maps: compose's defaults. */
function compact(o: Doc): Doc {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== false && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)),
  );
}

export function composeFile(back: Readback, shift: SubnetShift): ComposeFile {
  const networkKeys = new Map<string, string>();
  const networks: Doc = {};
  for (const n of back.networks) {
    if (PREDEFINED.has(n.Name)) continue;
    const key = keyOf(n.Name);
    networkKeys.set(n.Id, key);
    networks[key] = networkOf(n, shift);
  }
  const serviceKeys = new Map(back.containers.map((c) => [c.Id, keyOf(c.Name)]));
  const volumes: Doc = {};
  const services: Doc = {};
  for (const c of back.containers) services[serviceKeys.get(c.Id)!] = serviceOf(c, back, { networkKeys, serviceKeys, shift, volumes });
  const doc = compact({ version: '2.4', services, networks, volumes });
  return { text: stringify(escapeDollars(doc), { lineWidth: 0 }), services: Object.keys(services), networks: Object.keys(networks), volumes: Object.keys(volumes) };
}

function networkOf(n: NetworkInspect, shift: SubnetShift): Doc {
  // Subnets first: addresses (gateway, range, aux) move with the subnet that holds them.
  const config = (n.IPAM.Config ?? []).map((c) => {
    const subnet = c.Subnet ? shift.subnet(c.Subnet) : undefined;
    const v6 = c.Subnet?.includes(':');
    const move = (a: string | undefined) => (a && !v6 ? shift.address(a) : a);
    return compact({
      subnet,
      ip_range: move(c.IPRange),
      gateway: move(c.Gateway),
      aux_addresses: c.AuxiliaryAddresses ? Object.fromEntries(Object.entries(c.AuxiliaryAddresses).map(([k, a]) => [k, move(a)])) : undefined,
    });
  });
  return compact({
    driver: n.Driver,
    // Kept as they are, a bridge name included: bottle's network of that name is gone before the copy comes up.
    driver_opts: n.Options ?? undefined,
    internal: n.Internal,
    attachable: n.Attachable,
    enable_ipv6: n.EnableIPv6,
    ipam: compact({ driver: n.IPAM.Driver, options: n.IPAM.Options ?? undefined, config }),
    labels: { [COPY_LABEL]: n.Name },
  });
}

interface Context {
  networkKeys: Map<string, string>;
  serviceKeys: Map<string, string>;
  shift: SubnetShift;
  volumes: Doc;
}

function serviceOf(c: ContainerInspect, back: Readback, ctx: Context): Doc {
  const image = back.images.get(c.Config.Image)?.Config;
  const name = c.Name.replace(/^\//, '');
  const h = c.HostConfig;
  const imageEnv = new Set(image?.Env ?? []);
  const env = (c.Config.Env ?? []).filter((e) => !imageEnv.has(e));
  return compact({
    image: c.Config.Image,
    entrypoint: same(c.Config.Entrypoint, image?.Entrypoint) ? undefined : (c.Config.Entrypoint ?? []),
    command: same(c.Config.Cmd, image?.Cmd) && same(c.Config.Entrypoint, image?.Entrypoint) ? undefined : (c.Config.Cmd ?? []),
    user: c.Config.User || undefined,
    // Docker's default hostname is the short id; anything else was asked for.
    hostname: c.Config.Hostname && !(c.Config.Hostname.length === 12 && c.Id.startsWith(c.Config.Hostname)) ? c.Config.Hostname : undefined,
    working_dir: c.Config.WorkingDir && c.Config.WorkingDir !== image?.WorkingDir ? c.Config.WorkingDir : undefined,
    // Addresses in the guest's environment (the proxy URL) follow their subnet, as do its resolvers and extra hosts.
    environment: Object.fromEntries(env.map(splitEnv).map(([k, v]) => [k, ctx.shift.rewrite(v)])),
    labels: { [COPY_LABEL]: name },
    tty: c.Config.Tty,
    stdin_open: c.Config.OpenStdin,
    stop_signal: c.Config.StopSignal && c.Config.StopSignal !== image?.StopSignal ? c.Config.StopSignal : undefined,
    stop_grace_period: c.Config.StopTimeout ? `${c.Config.StopTimeout}s` : undefined,
    healthcheck: c.Config.Healthcheck && !same(c.Config.Healthcheck, image?.Healthcheck) ? healthcheckOf(c.Config.Healthcheck) : undefined,
    ...networking(c, ctx),
    cap_add: h.CapAdd ?? undefined,
    cap_drop: h.CapDrop ?? undefined,
    security_opt: h.SecurityOpt ?? undefined,
    privileged: h.Privileged,
    sysctls: h.Sysctls ?? undefined,
    read_only: h.ReadonlyRootfs,
    tmpfs: Object.entries(h.Tmpfs ?? {}).map(([path, opts]) => (opts ? `${path}:${opts}` : path)),
    mem_limit: h.Memory || undefined,
    // -1 is unlimited, 0 Docker's default (twice the memory).
    memswap_limit: h.MemorySwap || undefined,
    mem_reservation: h.MemoryReservation || undefined,
    pids_limit: h.PidsLimit && h.PidsLimit > 0 ? h.PidsLimit : undefined,
    cpu_quota: h.CpuQuota || undefined,
    cpu_period: h.CpuPeriod || undefined,
    cpus: h.NanoCpus ? h.NanoCpus / 1e9 : undefined,
    cpu_shares: h.CpuShares || undefined,
    cpuset: h.CpusetCpus || undefined,
    dns: h.Dns?.map((a) => ctx.shift.rewrite(a)),
    dns_opt: h.DnsOptions ?? undefined,
    dns_search: h.DnsSearch ?? undefined,
    storage_opt: h.StorageOpt ?? undefined,
    init: h.Init ?? undefined,
    restart: restartOf(h.RestartPolicy),
    shm_size: h.ShmSize && h.ShmSize !== DEFAULT_SHM ? h.ShmSize : undefined,
    ulimits: Object.fromEntries((h.Ulimits ?? []).map((u) => [u.Name, { soft: u.Soft, hard: u.Hard }])),
    extra_hosts: h.ExtraHosts?.map((a) => ctx.shift.rewrite(a)),
    group_add: h.GroupAdd ?? undefined,
    devices: (h.Devices ?? []).map((d) => `${d.PathOnHost}:${d.PathInContainer}:${d.CgroupPermissions}`),
    oom_score_adj: h.OomScoreAdj || undefined,
    runtime: h.Runtime && h.Runtime !== 'runc' ? h.Runtime : undefined,
    volumes: mountsOf(c, ctx),
  });
}

/** The container's networks, its first (the one it was created on) first; or a network mode. */
function networking(c: ContainerInspect, ctx: Context): Doc {
  const mode = c.HostConfig.NetworkMode;
  if (mode.startsWith('container:')) {
    const other = ctx.serviceKeys.get(mode.slice('container:'.length)) ?? [...ctx.serviceKeys].find(([id]) => id.startsWith(mode.slice(10)))?.[1];
    return { network_mode: other ? `service:${other}` : mode };
  }
  const attached = Object.entries(c.NetworkSettings.Networks);
  const own = attached.filter(([name]) => !PREDEFINED.has(name));
  if (own.length === 0) return { network_mode: attached[0]?.[0] ?? (mode === 'default' ? 'bridge' : mode) };
  if (own.length < attached.length) {
    throw new Error(`${c.Name} is on ${attached.map(([n]) => n).join(', ')}: compose cannot put a container on Docker's own ${attached.find(([n]) => PREDEFINED.has(n))![0]} network beside others`);
  }
  const name = c.Name.replace(/^\//, '');
  const networks: Doc = {};
  for (const [netName, endpoint] of own) {
    const key = ctx.networkKeys.get(endpoint.NetworkID);
    if (!key) throw new Error(`${c.Name} is attached to the network ${netName} (${endpoint.NetworkID.slice(0, 12)}), which was not read back`);
    // Docker lists the short id as an alias; the container's own name is what bottle's containers resolve each other by.
    const aliases = [name, ...(endpoint.Aliases ?? []).filter((a) => a !== name && !c.Id.startsWith(a))];
    const ip = endpoint.IPAMConfig?.IPv4Address;
    networks[key] = compact({
      ipv4_address: ip ? ctx.shift.address(ip) : undefined,
      ipv6_address: endpoint.IPAMConfig?.IPv6Address || undefined,
      aliases,
      // The network it was created on first, as with bottle's `docker run --network` then `network connect`.
      priority: netName === mode ? 1000 : undefined,
    });
  }
  return { networks };
}

function mountsOf(c: ContainerInspect, ctx: Context): Doc[] {
  const out: Doc[] = [];
  for (const m of c.Mounts) {
    if (m.Type === 'bind') {
      out.push(compact({ type: 'bind', source: m.Source, target: m.Destination, read_only: !m.RW, bind: m.Propagation && m.Propagation !== 'rprivate' ? { propagation: m.Propagation } : undefined }));
    } else if (m.Type === 'volume') {
      // An anonymous volume (a 64-hex name) comes from the image's VOLUME, which compose makes by itself.
      if (!m.Name || /^[0-9a-f]{64}$/.test(m.Name)) continue;
      ctx.volumes[keyOf(m.Name)] = { labels: { [COPY_LABEL]: m.Name } };
      out.push(compact({ type: 'volume', source: keyOf(m.Name), target: m.Destination, read_only: !m.RW }));
    } else if (m.Type === 'tmpfs') {
      const size = c.HostConfig.Mounts?.find((hm) => hm.Target === m.Destination)?.TmpfsOptions?.SizeBytes;
      out.push(compact({ type: 'tmpfs', target: m.Destination, tmpfs: size ? { size } : undefined }));
    } else {
      throw new Error(`${c.Name} has a ${m.Type} mount at ${m.Destination}; the compose copy knows bind, volume and tmpfs mounts`);
    }
  }
  return out;
}

function splitEnv(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

function restartOf(p: { Name: string; MaximumRetryCount: number }): string | undefined {
  if (!p.Name || p.Name === 'no') return undefined;
  return p.Name === 'on-failure' && p.MaximumRetryCount ? `on-failure:${p.MaximumRetryCount}` : p.Name;
}

const duration = (ns: number | undefined) => (ns ? `${Math.round(ns / 1000)}us` : undefined);

function healthcheckOf(h: Healthcheck): Doc {
  if (h.Test?.[0] === 'NONE') return { disable: true };
  return compact({ test: h.Test, interval: duration(h.Interval), timeout: duration(h.Timeout), start_period: duration(h.StartPeriod), retries: h.Retries || undefined });
}
