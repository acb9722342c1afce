// Gathers a command's inputs: global options and the stack's fields, validated,
// prompted for when allowed, before anything talks to a cluster.
import type { Command } from 'commander';
import { GLOBAL_FIELDS, type Field } from '../config/fields.js';
import { loadConfigFile } from '../config/configfile.js';
import { canPrompt, inquirerPrompter, type Prompter } from '../config/prompts.js';
import { resolveInputs, type RecordedValues, type Resolved } from '../config/resolve.js';
import { withSources } from '../config/sources.js';
import * as v from '../config/validators.js';
import { InputError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';
import { readLayers } from './options.js';
import { withSettingsFlags } from './settings-flags.js';
import type { WorkloadDecl } from '../manifests/overlay.js';

export interface Globals {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  yes: boolean;
  nonInteractive: boolean;
  output: 'text' | 'json' | 'wide';
  timeoutMs: number;
  verbose: boolean;
  showSecrets: boolean;
  forceConflicts: boolean;
  dryRun: 'none' | 'client' | 'server';
  /** Show what would change against the live cluster, then stop (`vh-deploy diff`). */
  diff: boolean;
  /** The stack lock: --force-unlock, --lock-wait. */
  lock: { forceUnlock: boolean; waitMs: number };
  /** --no-wait: apply in order and return without waiting for readiness (Helm's default). */
  wait: boolean;
}

export interface CommandInputs {
  globals: Globals;
  values: Record<string, unknown>;
  sources: Resolved['sources'];
  /** Where each global option came from (the namespace's origin is said in summaries and hints). */
  globalSources: Resolved['sources'];
  /** The revision whose recorded values filled what the user did not give. */
  recordedFrom?: number;
  /** Present when prompts are allowed (TTY, not CI, no --yes). */
  prompter?: Prompter;
}

export interface InputOptions {
  fields: Field[];
  required?: (values: Record<string, unknown>, interactive: boolean) => string[];
  check?: (values: Record<string, unknown>) => string[];
  /** Injected in tests; the default loads inquirer lazily. */
  prompter?: Prompter;
  /** The stack's recorded values to start from (read from the cluster), given the globals and what the user gave. */
  recorded?: (globals: Globals, given: Record<string, unknown>) => Promise<RecordedValues | undefined>;
  /** The stack's workloads: --set, --set-string and --patch feed its settings (docs/customising.md). */
  settings?: { workloads: readonly WorkloadDecl[]; stackName: string };
}

function dryRunMode(cmd: Command, config: Record<string, unknown>): Globals['dryRun'] {
  const raw = cmd.optsWithGlobals().dryRun ?? config.dryRun;
  if (raw === undefined || raw === false) return 'none';
  if (raw === true) return 'client';
  const parsed = v.oneOf(['client', 'server', 'none']).safeParse(raw);
  if (!parsed.success) throw new InputError(`--dry-run: expected client, server or none; got ${JSON.stringify(String(raw))}`);
  return parsed.data;
}

/** The --config file's values ({} without one). */
export function readConfig(cmd: Command): Record<string, unknown> {
  const configPath = cmd.optsWithGlobals().config as string | undefined;
  return configPath ? loadConfigFile(configPath) : {};
}

export async function collectInputs(cmd: Command, o: InputOptions): Promise<CommandInputs> {
  const config = readConfig(cmd);
  const globalsResolved = await resolveInputs({ fields: GLOBAL_FIELDS, layers: readLayers(cmd, GLOBAL_FIELDS, config), required: () => [] });
  const g = globalsResolved.values;
  const globals: Globals = {
    kubeconfig: g.kubeconfig as string | undefined,
    context: g.context as string | undefined,
    namespace: g.namespace as string | undefined,
    yes: Boolean(g.yes),
    nonInteractive: Boolean(g.nonInteractive),
    output: g.output as Globals['output'],
    timeoutMs: g.timeout as number,
    verbose: Boolean(g.verbose),
    showSecrets: Boolean(g.showSecrets),
    forceConflicts: Boolean(g.forceConflicts),
    lock: { forceUnlock: Boolean(g.forceUnlock), waitMs: g.lockWait as number },
    dryRun: dryRunMode(cmd, config),
    diff: Boolean(cmd.optsWithGlobals().diff),
    wait: cmd.optsWithGlobals().wait !== false,
  };
  const interactive = canPrompt(globals);
  const prompter = interactive ? (o.prompter ?? (await inquirerPrompter())) : undefined;
  const resolved = await resolveInputs({
    fields: o.fields,
    layers: o.settings ? withSettingsFlags(cmd, readLayers(cmd, o.fields, config), o.settings.workloads, o.settings.stackName) : readLayers(cmd, o.fields, config),
    required: (values) => (o.required ? o.required(values, interactive) : []),
    ...(prompter ? { prompter } : {}),
    ...(o.recorded && { recorded: (given: Record<string, unknown>) => o.recorded!(globals, given) }),
  });
  for (const f of o.fields) if (f.secret) registerSecret(resolved.values[f.key]);
  // A check's message says where a value it names came from when that was not a flag.
  const errors = o.check ? o.check(resolved.values).map((l) => withSources(l, resolved.sources, resolved.recordedFrom)) : [];
  if (errors.length) throw new InputError(errors.join('\n'));
  return {
    globals,
    values: resolved.values,
    sources: resolved.sources,
    globalSources: globalsResolved.sources,
    ...(resolved.recordedFrom !== undefined && { recordedFrom: resolved.recordedFrom }),
    ...(prompter ? { prompter } : {}),
  };
}
