// Shared by verify, scale, upgrade, rollback and history: inputs → cluster, where it
// works (namespace and context) and the elapsed time.
import type { Command } from 'commander';
import { connect, type Cluster } from '../k8s/client.js';
import type { Field } from '../config/fields.js';
import { durationMs as elapsedMs } from '../ui/format.js';
import { createUi, type Ui } from '../ui/output.js';
import { collectInputs, type CommandInputs } from './inputs.js';
import { rememberTarget, targetOf, type Target } from './target.js';

export interface Day2Context {
  inputs: CommandInputs;
  ui: Ui;
  started: number;
  cmd: Command;
}

export async function day2Inputs(cmd: Command, fields: Field[] = []): Promise<Day2Context> {
  const inputs = await collectInputs(cmd, { fields });
  const ui = createUi({ json: inputs.globals.output === 'json', wide: inputs.globals.output === 'wide', verbose: inputs.globals.verbose });
  return { inputs, ui, started: performance.now(), cmd };
}

export async function openCluster(ctx: Day2Context): Promise<Cluster> {
  const g = ctx.inputs.globals;
  const cluster = await connect({ ...(g.kubeconfig && { kubeconfig: g.kubeconfig }), ...(g.context && { context: g.context }), ...(g.namespace && { namespace: g.namespace }) });
  if (cluster.insecureSkipTlsVerify) ctx.ui.warn(`the kubeconfig disables TLS verification for ${cluster.server}`);
  return cluster;
}

/** Where the command works (namespace, context, how chosen); its errors' hints then carry -n/--context. */
export function targetFor(ctx: Day2Context, cluster: Cluster, stackDefault: string): Target {
  const t = targetOf(ctx.inputs, cluster, stackDefault);
  rememberTarget(ctx.cmd, t.flags);
  return t;
}

/** The command's elapsed time, for printers that report it from the command's start. */
export const durationMs = (ctx: Day2Context): number => elapsedMs(ctx.started);
