import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLogError, openAuditLog } from '../../../daemons/egress/audit-log.js';
import { tempDir } from '../../state/temp-dir.js';

const lines = async (path: string): Promise<unknown[]> =>
  (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);

describe('openAuditLog', () => {
  it('creates missing directories and writes one JSON object per line, with the time first', async () => {
    const path = join(await tempDir(), 'a', 'b', 'egress.jsonl');
    const log = await openAuditLog(path, { now: () => new Date('2030-01-02T03:04:05.678Z') });
    log.record({ method: 'CONNECT', host: 'api.example.com', port: 443, decision: 'allow', status: 200 });
    log.record({ method: 'GET', host: 'evil.test', port: 80, decision: 'deny', status: 403, reason: 'not on the allowlist' });
    await log.close();
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')[0]).toBe('{"ts":"2030-01-02T03:04:05.678Z","method":"CONNECT","host":"api.example.com","port":443,"decision":"allow","status":200}');
    expect(await lines(path)).toEqual([
      { ts: '2030-01-02T03:04:05.678Z', method: 'CONNECT', host: 'api.example.com', port: 443, decision: 'allow', status: 200 },
      { ts: '2030-01-02T03:04:05.678Z', method: 'GET', host: 'evil.test', port: 80, decision: 'deny', status: 403, reason: 'not on the allowlist' },
    ]);
  });

  it('appends to an existing log, keeps thousands of lines whole and in order, drops lines after close', async () => {
    const path = join(await tempDir(), 'egress.jsonl');
    await writeFile(path, '{"earlier":true}\n');
    const log = await openAuditLog(path);
    const long = 'x'.repeat(1000);
    for (let i = 0; i < 3000; i++) log.record({ method: 'GET', host: `h${i}.test`, port: i, decision: 'deny', status: 403, reason: long });
    await log.close();
    log.record({ method: 'GET', host: 'late.test', port: 1, decision: 'deny', status: 403 });
    await log.close();
    const entries = (await lines(path)) as { host?: string; port?: number; ts?: string }[];
    expect(entries).toHaveLength(3001);
    expect(entries[0]).toEqual({ earlier: true });
    entries.slice(1).forEach((entry, i) => {
      expect(entry.port).toBe(i);
      expect(entry.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });
  });

  it('fails to open with an error naming the path', async () => {
    const dir = await tempDir();
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, '');
    const path = join(blocker, 'egress.jsonl');
    await expect(openAuditLog(path)).rejects.toThrow(`Cannot create the directory of the audit log ${path}`);
    await expect(openAuditLog(path)).rejects.toBeInstanceOf(AuditLogError);
    const isDir = join(dir, 'a-dir');
    await mkdir(isDir);
    await expect(openAuditLog(isDir)).rejects.toThrow(`Cannot open the audit log ${isDir}: EISDIR`);
  });

  it('cuts long strings, so a 16 KB malformed target makes a line well under 1 KB', async () => {
    const path = join(await tempDir(), 'egress.jsonl');
    const log = await openAuditLog(path);
    const target = 'x'.repeat(16 * 1024);
    log.record({ method: 'GET', host: target, port: null, decision: 'deny', status: 400, reason: `malformed request target ${JSON.stringify(target)}; expected an absolute http:// URL` });
    await log.close();
    const text = await readFile(path, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThan(700);
    const [entry] = (await lines(path)) as { host: string; reason: string }[];
    expect(entry?.host).toBe(`${'x'.repeat(255)}…(${16 * 1024 - 255} more characters)`);
    expect(entry?.reason).toMatch(/^malformed request target "x+…\(\d+ more characters\)$/);
    expect(entry?.reason.startsWith(`malformed request target "${'x'.repeat(174)}…`)).toBe(true);
  });

  it('writes the fields of an inspected request, cutting a long path to 200 characters', async () => {
    const path = join(await tempDir(), 'egress.jsonl');
    const log = await openAuditLog(path, { now: () => new Date('2030-01-02T03:04:05.678Z') });
    log.record({ method: 'CONNECT', host: 'api.test', port: 443, decision: 'allow', status: 200, address: '10.0.0.1', inspect: true });
    log.record({ method: 'POST', host: 'api.test', port: 443, path: `/v1/${'p'.repeat(300)}`, decision: 'deny', status: 403, reason: 'x', rule: 'paths.deny' });
    await log.close();
    const [connect, request] = (await lines(path)) as Array<Record<string, unknown>>;
    expect(connect).toEqual({ ts: '2030-01-02T03:04:05.678Z', method: 'CONNECT', host: 'api.test', port: 443, decision: 'allow', status: 200, address: '10.0.0.1', inspect: true });
    expect(request?.['path']).toBe(`/v1/${'p'.repeat(196)}…(104 more characters)`);
    expect(request?.['rule']).toBe('paths.deny');
  });

  it('rotates at audit.maxBytes, keeping audit.keep old files', async () => {
    const dir = await tempDir();
    const path = join(dir, 'egress.jsonl');
    const log = await openAuditLog(path, { rotation: { maxBytes: 2048, keep: 1 } });
    for (let i = 0; i < 1000; i++) log.record({ method: 'CONNECT', host: `h${i}.test`, port: i, decision: 'deny', status: 403, reason: 'not on the allowlist' });
    await log.close();
    expect((await readdir(dir)).sort()).toEqual(['egress.jsonl', 'egress.jsonl.1']);
    for (const file of [path, `${path}.1`]) expect((await stat(file)).size).toBeLessThanOrEqual(2048);
    expect(((await lines(path)) as { port: number }[]).at(-1)?.port).toBe(999);
  });
});
