// The commands users expect of a CLI: `completion`, `init`, `config schema`. Registration
// only: each loads its module when it runs, so `--help` stays fast.
import type { Command } from 'commander';
import { stackNamesText } from '../stacks/registry.js';

export interface ConventionIo {
  writeOut?: (s: string) => void;
  writeErr?: (s: string) => void;
}

export function registerConventionCommands(program: Command, io: ConventionIo): void {
  const out = io.writeOut ?? ((s: string) => process.stdout.write(s));
  const err = io.writeErr ?? ((s: string) => process.stderr.write(s));

  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash | zsh | fish')
    .addHelpText(
      'after',
      `
Examples:
  $ source <(vh-deploy completion bash)          # in ~/.bashrc
  $ source <(vh-deploy completion zsh)           # in ~/.zshrc, after compinit
  $ vh-deploy completion fish > ~/.config/fish/completions/vh-deploy.fish
`,
    )
    .action(async (shell: string) => {
      const { completionScript } = await import('./completion.js');
      out(await completionScript(program, shell));
    });

  program
    .command('init')
    .description('write a commented config file for a stack (every key commented out)')
    .argument('<stack>', stackNamesText())
    .argument('[file]', 'where to write it (default vh-deploy.yaml; - for stdout)')
    .option('--force', 'overwrite the file if it exists')
    .addHelpText(
      'after',
      `
Examples:
  $ vh-deploy init self-hosted                  # writes vh-deploy.yaml
  $ vh-deploy config schema > vh-deploy.schema.json   # editors check the file against it
  $ vh-deploy self-hosted --config vh-deploy.yaml
`,
    )
    .action(async (stack: string, file: string | undefined, opts: { force?: boolean }) => {
      const { runInit } = await import('./init.js');
      runInit({ stack, file, force: opts.force === true, write: out, note: (s) => err(`${s}\n`) });
    });

  const config = program.command('config').description('the --config file: its JSON Schema');
  config
    .command('schema')
    .description('print the JSON Schema of the --config file (for editors: yaml-language-server, VS Code, JetBrains)')
    .addHelpText('after', '\nExample:\n  $ vh-deploy config schema > vh-deploy.schema.json\n')
    .action(async () => {
      const { configJsonSchema } = await import('../config/json-schema.js');
      out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
}
