/**
 * ca: the bottle's CA in the guest, as files put in place (lib/provision/ca.ts;
 * no program runs there; a new machine had them already): `bot-bottle.crt`
 * in the local CA directory (Node reads it through NODE_EXTRA_CA_CERTS) and
 * the system bundle = the image's roots + the bottle CA (curl, OpenSSL, git
 * through GIT_SSL_CAINFO). Idempotent: every bottle CA is taken out of the
 * bundle before this one is added, so it never trusts another bottle's. The
 * ready task proves the trust with one request through the proxy.
 */
import { readFile } from 'node:fs/promises';
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { caFiles, imageRootsOf } from '../lib/provision/ca.js';
import { SYSTEM_CA_BUNDLE } from '../lib/plan/types.js';
import { prepare } from './prepare.js';
import { cameWithMachine, startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';

export interface CaOutput {
  path: string;
  digest: string;
}

export const ca = bottleTask({
  id: 'ca',
  title: 'CA',
  summary: "the bottle CA in the guest's trust stores",
  needs: [prepare, startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 3, baseMs: 500 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => ({ path: ctx.plan.guestCaPath, bundle: SYSTEM_CA_BUNDLE }),
  run: async (ctx, io): Promise<CaOutput> => {
    const { plan } = ctx;
    const prepared = io.needs.prepare;
    if (!cameWithMachine(io)) {
      const backend = backendOf(ctx);
      const { machine, image } = io.needs['start-vm'];
      const pem = `${(await readFile(prepared.caCert, 'utf8')).trim()}\n`;
      const roots = await imageRootsOf(image, (path, maxBytes) => backend.readFile(machine, path, { ...op(io), user: 'root', maxBytes }));
      if (roots === undefined) io.log(`${machine} has no ${SYSTEM_CA_BUNDLE}: only Node (NODE_EXTRA_CA_CERTS) trusts the bottle CA`);
      for (const files of caFiles(plan, pem, roots)) await backend.putFiles(machine, files, op(io));
    }
    return { path: plan.guestCaPath, digest: prepared.caDigest };
  },
});
