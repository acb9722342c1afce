// `vh-deploy rollback STACK [--to-revision N]`: parse, run the rollback action
// (src/actions/rollback.ts), print its result (src/ui/printers/rollback.ts).
import type { Command } from 'commander';
import { rollbackAction } from '../actions/rollback.js';
import { InputError } from '../errors.js';
import { resolveStackOps } from '../stacks/day2.js';
import { showEvents } from '../ui/printers/events.js';
import { printRollback } from '../ui/printers/rollback.js';
import { day2Inputs, durationMs, openCluster, targetFor } from './day2-support.js';

function parseRevisionNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--to-revision: expected a revision number (1, 2, …); got ${JSON.stringify(raw)}`);
  return n;
}

export async function runRollback(cmd: Command, stackName: string, opts: { toRevision?: string }): Promise<void> {
  const ctx = await day2Inputs(cmd);
  const { globals, prompter } = ctx.inputs;
  const ops = resolveStackOps(stackName);
  const toRevision = parseRevisionNumber(opts.toRevision);
  const cluster = await openCluster(ctx);
  const target = targetFor(ctx, cluster, ops.stack.defaultNamespace);
  const events = await showEvents(ctx.ui, { timeoutMs: ctx.inputs.globals.timeoutMs });
  try {
    const result = await rollbackAction(
      { ops, toRevision, preview: globals.dryRun !== 'none' || globals.diff, timeoutMs: globals.timeoutMs, forceConflicts: globals.forceConflicts },
      {
        cluster,
        namespace: target.namespace,
        namespaceNote: target.note,
        events,
        lock: globals.lock,
        ...(prompter && !globals.yes && { confirm: (message: string) => prompter.confirm({ message, default: true }) }),
      },
    );
    events.stop();
    printRollback(ctx.ui, result, durationMs(ctx), target);
  } finally {
    events.stop();
    cluster.close();
  }
}
