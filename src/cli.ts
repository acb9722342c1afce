// The commander program. Kept light at import time (commander + chalk): commands
// load the Kubernetes client, inquirer and ora lazily, so `--help` stays fast.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DRY_RUN_MODES, GLOBAL_FIELDS } from './config/fields.js';
import { addFieldOptions } from './commands/options.js';
import { registerStackCommand } from './commands/stack-command.js';
import { registerDay2Commands } from './commands/day2.js';
import { registerConventionCommands } from './commands/conventions.js';
import { ExitCode, InputError, VhError } from './errors.js';
import { VERSION } from './version.js';
import { stackByName, stackNamesText, STACKS } from './stacks/registry.js';


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

/** The `--dry-run` term in help: its mode is given only with `=` (normaliseArgs). */
const DRY_RUN_TERM = '--dry-run[=client|server]';

/**
 * The program: commander's Command with vh-deploy's argv rules (normaliseArgs) applied
 * where commander reads the program's options, which it does anywhere on the line.
 */
class Program extends Command {
  /** Help was asked for: a bad value in the environment must not hide it (refuseEmptyValues). */
  helpAsked = false;

  override parseOptions(args: string[]) {
    const end = args.indexOf('--');
    const head = end < 0 ? args : args.slice(0, end);
    this.helpAsked = head.includes('-h') || head.includes('--help') || head[0] === 'help';
    const { args: normal, error } = normaliseArgs(args, this.commands.map((c) => c.name()));
    const parsed = super.parseOptions(normal);
    // Thrown once the line's options are read, so `-o json` still gets its JSON document.
    if (error) throw error;
    return parsed;
  }
}

/**
 * Two rules commander has no setting for. `--version` only prints the tool's version:
 * given with a value or a command (`upgrade posthog --version X`, or `--version $UNSET`)
 * it is bad input, not a version printed with exit 0. `--dry-run` takes its mode only
 * as `--dry-run=MODE` (kubectl's form): a bare `--dry-run` means client and never
 * swallows the next word (`vh-deploy --dry-run self-hosted`). Pure.
 */
export function normaliseArgs(args: readonly string[], commands: readonly string[]): { args: string[]; error?: InputError } {
  const end = args.indexOf('--');
  const head = end < 0 ? [...args] : args.slice(0, end);
  const tail = end < 0 ? [] : args.slice(end);
  let error: InputError | undefined;
  const v = head.findIndex((a) => a === '--version' || a.startsWith('--version='));
  if (v >= 0 && (head[v] !== '--version' || head.some((a) => commands.includes(a)))) {
    error = new InputError("--version prints vh-deploy's version and takes no value; to upgrade PostHog give --posthog-version TAG (model-router: --image-tag TAG or --image REF)");
    head.splice(v, 1);
  }
  for (let i = 0; i < head.length; i++) {
    if (head[i] !== '--dry-run') continue;
    const next = head[i + 1];
    if (next !== undefined && (DRY_RUN_MODES as readonly string[]).includes(next)) {
      error ??= new InputError(`--dry-run takes its mode as --dry-run=${next} (kubectl's form); a bare --dry-run means client`);
    }
    head[i] = '--dry-run=client';
  }
  return { args: [...head, ...tail], ...(error && { error }) };
}

/**
 * An empty or blank value is bad input for every option that takes one, from the
 * command line or from its VH_DEPLOY_* twin (commander passes both through parseArg):
 * `--config ''` or `--image-tag $UNSET_VAR` must not quietly mean "not given".
 */
function refuseEmptyValues(cmd: Command, program: Program): void {
  for (const o of cmd.options) {
    if (!o.required && !o.optional) continue;
    const inner = o.parseArg;
    o.argParser((value: string, previous: unknown) => {
      if (value.trim() === '' && !program.helpAsked) throw new InvalidArgumentError('The value is empty: give a value, or leave the option out.');
      return inner ? inner(value, previous) : value;
    });
  }
  for (const c of cmd.commands) refuseEmptyValues(c, program);
}

/** The program's options in one wrapped paragraph, for every subcommand's --help. */
function globalOptionsText(program: Command, width = 80): string {
  const terms = program.options.filter((o) => !o.hidden && o.long !== '--version').map((o) => (o.long === '--dry-run' ? DRY_RUN_TERM : `${o.short ? `${o.short}/` : ''}${o.long}`));
  const lines: string[] = [];
  let line = 'Global options (vh-deploy --help):';
  for (const [i, t] of terms.entries()) {
    const item = `${t}${i < terms.length - 1 ? ',' : ''}`;
    if (line.length + 1 + item.length > width) {
      lines.push(line);
      line = `  ${item}`;
    } else line += ` ${item}`;
  }
  return `\n${[...lines, line].join('\n')}\n`;
}

