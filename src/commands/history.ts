// `vh-deploy history STACK [--revision N]`: parse, run the history action
// (src/actions/history.ts), print the list or one record (src/ui/printers/history.ts).
import type { Command } from 'commander';
import { historyAction } from '../actions/history.js';
import { InputError } from '../errors.js';
import { resolveStackOps } from '../stacks/day2.js';
import { printHistory } from '../ui/printers/history.js';
import { day2Inputs, openCluster, targetFor } from './day2-support.js';

export async function runHistory(cmd: Command, stackName: string, opts: { revision?: string }): Promise<void> {
  const ctx = await day2Inputs(cmd);
  const ops = resolveStackOps(stackName);
  let only: number | undefined;
  if (opts.revision !== undefined) {
    only = Number(opts.revision);
    if (!Number.isInteger(only) || only < 1) throw new InputError(`--revision: expected a revision number (1, 2, …); got ${JSON.stringify(opts.revision)}`);
  }
  const cluster = await openCluster(ctx);
  try {
    const target = targetFor(ctx, cluster, ops.stack.defaultNamespace);
    const result = await historyAction({ ops, revision: only }, { cluster, namespace: target.namespace });
    if (result.kind === 'revision' && !result.revision) {
      throw new InputError(`--revision: ${result.number} is not in the history of ${result.stack} (kept: ${result.kept.join(', ')})`);
    }
    printHistory(ctx.ui, result, target);
  } finally {
    cluster.close();
  }
}
