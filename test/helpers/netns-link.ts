/**
 * A network namespace joined to the host by a veth pair: the host end keeps
 * one address of a /30, the namespace end the other, so the host reaches
 * whatever listens in the namespace and nothing else does (no default route
 * inside, no NAT, no forwarding). `cut` and `restore` make the namespace a
 * host that vanished and came back; `remove` deletes the pair and the
 * namespace and may be called any number of times. It runs nothing inside
 * the namespace (engine-in-netns.ts does).
 */
import { execa } from 'execa';

export interface NetnsLinkSpec {
  /** Name under /var/run/netns. */
  netns: string;
  /** Interface names, at most 15 characters. */
  hostIf: string;
  nsIf: string;
  /** Address/prefix of each end, e.g. 10.150.255.253/30 and 10.150.255.254/30. */
  hostCidr: string;
  nsCidr: string;
}

export interface NetnsLink extends NetnsLinkSpec {
  /** The path `nsenter --net=` takes. */
  netnsPath: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  remove(): Promise<void>;
}

export async function createNetnsLink(spec: NetnsLinkSpec): Promise<NetnsLink> {
  for (const name of [spec.hostIf, spec.nsIf]) {
    if (name.length > 15) throw new TypeError(`expected an interface name of at most 15 characters, got "${name}" (${name.length})`);
  }
  const { netns, hostIf, nsIf } = spec;
  let removing: Promise<void> | undefined;
  // What this call made: a failed `add` (a name taken) must not delete another's.
  const made = { netns: false, veth: false };
  const link: NetnsLink = {
    ...spec,
    netnsPath: `/var/run/netns/${netns}`,
    // The far end, not the host end: taking the host end down deletes the
    // host's route to the namespace, so packets take the default route
    // instead, and on this machine the egress gateway there answers any TCP
    // connection (an HTTP 404), which looks like a live wrong host, not a lost
    // one. With the far end down the host's route stays (flagged linkdown) and
    // the veth drops every packet: connects go unanswered, as to a host gone.
    cut: () => ip(['-n', netns, 'link', 'set', nsIf, 'down']),
    // Bringing it up puts the /30's connected route back in the namespace.
    restore: () => ip(['-n', netns, 'link', 'set', nsIf, 'up']),
    remove: () => (removing ??= removeMade(netns, hostIf, made)),
  };
  try {
    await ip(['netns', 'add', netns]);
    made.netns = true;
    await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    made.veth = true;
    await ip(['link', 'set', nsIf, 'netns', netns]);
    await ip(['addr', 'add', spec.hostCidr, 'dev', hostIf]);
    await ip(['link', 'set', hostIf, 'up']);
    await ip(['-n', netns, 'addr', 'add', spec.nsCidr, 'dev', nsIf]);
    await ip(['-n', netns, 'link', 'set', nsIf, 'up']);
    await ip(['-n', netns, 'link', 'set', 'lo', 'up']);
  } catch (error) {
    await link.remove();
    throw error;
  }
  return link;
}

/** Whether a namespace of that name is listed by `ip netns list`. */
export async function netnsExists(netns: string): Promise<boolean> {
  const listed = (await execa('ip', ['netns', 'list'])).stdout;
  return listed.split('\n').some((line) => line.split(' ')[0] === netns);
}

export async function linkExists(name: string): Promise<boolean> {
  return (await execa('ip', ['link', 'show', name], { reject: false })).exitCode === 0;
}

async function removeMade(netns: string, hostIf: string, made: { netns: boolean; veth: boolean }): Promise<void> {
  // Deleting the host end deletes its peer now; the namespace's own teardown
  // is asynchronous in the kernel, and its veth would linger for a moment.
  if (made.veth) await ip(['link', 'del', hostIf], /Cannot find device/);
  if (made.netns) await ip(['netns', 'del', netns], /No such file or directory/);
  const left = async () => (made.veth && (await linkExists(hostIf))) || (made.netns && (await netnsExists(netns)));
  for (let tries = 0; await left(); tries++) {
    if (tries >= 50) throw new Error(`the test netns "${netns}" or its veth "${hostIf}" is still there 5 s after removal; see \`ip netns list\`, \`ip link show ${hostIf}\``);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ip(args: string[], gone?: RegExp): Promise<void> {
  const r = await execa('ip', args, { reject: false, stdin: 'ignore' });
  if (r.exitCode === 0 || (gone && gone.test(String(r.stderr)))) return;
  throw new Error(`ip ${args.join(' ')} failed (exit ${r.exitCode}): ${String(r.stderr).trim()}; this helper needs root (CAP_NET_ADMIN)`);
}
