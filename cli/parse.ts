/** node:util parseArgs, with its errors turned into UsageErrors that say what to do. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';
import { LIMIT_NAMES, MAX_LIMIT, type LimitName } from '../lib/limits/names.js';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${message}; see \`bottle ${command} --help\``);
  }
}

/** Refuses arguments to a command that takes none (`bottle validate extra`), naming them. */
export function noPositionals(command: string, positionals: readonly string[]): void {
  if (positionals.length === 0) return;
  throw new UsageError(`bottle ${command} takes no arguments, got ${positionals.map((p) => JSON.stringify(p)).join(', ')}; see \`bottle ${command} --help\``);
}

/** `--limit name=N` values, each checked: a known name and a whole number from 1. */
export function limitsOf(values: readonly string[] | undefined): Partial<Record<LimitName, number>> {
  const out: Partial<Record<LimitName, number>> = {};
  for (const value of values ?? []) {
    const m = /^([a-z-]+)=(\d+)$/.exec(value);
    const name = m?.[1] as LimitName | undefined;
    if (!m || !name || !(LIMIT_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--limit takes NAME=N with NAME one of ${LIMIT_NAMES.join(', ')}, got "${value}"`);
    }
    const n = positiveInt(`--limit ${name}`, m[2])!;
    if (n > MAX_LIMIT) throw new UsageError(`--limit ${name} must be at most ${MAX_LIMIT}, got ${n}`);
    out[name] = n;
  }
  return out;
}

export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number >= 1, got "${value}"`);
  return n;
}
