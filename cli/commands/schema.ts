/** `bottle schema`: the manifest's JSON Schema, for editors and CI checks. */
import { manifestJsonSchema } from '../../lib/manifest/json-schema.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { noPositionals, parse } from '../parse.js';

export async function schema(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('schema', args, COMMON_OPTIONS);
  if (values.help) {
    cli.stdout('Usage: bottle schema\n\nPrint the JSON Schema of the manifest.\n');
    return 0;
  }
  noPositionals('schema', positionals);
  cli.stdout(`${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
  return 0;
}
