/**
 * Names of a bottle's objects. The slug `<agent>-<5 chars>` is stable for the
 * same agent and manifest location, and differs for the same agent name in
 * another manifest, so two checkouts never share a bottle.
 */
import { createHash } from 'node:crypto';

export function slugFor(agent: string, manifestPath: string): string {
  const digest = createHash('sha256').update(`${manifestPath}\0${agent}`).digest('hex');
  return `${agent}-${digest.slice(0, 5)}`;
}

export function machineName(slug: string): string {
  return `claude-bottle-${slug}`;
}

export function bundleName(slug: string): string {
  return `claude-bottle-${slug}-bundle`;
}
