/**
 * Reading a daemon's JSON config file: the text, parsed, or an error of the
 * daemon's own class whose message names the file and what to do. It does not
 * check the fields (each daemon's config.ts does).
 */
import { readFile } from 'node:fs/promises';

/** `what`: the config's name in messages, e.g. "egress config"; `fail` makes the daemon's error. */
export async function readJsonConfig(path: string, what: string, fail: (message: string, cause: unknown) => Error): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fail(`Cannot read the ${what} ${path}: ${(error as Error).message}. Pass the path of a JSON config file.`, error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fail(`The ${what} ${path} is not valid JSON: ${(error as Error).message}.`, error);
  }
}
