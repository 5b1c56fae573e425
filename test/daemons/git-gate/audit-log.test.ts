import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAuditEntry, AuditLogError, openAuditLog } from '../../../daemons/git-gate/audit-log.js';
import type { RequestEntry } from '../../../daemons/git-gate/audit-log.js';
import { tempDir } from '../../state/temp-dir.js';

const lines = async (path: string): Promise<unknown[]> =>
  (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);

const REQUEST: RequestEntry = { kind: 'request', method: 'GET', path: '/a.git/info/refs?service=git-upload-pack', service: 'git-upload-pack', status: 200, bytesIn: 0, bytesOut: 300 };
const T = new Date('2030-01-02T03:04:05.678Z');

describe('the audit log', () => {
  it('takes the daemon lines and the hook lines in one file, time first, directories created', async () => {
    const path = join(await tempDir(), 'var', 'log', 'git-gate.jsonl');
    const log = await openAuditLog(path, { now: () => T });
    log.record(REQUEST);
    await appendAuditEntry(path, { kind: 'push', decision: 'accepted', updates: [], refusals: [] }, T);
    await log.close();
    log.record(REQUEST); // dropped: closed
    expect((await readFile(path, 'utf8')).split('\n')[0]).toMatch(/^\{"ts":"2030-01-02T03:04:05.678Z","kind":"request",/);
    expect(await lines(path)).toEqual([
      { ts: T.toISOString(), ...REQUEST },
      { ts: T.toISOString(), kind: 'push', decision: 'accepted', updates: [], refusals: [] },
    ]);
  });

  it('cuts a long path a client sent', async () => {
    const path = join(await tempDir(), 'git-gate.jsonl');
    await appendAuditEntry(path, { ...REQUEST, path: `/${'x'.repeat(5000)}` }, T);
    const [line] = (await lines(path)) as { path: string }[];
    expect(line!.path).toHaveLength(200 + '…(4801 more characters)'.length);
  });

  it('fails naming the path it cannot write', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), '');
    const path = join(dir, 'file', 'git-gate.jsonl');
    await expect(openAuditLog(path)).rejects.toThrow(AuditLogError);
    await expect(openAuditLog(path)).rejects.toThrow(`Cannot create the directory of the audit log ${path}`);
    await expect(appendAuditEntry(path, REQUEST)).rejects.toThrow(`Cannot write the audit log ${path}`);
  });
});
