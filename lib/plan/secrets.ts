/**
 * The secret values of the bottles of a run, read on the host when the
 * session opens: each credential (for the bundle's proxy, credentials.ts)
 * and each secret of env (`{ value, secret: true }` or `{ from }`, put into
 * the agent's environment). Each bottle keeps the list of its secret values,
 * which every record, log, event and message of the run is cleaned of
 * (lib/report/redact.ts). Problems name the bottle and the variable or
 * credential, never a value.
 */
import type { PlannedBottle } from './build-plan.js';
import { readCredentials, readSecretSource } from './credentials.js';

/** Fills in credentialValues, the secret env values and `secrets` of each bottle; returns the problems. */
export async function readSecrets(planned: PlannedBottle[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const credentials = await readCredentials(planned.map((p) => p.plan), env);
  const problems = new Set(credentials.problems);
  await Promise.all(
    planned.map(async (p, i) => {
      p.credentialValues = credentials.values[i]!;
      const values: string[] = [];
      for (const [name, secret] of Object.entries(p.secretEnv ?? {})) {
        if (secret.kind === 'value') {
          p.guestEnv[name] = secret.value;
          values.push(secret.value);
          continue;
        }
        const read = await readSecretSource(secret, `env ${name}`, env);
        if (!read.ok) problems.add(`bottle "${p.plan.bottle}": ${read.problem}`);
        else {
          p.guestEnv[name] = read.value;
          values.push(read.value);
        }
      }
      p.secrets = [...values, ...p.credentialValues];
    }),
  );
  return [...problems];
}
