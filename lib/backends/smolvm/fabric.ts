/**
 * How two smolvm machines talk, as read from smolvm's source (docs/smolvm.md
 * §7). Machines that join the same named network (`--network NAME`,
 * virtio-net only) each lease a /30 of 100.96.0.0/16, the lowest free one
 * from index 1, guest `.2`
 * [crates/smolvm-network/src/fabric.rs allocate_lease; src/agent/launcher.rs],
 * and a guest packet to another member's subnet is routed to that member
 * before the egress policy is consulted [crates/smolvm-network/src/stack.rs
 * classify_guest_frame: FrameAction::Fabric]. So:
 * - the first member to start on a bottle's own network is at 100.96.1.2;
 *   the bundle starts before the agent (start-vm needs daemons), so that is
 *   the bundle's address;
 * - a machine with no way out (Docker's `--internal`) gets an allow-list of
 *   just that address: with a list in force the gateway relays nothing else
 *   [crates/smolvm-network/src/egress.rs EgressPolicy::new], and the bundle
 *   itself is reached over the fabric. TSI would not enforce the list, hence
 *   virtio-net.
 * - a machine with a way out (the bundle) gets unrestricted egress (`--net`).
 * DNS queries go to the gateway (`100.96.k.1`), which forwards them
 * unfiltered when no allow-host list is set: any UDP datagram to port 53
 * lands there, whatever its address [stack.rs], so a guest reaches an outside
 * resolver by name lookups alone. `--dns` does not help: it changes the
 * gateway's upstream, which the gateway then asks from the host
 * [launcher.rs], not the guest's resolver. Only connections are gated; this
 * gap is documented in README's security model.
 */
import type { MachineSpec } from '../types.js';
import type { CreateRequest } from './transport.js';

/** The first lease of a named network: index 1, guest `.2`. */
export const FIRST_MEMBER_IP = '100.96.1.2';

/** Where every smolvm network's leases come from. */
export const FABRIC_RANGE = '100.96.0.0/16';

export function networkFields(spec: MachineSpec): Pick<CreateRequest, 'networkName' | 'net' | 'allowCidrs'> {
  const wayOut = (spec.extraNetworks?.length ?? 0) > 0;
  return wayOut ? { networkName: spec.network, net: true } : { networkName: spec.network, allowCidrs: [`${FIRST_MEMBER_IP}/32`] };
}
