/**
 * Makes the compose copy of the bottles while they run: reads back their
 * containers and networks, moves the subnets to blocks nothing uses (no
 * network of dockerd's, no host interface's, not the /16s bottle's own
 * subnets are in, where bottle hands out addresses), writes the compose file
 * (0600: it holds the guests' environment) and copies the mounted host paths
 * aside (host-mounts.ts).
 */
import { writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { composeFile, type ComposeFile } from './compose-file.js';
import { bindSources, saveAside, type SavedPath } from './host-mounts.js';
import { readBack, subnetsInUse, type Readback } from './inspect.js';
import { BlockAllocator, enclosing16, parseCidr, SubnetShift, type Block } from './subnets.js';

export interface Copy {
  back: Readback;
  compose: ComposeFile;
  file: string;
  moves: { from: string; to: string }[];
  saved: SavedPath[];
}

export async function makeCopy(slugs: readonly string[], dir: string): Promise<Copy> {
  const back = await readBack(slugs);
  if (back.containers.length === 0) throw new Error(`dockerd has no container labelled with any of the ${slugs.length} bottles' slugs; nothing to copy`);
  const shift = new SubnetShift(new BlockAllocator(await taken(back)));
  const compose = composeFile(back, shift);
  const file = join(dir, 'docker-compose.yml');
  await writeFile(file, compose.text, { mode: 0o600 });
  const saved = await saveAside(bindSources(back), join(dir, 'mounts'));
  return { back, compose, file, moves: shift.moves, saved };
}

async function taken(back: Readback): Promise<Block[]> {
  const blocks: Block[] = [];
  const add = (cidr: string | undefined) => {
    const b = cidr ? parseCidr(cidr) : null;
    if (b) blocks.push(b);
  };
  for (const cidr of await subnetsInUse()) add(cidr);
  for (const a of Object.values(networkInterfaces()).flat()) if (a?.family === 'IPv4') add(a.cidr ?? undefined);
  for (const n of back.networks) {
    for (const c of n.IPAM.Config ?? []) {
      const b = c.Subnet ? parseCidr(c.Subnet) : null;
      if (b) blocks.push(enclosing16(b));
    }
  }
  return blocks;
}
