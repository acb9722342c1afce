// Shared by verify, scale, upgrade, rollback and history: inputs → cluster, stack
// lookup, the error that carries an already-printed JSON document, and tables.
import type { Command } from 'commander';
import { OperationError, VhError, type ExitCodeValue } from '../errors.js';
import { connect, type Cluster } from '../k8s/client.js';
import type { Field } from '../config/fields.js';
import { createUi, type Ui } from '../ui/output.js';
import { collectInputs, type CommandInputs } from './inputs.js';

export interface Day2Context {
  inputs: CommandInputs;
  ui: Ui;
  started: number;
}

export async function day2Inputs(cmd: Command, fields: Field[] = []): Promise<Day2Context> {
  const inputs = await collectInputs(cmd, { fields });
  const ui = createUi({ json: inputs.globals.output === 'json', verbose: inputs.globals.verbose });
  return { inputs, ui, started: performance.now() };
}

export async function openCluster(ctx: Day2Context): Promise<Cluster> {
  const g = ctx.inputs.globals;
  const cluster = await connect({ ...(g.kubeconfig && { kubeconfig: g.kubeconfig }), ...(g.context && { context: g.context }), ...(g.namespace && { namespace: g.namespace }) });
  if (cluster.insecureSkipTlsVerify) ctx.ui.warn(`the kubeconfig disables TLS verification for ${cluster.server}`);
  return cluster;
}

/**
 * A failure whose report (the JSON document with `--output json`) was already
 * printed: the entry point prints only the error line, so stdout stays one document.
 */
export class ReportedError extends VhError {
  readonly reported = true;
  constructor(message: string, exitCode: ExitCodeValue, hint?: string) {
    super(message, exitCode, hint);
  }
}

export const reportedFailure = (message: string, hint?: string) => new ReportedError(message, 1, hint);

/** Fixed-width text table (no colour codes in widths: marks are added after padding). */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(widths[i]! - visibleLength(c), 0))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

// eslint-disable-next-line no-control-regex
const visibleLength = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;

export function durationMs(ctx: Day2Context): number {
  return Math.round(performance.now() - ctx.started);
}

export function notDeployed(stack: string, namespace: string, command: string): OperationError {
  return new OperationError(`no revision of ${stack} is recorded in namespace ${namespace}`, `deploy it first with \`vh-deploy ${command}\`, or pass the namespace it runs in with -n`);
}
