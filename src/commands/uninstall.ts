// `vh-deploy uninstall STACK [--delete-data]`: parse, run the uninstall action
// (src/actions/uninstall.ts), print its result (src/ui/printers/uninstall.ts).
import type { Command } from 'commander';
import { uninstallAction } from '../actions/uninstall.js';
import { InputError } from '../errors.js';
import { resolveStackOps } from '../stacks/day2.js';
import { showEvents } from '../ui/printers/events.js';
import { printUninstall } from '../ui/printers/uninstall.js';
import { day2Inputs, durationMs, openCluster, targetFor } from './day2-support.js';

export async function runUninstall(cmd: Command, stackName: string, opts: { deleteData?: boolean }): Promise<void> {
  const ctx = await day2Inputs(cmd);
  const { globals, prompter } = ctx.inputs;
  const ops = resolveStackOps(stackName);
  const preview = globals.dryRun !== 'none' || globals.diff;
  const deleteData = opts.deleteData === true;
  // Before any API call: deleting data for good is confirmed on a terminal, or with --yes.
  if (deleteData && !preview && !prompter && !globals.yes) {
    throw new InputError('--delete-data: deleting volume claims and generated Secrets must be confirmed: run it on a terminal (you type the namespace), or pass --yes');
  }
  const cluster = await openCluster(ctx);
  const target = targetFor(ctx, cluster, ops.stack.defaultNamespace);
  const events = await showEvents(ctx.ui);
  try {
    const result = await uninstallAction(
      {
        ops,
        deleteData,
        preview,
        timeoutMs: globals.timeoutMs,
        ...(prompter && {
          confirmDeleteData: async (ns: string) => {
            const typed = await prompter.input({ message: `This deletes ${ops.stack.name} and its data (volume claims, generated secrets) for good, in namespace ${ns}, context ${cluster.contextName}. Type the namespace to confirm:` });
            return typed.trim() === ns;
          },
        }),
      },
      {
        cluster,
        namespace: target.namespace,
        namespaceNote: target.note,
        events,
        lock: globals.lock,
        ...(prompter && { confirm: (message: string) => prompter.confirm({ message, default: false }) }),
      },
    );
    events.stop();
    printUninstall(ctx.ui, result, durationMs(ctx));
  } finally {
    events.stop();
    cluster.close();
  }
}
