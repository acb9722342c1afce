// The commander program. Kept light at import time (commander + chalk): commands
// load the Kubernetes client, inquirer and ora lazily, so `--help` stays fast.
import { Command, CommanderError, Option } from 'commander';
import { GLOBAL_FIELDS } from './config/fields.js';
import { addFieldOptions } from './commands/options.js';
import { registerStackCommand } from './commands/stack-command.js';
import { registerDay2Commands } from './commands/day2.js';
import { ExitCode, VhError } from './errors.js';
import { VERSION } from './version.js';
import { STACKS } from './stacks/registry.js';


const EXIT_CODES = `
Exit codes:
  0    success
  1    the operation failed
  2    bad input (nothing was written to the cluster)
  3    cluster unreachable, unauthorised or forbidden
  4    failed and rolled back
  130  interrupted
`;

export interface ProgramIo {
  writeOut?: (s: string) => void;
  writeErr?: (s: string) => void;
}

export function buildProgram(io: ProgramIo = {}): Command {
  const program = new Command('vh-deploy');
  // exitOverride/configureOutput must come before subcommands: they are copied at creation.
  program.exitOverride();
  program.configureOutput({
    writeOut: io.writeOut ?? ((s) => process.stdout.write(s)),
    writeErr: io.writeErr ?? ((s) => process.stderr.write(s)),
  });
  program
    .description('Deploy the VoiceHelper analytics stack (PostHog and the Model Router) to Kubernetes.')
    // Not .version(): commander parses program options anywhere, so `upgrade posthog
    // --version TAG` would print the version. One option serves both: alone it prints.
    .addOption(new Option('--version [tag]', 'print the vh-deploy version (with `upgrade posthog`: the PostHog version to upgrade to)'))
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true })
    .option('--config <file>', 'YAML file of option values (camelCase keys, e.g. domain, posthogApiKey)')
    .addOption(
      new Option('--dry-run [mode]', 'client: print the manifests (no cluster); server: validate the whole plan on the server, write nothing')
        .preset('client')
        .env('VH_DEPLOY_DRY_RUN'),
    );
  addFieldOptions(program, GLOBAL_FIELDS);
  program.on('option:version', (tag: unknown) => {
    if (typeof tag === 'string') return;
    (io.writeOut ?? ((s: string) => process.stdout.write(s)))(`${VERSION}\n`);
    throw new CommanderError(0, 'commander.version', VERSION);
  });
  program.addHelpText(
    'after',
    `
Examples:
  $ vh-deploy cloud --region eu                         # connect the Model Router to PostHog Cloud
  $ vh-deploy self-hosted --domain posthog.example.com  # PostHog in the cluster
  $ vh-deploy model-router --image registry.example.com/model-router:1.4.2
  $ vh-deploy render self-hosted --domain posthog.example.com > posthog.yaml
  $ vh-deploy verify -o json
  $ vh-deploy upgrade model-router --image-tag 1.4.3  # rolls back by itself on failure (exit 4)
  $ vh-deploy rollback model-router                   # to the last successful revision
${EXIT_CODES}
Every option is also an environment variable VH_DEPLOY_<NAME> and a --config key.`,
  );

  for (const stack of STACKS) registerStackCommand(program, stack);
  program.addOption(new Option('--no-wait', 'apply in order and return without waiting for readiness or running health checks'));
  program.addOption(new Option('--diff', 'show what would change against the live cluster, then stop').hideHelp());
  // `diff X …` and `render X …` run the stack command itself, so each is one code path.
  registerStackAlias(program, io, 'diff', 'show what a stack command would change in the cluster (Secret values masked)', ['--diff'], 'vh-deploy diff model-router --config prod.yaml --image-tag 1.4.3');
  registerStackAlias(program, io, 'render', 'print the manifests a stack would apply (same as that command with --dry-run=client)', ['--dry-run=client'], 'vh-deploy render self-hosted --domain posthog.example.com -o json');
  registerDay2Commands(program);
  return program;
}

function registerStackAlias(program: Command, io: ProgramIo, name: string, description: string, flags: string[], example: string): void {
  program
    .command(name)
    .description(description)
    .argument('<stack>', STACKS.map((st) => st.command.name).join(' | '))
    .argument('[options...]', "the stack command's options")
    .allowUnknownOption()
    .addHelpText('after', `\nExample:\n  $ ${example}\n`)
    .action(async (stack: string, rest: string[], _o, c: Command) => {
      const known = STACKS.map((st) => st.command.name);
      if (!known.includes(stack)) throw new VhError(`${name}: unknown stack ${JSON.stringify(stack)}; expected ${known.join(', ')}`, ExitCode.badInput);
      const globalArgs = c.parent ? reconstructGlobals(c.parent) : [];
      await buildProgram(io).parseAsync([...globalArgs, stack, ...flags, ...rest], { from: 'user' });
    });
}

/** Global flags given before `render` (e.g. `vh-deploy -o json render …`). */
function reconstructGlobals(program: Command): string[] {
  const out: string[] = [];
  for (const opt of program.options) {
    const key = opt.attributeName();
    if (program.getOptionValueSource(key) !== 'cli' || key === 'dryRun') continue;
    const val = program.getOptionValue(key) as unknown;
    out.push(opt.long!);
    if (typeof val === 'string') out.push(val);
  }
  return out;
}

/** Maps commander's own errors: help/version exit 0; usage errors are bad input (2). */
export function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) {
    return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(e.code) ? 0 : ExitCode.badInput;
  }
  if (e instanceof VhError) return e.exitCode;
  return ExitCode.failed;
}
