import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { StateError } from '../../lib/state/errors.js';
import { ensureDir, itemDir, resolveStateRoot } from '../../lib/state/root.js';
import { modeOf, tempDir } from './temp-dir.js';

const homedir = '/home/ada';
const cwd = '/work/here';

describe('resolveStateRoot', () => {
  const env = { BOTTLE_STATE_DIR: '/env/state', XDG_STATE_HOME: '/xdg' };

  it('prefers the --state-dir flag to every variable', () => {
    expect(resolveStateRoot({ flag: '/flag/state', env, homedir, cwd })).toBe('/flag/state');
  });

  it('uses BOTTLE_STATE_DIR when there is no flag', () => {
    expect(resolveStateRoot({ env, homedir, cwd })).toBe('/env/state');
  });

  it('uses $XDG_STATE_HOME/bottle when neither is set', () => {
    expect(resolveStateRoot({ env: { XDG_STATE_HOME: '/xdg' }, homedir, cwd })).toBe('/xdg/bottle');
  });

  it('falls back to ~/.local/state/bottle', () => {
    expect(resolveStateRoot({ env: {}, homedir, cwd })).toBe('/home/ada/.local/state/bottle');
  });

  it('treats empty values as unset', () => {
    expect(resolveStateRoot({ flag: '', env: { BOTTLE_STATE_DIR: '', XDG_STATE_HOME: '' }, homedir, cwd })).toBe(
      '/home/ada/.local/state/bottle',
    );
  });

  it('resolves a relative flag or BOTTLE_STATE_DIR against cwd', () => {
    expect(resolveStateRoot({ flag: 'st', env, homedir, cwd })).toBe('/work/here/st');
    expect(resolveStateRoot({ env: { BOTTLE_STATE_DIR: '../st' }, homedir, cwd })).toBe('/work/st');
  });

  it('ignores a relative XDG_STATE_HOME, as the XDG spec asks', () => {
    expect(resolveStateRoot({ env: { XDG_STATE_HOME: 'rel' }, homedir, cwd })).toBe('/home/ada/.local/state/bottle');
  });

  it('defaults cwd to the process cwd', () => {
    expect(resolveStateRoot({ flag: 'st', env: {}, homedir })).toBe(join(process.cwd(), 'st'));
  });
});

describe('itemDir', () => {
  it('is <root>/<item> for a safe key', () => {
    expect(itemDir('/state', 'demo-ab12c')).toBe('/state/demo-ab12c');
    expect(itemDir('/state', '_x.y-1')).toBe('/state/_x.y-1');
  });

  it.each(['', '.', '..', 'a/b', '../x', '-rf', '.hidden', 'a b', 'a\\b', 'é'])('rejects the key %j, naming it', (key) => {
    let error: unknown;
    try {
      itemDir('/state', key);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('BAD_KEY');
    expect((error as StateError).message).toContain(JSON.stringify(key));
  });
});

describe('ensureDir', () => {
  it('creates missing parents and the directory with mode 0700', async () => {
    const dir = join(await tempDir(), 'a', 'b');
    await ensureDir(dir);
    expect(await modeOf(dir)).toBe(0o700);
  });

  it('accepts a directory that exists', async () => {
    const dir = await tempDir();
    await ensureDir(dir);
    await expect(ensureDir(dir)).resolves.toBeUndefined();
  });
});
