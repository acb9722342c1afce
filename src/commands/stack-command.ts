// The deploy commands of the registry's stacks (`cloud`, `self-hosted`, `model-router`):
// inputs → the deploy action → its printer.
import type { Command } from 'commander';
import type { Stack } from '../stacks/stack.js';
import { createUi } from '../ui/output.js';
import { inCliTermsAction } from './engine-errors.js';
import { addFieldOptions } from './options.js';
import { addSettingsOptions } from './settings-options.js';
import { printRendered } from './render-output.js';
import { rememberTarget, targetOf } from './target.js';
import { ExitCode, ExitStatus, ReportedError } from '../errors.js';

/** The stack's deploy command (`cloud`, `self-hosted`, `model-router`), from its registry entry. */
export function registerStackCommand(program: Command, stack: Stack): Command {
  const cmd = program.command(stack.command.name).description(stack.command.summary);
  addFieldOptions(cmd, stack.fields);
  if (stack.workloads) addSettingsOptions(cmd);
  cmd.addHelpText('after', `\nExamples:\n${stack.command.examples.map((e) => `  $ ${e}`).join('\n')}\n\nNamespace: ${stack.defaultNamespace} unless -n, VH_DEPLOY_NAMESPACE, the config file or the\nkubeconfig context's namespace says otherwise (docs/day2.md, "Which namespace").\n`);
  cmd.action(
    inCliTermsAction(async (_opts, c: Command) => {
      await runStackCommand(c, stack);
    }),
  );
  return cmd;
}

export async function runStackCommand(cmd: Command, stack: Stack): Promise<void> {
  // Loaded here, not at start-up: input checks pull in zod, which `--help` never needs.
  const { collectInputs } = await import('./inputs.js');
  const { recordedValuesReader } = await import('../actions/recorded-values.js');
  const recorded = recordedValuesReader(stack, (cluster, g) => targetOf({ globals: g, globalSources: {} }, cluster, stack.defaultNamespace).namespace);
  const inputs = await collectInputs(cmd, { fields: stack.fields, required: stack.required, check: stack.check, recorded: recorded.read, ...(stack.workloads && { settings: { workloads: stack.workloads, stackName: stack.command.name } }) }).catch(async (e: unknown) => {
    await recorded.close();
    throw e;
  });
  const { globals } = inputs;
  const ui = createUi({ json: globals.output === 'json', wide: globals.output === 'wide', verbose: globals.verbose });

  if (globals.dryRun === 'client') {
    // A client dry run contacts no cluster and reads no kubeconfig (docs/day2.md, "Which
    // namespace"), except with --show-secrets: then the generated secrets deployed are shown.
    const namespace = globals.namespace ?? stack.defaultNamespace;
    await printRendered({ stack, values: inputs.values, namespace, json: ui.json, showSecrets: globals.showSecrets, cluster: () => recorded.cluster(), stdoutIsTty: process.stdout.isTTY === true }, ui);
    return;
  }
  const cluster = await recorded.cluster();
  const target = targetOf(inputs, cluster, stack.defaultNamespace);
  rememberTarget(cmd, target.flags);
  const [{ deployAction }, { printDeploy }, { showEvents }] = await Promise.all([import('../actions/deploy.js'), import('../ui/printers/deploy.js'), import('../ui/printers/events.js')]);
  const events = await showEvents(ui, { timeoutMs: globals.wait ? globals.timeoutMs : undefined });
  const { prompter } = inputs;
  const ask = prompter && !globals.yes;
  try {
    const result = await deployAction(
      {
        stack,
        values: inputs.values,
        sources: inputs.sources,
        recordedFrom: inputs.recordedFrom,
        recordedUnread: recorded.failure(),
        legacy: recorded.legacy(),
        mode: globals.diff ? 'diff' : globals.dryRun === 'server' ? 'server' : 'apply',
        wait: globals.wait,
        timeoutMs: globals.timeoutMs,
        forceConflicts: globals.forceConflicts,
        showChanges: Boolean(ask) || globals.verbose,
      },
      {
        cluster,
        namespace: target.namespace,
        namespaceNote: target.note,
        events,
        lock: globals.lock,
        ...(ask && { confirm: (message: string) => prompter.confirm({ message, default: true }) }),
      },
    );
    events.stop();
    printDeploy(ui, result, inputs, target);
    // `diff --exit-code`: the answer is the exit code (1: there are changes), as git diff's.
    if (result.mode === 'diff' && cmd.optsWithGlobals().diffExitCode === true && result.changes.length > 0) throw new ExitStatus(ExitCode.failed);
    if (result.mode === 'apply' && !result.ok) {
      throw new ReportedError(result.error ?? `${stack.name} is unhealthy`, ExitCode.failed, `check the pods' logs; re-run \`vh-deploy verify ${stack.name}\` once fixed`);
    }
  } finally {
    events.stop();
    cluster.close();
  }
}
