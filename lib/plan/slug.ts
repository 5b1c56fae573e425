/**
 * Names of a bottle's objects. The slug `<agent>-<5 chars>` is stable for the
 * same agent and manifest location, and differs for the same agent name in
 * another manifest, so two checkouts never share a bottle. A copy made with
 * --count (`<agent>-<i>`) also hashes the agent it is made from, so it never
 * shares a slug with a manifest agent of the same name.
 */
import { createHash } from 'node:crypto';

/** `copyOf`: the agent a --count copy named `name` is made from; none for a manifest agent. */
export function slugFor(name: string, manifestPath: string, copyOf?: string): string {
  // A manifest agent's input is unchanged from the first version, so its bottles keep their names.
  const input = copyOf === undefined ? `${manifestPath}\0${name}` : `${manifestPath}\0${name}\0copy of\0${copyOf}`;
  const digest = createHash('sha256').update(input).digest('hex');
  return `${name}-${digest.slice(0, 5)}`;
}

export function machineName(slug: string): string {
  return `claude-bottle-${slug}`;
}

/** The bundles' shared way out, one per address pool. */
export function egressName(pool: readonly [number, number]): string {
  return `claude-bottle-egress-${pool[0]}-${pool[1]}`;
}

export function bundleName(slug: string): string {
  return `claude-bottle-${slug}-bundle`;
}
