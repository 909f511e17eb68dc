// The `holefill` command line: one file per subcommand beside this one, listed in `subcommands` below.
// To add one (e.g. `holefill web`), write main/cli/<name>.ts exporting a Subcommand and add it to the list.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchSubcommand } from './batch';
import { describe, EXIT, UsageError, type Subcommand } from './common';
import { infoSubcommand } from './info';
import { inpaintSubcommand } from './inpaint';
import { webSubcommand } from './web';

export const subcommands: Subcommand[] = [inpaintSubcommand, batchSubcommand, infoSubcommand, webSubcommand];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...subcommands.map((c) => c.name.length));
  return [
    `holefill ${version()}: remove objects from photos with a partial-convolution inpainting network`,
    '',
    'Usage: holefill <command> [options]',
    '',
    'Commands:',
    ...subcommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "holefill <command> --help" for its options.',
  ].join('\n');
}

/** Runs the command line and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') return (console.log(help()), EXIT.ok);
  if (!name) {
    process.stderr.write(`holefill: which command? ${subcommands.map((c) => c.name).join(', ')}. Run "holefill --help" for what each does.\n`);
    return EXIT.usage;
  }
  if (name === '--version' || name === '-v') return (console.log(version()), EXIT.ok);
  const command = subcommands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`holefill: unknown command "${name}"; the commands are ${subcommands.map((c) => c.name).join(', ')}. Run "holefill --help" for more.\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`holefill ${name}: ${err.message} Run "holefill ${name} --help" for its options.\n`);
      return EXIT.usage;
    }
    process.stderr.write(`holefill: ${describe(err)}\n`);
    return EXIT.failed;
  }
}

// Run directly (`tsx main/cli/index.ts ...`, as `npm run web` does); bin/holefill.js calls main() itself.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
