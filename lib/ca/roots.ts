/**
 * A system CA bundle as bottles find it: the roots an image ships, less any
 * bottle CA a bottle put there (its subject is `bot-bottle CA <slug>`, as
 * openssl.ts names it). So a bundle read from any machine of an image gives
 * that image's roots, and one bottle's bundle never carries another's CA.
 */
import { X509Certificate } from 'node:crypto';

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g;

export const BOTTLE_CA_SUBJECT = 'bot-bottle CA';

/** `bundle` without bottle CAs (a block that does not parse is kept as it is). */
export function imageRoots(bundle: string): string {
  return bundle.replace(PEM, (block) => (isBottleCa(block) ? '' : block));
}

function isBottleCa(pem: string): boolean {
  try {
    return new X509Certificate(pem).subject.split('\n').some((part) => part.startsWith(`CN=${BOTTLE_CA_SUBJECT}`));
  } catch {
    return false;
  }
}
