/**
 * What the proxy trusts when it opens TLS to an inspected host's upstream:
 * Node's own root store plus the PEM files of `inspect.upstreamCaFiles`
 * (private upstreams, tests), made once into one secure context, so no
 * connection parses the roots again. Verification itself (the chain and the
 * server name) is node:tls's, with rejectUnauthorized; this module only
 * gathers the roots. It is read at start; a file that cannot be read or is
 * not a certificate is a config error naming it.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SecureContext } from 'node:tls';
import { createSecureContext, rootCertificates } from 'node:tls';
import { EgressConfigError } from './config.js';

export async function loadUpstreamTrust(caFiles: readonly string[]): Promise<SecureContext> {
  const extra = await Promise.all(caFiles.map(readCaFile));
  return createSecureContext({ ca: [...rootCertificates, ...extra] });
}

async function readCaFile(path: string, index: number): Promise<string> {
  const field = `inspect.upstreamCaFiles[${index}]`;
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw new EgressConfigError(`Cannot read ${field} ${path}: ${(error as Error).message}. Give the path of a PEM certificate, or remove it.`, [], error);
  }
  // node:tls skips what is not a certificate without a word; a typo must not pass silently.
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  try {
    if (first === undefined) throw new Error('no BEGIN CERTIFICATE block');
    new X509Certificate(first);
  } catch (error) {
    throw new EgressConfigError(`${field} ${path} is not a PEM certificate (${(error as Error).message}); give a CA certificate in PEM form.`, [], error);
  }
  return pem;
}
