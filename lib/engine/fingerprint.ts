/**
 * Hashing of task inputs. Keys are sorted so that `{a,b}` and `{b,a}` hash the
 * same; what a task returns from `fingerprint` is all that counts.
 */
import { hash as oneShotHash } from 'node:crypto';

export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value as object)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function hash(text: string): string {
  return oneShotHash('sha256', text, 'hex').slice(0, 32);
}