export function buildProgram(io: ProgramIo = {}): Command {
  const program = new Program('vh-deploy');
  // exitOverride/configureOutput/configureHelp must come before subcommands: they are copied at creation.
  program.exitOverride();
  program.configureOutput({
    writeOut: io.writeOut ?? ((s) => process.stdout.write(s)),
    writeErr: io.writeErr ?? ((s) => process.stderr.write(s)),
  });
  program
    .description('Deploy the VoiceHelper analytics stack (PostHog and the Model Router) to Kubernetes.')
    // Program options are parsed anywhere on the line: normaliseArgs keeps
    // `upgrade posthog --version X` from printing the version (exit 2 instead).
    .version(VERSION, '--version', 'print the vh-deploy version')
    .showSuggestionAfterError()
    // Subcommands list the global options once, compactly (globalOptionsText), not in full.
    .configureHelp({ showGlobalOptions: false, optionTerm: (o) => (o.long === '--dry-run' ? DRY_RUN_TERM : o.flags) })
    .option('--config <file>', 'YAML file of option values (camelCase keys, e.g. domain, posthogApiKey; `vh-deploy init STACK` writes one)')
    .addOption(
      new Option('--dry-run [mode]', 'client (the default): print the manifests, no cluster; server: validate the whole plan on the server, write nothing')
        .preset('client')
        .env('VH_DEPLOY_DRY_RUN'),
    );
  addFieldOptions(program, GLOBAL_FIELDS);
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
  program.addOption(new Option('--diff-exit-code', 'with --diff: exit 1 when there are changes').hideHelp());
  // `diff X …` and `render X …` run the stack command itself, so each is one code path.
  registerStackAlias(program, io, {
    name: 'diff',
    description: 'show what a stack command would change in the cluster (Secret values masked)',
    flags: ['--diff'],
    example: 'vh-deploy diff model-router --config prod.yaml --image-tag 1.4.3 --exit-code',
    // git diff's convention, not kubectl diff's: exit 1 means "failed" everywhere else in vh-deploy.
    exitCode: true,
    help: `
Exit codes: 0 shown (changes or none) · with --exit-code: 0 no changes, 1 changes (as
git diff --exit-code; a failed diff is 1 too: with -o json, "ok" tells them apart) ·
2 bad input · 3 cluster access.`,
  });
  registerStackAlias(program, io, { name: 'render', description: 'print the manifests a stack would apply (same as that command with --dry-run=client)', flags: ['--dry-run=client'], example: 'vh-deploy render self-hosted --domain posthog.example.com -o json' });
  registerDay2Commands(program);
  registerConventionCommands(program, io);
  program.addHelpText('afterAll', ({ command }) => (command === program ? '' : globalOptionsText(program)));
  refuseEmptyValues(program, program);
  return program;
}

interface StackAlias {
  name: string;
  description: string;
  /** Added to the stack command's line. */
  flags: string[];
  example: string;
  /** Offer --exit-code (diff). */
  exitCode?: boolean;
  help?: string;
}

function registerStackAlias(program: Command, io: ProgramIo, a: StackAlias): void {
  const cmd = program
    .command(a.name)
    .description(a.description)
    .argument('<stack>', stackNamesText())
    .argument('[options...]', "the stack command's options")
    .allowUnknownOption()
    .addHelpText('after', `${a.help ?? ''}\nExample:\n  $ ${a.example}\n`);
  if (a.exitCode) cmd.option('--exit-code', 'exit 1 when there are changes, 0 when there are none');
  cmd.action(async (name: string, rest: string[], opts: { exitCode?: boolean }, c: Command) => {
    const stack = stackByName(name);
    if (!stack) throw new VhError(`${a.name}: unknown stack ${JSON.stringify(name)}; expected ${stackNamesText(', ')}`, ExitCode.badInput);
    const globalArgs = c.parent ? reconstructGlobals(c.parent) : [];
    const flags = opts.exitCode ? [...a.flags, '--diff-exit-code'] : a.flags;
    await buildProgram(io).parseAsync([...globalArgs, stack.command.name, ...flags, ...rest], { from: 'user' });
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
