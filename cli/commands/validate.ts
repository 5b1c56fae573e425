/** `bottle validate`: load and check the manifest; say what is wrong, all at once. */
import { loadManifest } from '../../lib/manifest/load.js';
import { MANIFEST_OPTIONS, type CliContext } from '../context.js';
import { noPositionals, parse } from '../parse.js';

export async function validate(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('validate', args, MANIFEST_OPTIONS);
  if (values.help) {
    cli.stdout(
      'Usage: bottle validate [-f FILE] [--allow-outside DIR]\n\n' +
        'Check the manifest; exit 0 when valid, 2 with every problem listed when not.\n' +
        '  --allow-outside DIR   let promptFile, skillsDir and skills resolve into DIR too (repeatable)\n',
    );
    return 0;
  }
  noPositionals('validate', positionals);
  const loaded = await loadManifest({
    ...(values.file ? { file: values.file } : {}),
    cwd: cli.cwd,
    allowOutside: values['allow-outside'] ?? [],
  });
  const m = loaded.manifest;
  cli.stdout(`${loaded.path} is valid: ${Object.keys(m.bottles).length} bottle(s), ${Object.keys(m.agents).length} agent(s)\n`);
  return 0;
}
