import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlannedBottle } from '../../lib/plan/build-plan.js';
import type { BottlePlan } from '../../lib/plan/types.js';
import { readSecrets } from '../../lib/plan/secrets.js';
import { tempDir } from '../state/temp-dir.js';

const planned = (secretEnv: PlannedBottle['secretEnv']): PlannedBottle => ({
  plan: { bottle: 'dev', egress: { credentials: [] } } as unknown as BottlePlan,
  prompt: '',
  guestEnv: { PLAIN: 'p' },
  secretEnv,
});

describe('reading the secrets of a run', () => {
  it('puts each secret of env into the guest env and the list of values to keep out of what is written', async () => {
    const file = join(await tempDir(), 'token');
    await writeFile(file, 'from-a-file-123\n');
    const p = planned({ A: { kind: 'value', value: 'written-1234' }, B: { kind: 'env', name: 'HOST_B' }, C: { kind: 'file', path: file } });
    expect(await readSecrets([p], { HOST_B: 'from-env-5678' })).toEqual([]);
    expect(p.guestEnv).toEqual({ PLAIN: 'p', A: 'written-1234', B: 'from-env-5678', C: 'from-a-file-123' });
    expect(p.secrets).toEqual(['written-1234', 'from-env-5678', 'from-a-file-123']);
  });

  it('names the variable and where it looked when one cannot be read', async () => {
    const p = planned({ B: { kind: 'env', name: 'HOST_B' } });
    expect(await readSecrets([p], {})).toEqual([`bottle "dev": env B reads $HOST_B, which is not set in bottle's environment; export it before \`bottle up\``]);
    expect(p.guestEnv).toEqual({ PLAIN: 'p' });
  });
});
