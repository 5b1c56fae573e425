/**
 * The hook and the daemon as the bundle ships them: esbuild makes one
 * CommonJS file each for Node 18 (no top-level await, no import.meta), and
 * those files work: the bundled index loads and exports the API, and a push
 * through a gate whose pre-receive runs the bundled hook is checked.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../state/temp-dir.js';
import { startGate } from './start-gate.js';

const GATE_DIR = fileURLToPath(new URL('../../../daemons/git-gate/', import.meta.url));

async function bundle(entry: string, outfile: string): Promise<void> {
  const result = await build({ entryPoints: [join(GATE_DIR, entry)], bundle: true, platform: 'node', format: 'cjs', target: 'node18', outfile, logLevel: 'silent' });
  expect(result.errors).toEqual([]);
  expect(result.warnings.map((warning) => warning.text)).toEqual([]);
}

describe('the bundled git gate', () => {
  it('index.ts bundles to CommonJS that loads and exports the API', async () => {
    const outfile = join(await tempDir(), 'git-gate.cjs');
    await bundle('index.ts', outfile);
    const script = `const gate = require(${JSON.stringify(outfile)}); console.log(Object.keys(gate).sort().join(' '))`;
    const { stdout } = await execa(process.execPath, ['-e', script]);
    expect(stdout.split(' ')).toEqual(expect.arrayContaining(['BUILTIN_SECRET_PATTERNS', 'GitGateConfigError', 'checkGitGateConfig', 'loadGitGateConfig', 'runPreReceive', 'startGitGate']));
  });

  it('hook-main.ts bundles to a pre-receive.cjs that refuses and accepts pushes', async () => {
    const hook = join(await tempDir(), 'pre-receive.cjs');
    await bundle('hook-main.ts', hook);
    const started = await startGate({}, hook);
    const work = await started.clone();
    await started.git.commit(work, { 'notes.md': 'hello\n' });
    const refused = await started.git.run(['push', 'origin', 'HEAD:refs/heads/main'], work);
    expect(refused.stderr).toContain('remote: bot-bottle git-gate: refused: refs/heads/main: this bottle may push only to refs/heads/bottle/a/*');
    const accepted = await started.git.run(['push', 'origin', 'HEAD:refs/heads/bottle/a/x'], work);
    expect(accepted.exitCode, accepted.stderr).toBe(0);
  });
});
