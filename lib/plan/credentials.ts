/**
 * The values of a bottle's credentials, read on the host when a run starts:
 * from bottle's environment (`env:NAME`) or a file (`file:PATH`, a regular
 * file of at most 64 KiB, its trailing newline dropped). A value must be one
 * line of printable text (it becomes a request header). Every problem names
 * the credential and where it looked, never the value. The values go only to
 * the bundle (tasks/daemons.ts writes them for the proxy), never to a plan,
 * record, log or the agent.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Credential } from '../manifest/types.js';
import type { SecretSource } from '../manifest/inspect.js';

export const MAX_CREDENTIAL_BYTES = 64 * 1024;
/** The proxy's own floor (daemons/egress/credentials.ts). */
export const MIN_CREDENTIAL_CHARS = 8;

export type CredentialRead = { ok: true; value: string } | { ok: false; problem: string };

export async function readCredential(credential: Credential, env: NodeJS.ProcessEnv): Promise<CredentialRead> {
  const what = `the credential for ${credential.host} (${credential.header})`;
  const { from } = credential;
  const read = await readSecretSource(from, what, env);
  if (!read.ok) return read;
  const raw = read.value;
  // The proxy refuses requests that carry a credential's value: a short one would turn up in ordinary requests.
  if (raw.trim().length < MIN_CREDENTIAL_CHARS) return { ok: false, problem: `${what} is ${raw.trim().length} characters long, too short to be a key (at least ${MIN_CREDENTIAL_CHARS}); check ${from.kind === 'env' ? `$${from.name}` : from.path}` };
  // It becomes a header value: one line of visible characters, or a request could be split.
  if (/[^\x20-\x7e\t]/.test(raw)) return { ok: false, problem: `${what} holds a line break or a control or non-ASCII character; a header value is one line of printable ASCII` };
  return { ok: true, value: `${credential.prefix}${raw}` };
}

/** A secret's value from bottle's environment or a small file (its trailing newline dropped); `what` names it in a problem. */
export async function readSecretSource(from: SecretSource, what: string, env: NodeJS.ProcessEnv): Promise<CredentialRead> {
  let raw: string;
  if (from.kind === 'env') {
    const value = env[from.name];
    if (value === undefined || value === '') return { ok: false, problem: `${what} reads $${from.name}, which is not set in bottle's environment; export it before \`bottle up\`` };
    raw = value;
  } else {
    const read = await readSmallFile(from.path);
    if (!read.ok) return { ok: false, problem: `${what} reads ${from.path}: ${read.problem}` };
    raw = read.value.replace(/\r?\n$/, '');
  }
  if (raw === '') return { ok: false, problem: `${what} is empty; put the value in ${from.kind === 'env' ? `$${from.name}` : from.path}` };
  return { ok: true, value: raw };
}

async function readSmallFile(path: string): Promise<CredentialRead> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === 'ENOENT' ? 'no such file' : code === 'ELOOP' ? 'it is a symbolic link; name the file itself' : `cannot open it (${code ?? (error as Error).message})` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, problem: 'it is not a regular file' };
    if (info.size > MAX_CREDENTIAL_BYTES) return { ok: false, problem: `it is ${info.size} bytes; a credential file holds at most ${MAX_CREDENTIAL_BYTES}` };
    return { ok: true, value: (await handle.readFile()).toString('utf8') };
  } finally {
    await handle.close();
  }
}

/** Every credential of every plan, read; the problems of all, one sentence each, named by bottle. */
export async function readCredentials(plans: readonly { bottle: string; egress: { credentials: Credential[] } }[], env: NodeJS.ProcessEnv): Promise<{ values: string[][]; problems: string[] }> {
  const problems = new Set<string>();
  const values = await Promise.all(
    plans.map(async (plan) =>
      Promise.all(
        plan.egress.credentials.map(async (c) => {
          const read = await readCredential(c, env);
          if (read.ok) return read.value;
          problems.add(`bottle "${plan.bottle}": ${read.problem}`);
          return '';
        }),
      ),
    ),
  );
  return { values, problems: [...problems] };
}
