/**
 * ca: the bottle's CA in the guest, as files put in place (no program runs
 * there): `bot-bottle.crt` in the local CA directory (Node reads it through
 * NODE_EXTRA_CA_CERTS, set at machine start; a later update-ca-certificates
 * keeps it) and the system bundle = the image's roots + the bottle CA (curl,
 * OpenSSL, git through GIT_SSL_CAINFO). Idempotent: every bottle CA is taken
 * out of the bundle before this one is added (lib/ca/roots.ts), so it never
 * trusts another bottle's. The ready task proves the trust with one request
 * through the proxy.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { SYSTEM_CA_BUNDLE } from '../lib/plan/types.js';
import { imageRoots } from '../lib/ca/roots.js';
import { prepare } from './prepare.js';
import { startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';

export interface CaOutput {
  path: string;
  digest: string;
  /** Whether the system bundle holds the CA (false: the image has none; only Node trusts it). */
  bundle: boolean;
}

/** The system bundle of a Debian image is some 200 KB. */
const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;

/**
 * An image's roots, read from the first of its machines this process provisions
 * (image tags carry a content hash; a bundle read anywhere is cleaned of
 * bottle CAs), so a batch reads the bundle once, not once per bottle.
 */
const roots = new Map<string, Promise<string | undefined>>();

function rootsOf(image: string, read: () => Promise<Buffer | undefined>): Promise<string | undefined> {
  if (!roots.has(image)) {
    const found = read().then((b) => (b === undefined ? undefined : imageRoots(b.toString('utf8')).replace(/\n*$/, '\n')));
    roots.set(image, found.catch((error: unknown) => (roots.delete(image), Promise.reject(error))));
  }
  return roots.get(image)!;
}

export const ca = bottleTask({
  id: 'ca',
  title: 'CA',
  needs: [prepare, startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 3, baseMs: 500 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => ({ path: ctx.plan.guestCaPath, bundle: SYSTEM_CA_BUNDLE }),
  run: async (ctx, io): Promise<CaOutput> => {
    const { plan } = ctx;
    const backend = backendOf(ctx);
    const prepared = io.needs.prepare;
    const machine = io.needs['start-vm'].machine;
    const pem = (await readFile(prepared.caCert, 'utf8')).trim() + '\n';
    // The local CA directory and its file, root's; its parent exists in any Linux image.
    const local = [{ path: basename(dirname(plan.guestCaPath)), dir: true as const, mode: 0o755 }, { path: `${basename(dirname(plan.guestCaPath))}/${basename(plan.guestCaPath)}`, content: pem, mode: 0o644 }];
    await backend.putFiles(machine, { dir: dirname(dirname(plan.guestCaPath)), user: 'root', entries: local }, op(io));
    const roots = await rootsOf(io.needs['start-vm'].image, () => backend.readFile(machine, SYSTEM_CA_BUNDLE, { ...op(io), user: 'root', maxBytes: MAX_BUNDLE_BYTES }));
    if (roots !== undefined) {
      const entries = [{ path: basename(SYSTEM_CA_BUNDLE), content: roots + pem, mode: 0o644 }];
      await backend.putFiles(machine, { dir: dirname(SYSTEM_CA_BUNDLE), user: 'root', entries }, op(io));
    } else {
      io.log(`${machine} has no ${SYSTEM_CA_BUNDLE}: only Node (NODE_EXTRA_CA_CERTS) trusts the bottle CA`);
    }
    return { path: plan.guestCaPath, digest: prepared.caDigest, bundle: roots !== undefined };
  },
});
