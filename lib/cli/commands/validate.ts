/** `bottle validate`: load and check the manifest; say what is wrong, all at once. */
import { loadManifest } from '../../manifest/load.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { parse } from '../parse.js';

export async function validate(args: string[], cli: CliContext): Promise<number> {
  const { values } = parse('validate', args, COMMON_OPTIONS);
  if (values.help) {
    cli.stdout('Usage: bottle validate [-f FILE]\n\nCheck the manifest; exit 0 when valid, 2 with every problem listed when not.\n');
    return 0;
  }
  const loaded = await loadManifest({ ...(values.file ? { file: values.file } : {}), cwd: cli.cwd });
  const m = loaded.manifest;
  cli.stdout(`${loaded.path} is valid: ${Object.keys(m.bottles).length} bottle(s), ${Object.keys(m.agents).length} agent(s)\n`);
  return 0;
}
