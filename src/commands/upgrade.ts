// `vh-deploy upgrade posthog --posthog-version TAG` / `upgrade model-router --image-tag TAG |
// --image REF`: parse and check the request, run the upgrade action
// (src/actions/upgrade.ts), print its result (src/ui/printers/upgrade.ts). A failed
// upgrade that was rolled back is reported, then exits 4.
import type { Command } from 'commander';
import { upgradeAction } from '../actions/upgrade.js';
import { InputError, ReportedError } from '../errors.js';
import { resolveStackOps, type UpgradeRequest } from '../stacks/day2.js';
import { showEvents } from '../ui/printers/events.js';
import { printUpgrade } from '../ui/printers/upgrade.js';
import { day2Inputs, durationMs, openCluster, targetFor } from './day2-support.js';

export async function runUpgrade(cmd: Command, stackName: string, opts: { posthogVersion?: string; imageTag?: string; image?: string; rollbackOnFailure?: boolean; allowUntestedVersions?: boolean }): Promise<void> {
  const ctx = await day2Inputs(cmd);
  const { globals, prompter } = ctx.inputs;
  const ops = resolveStackOps(stackName);
  if (!ops.upgrade) throw new InputError(`upgrade: ${ops.stack.name} has no version to upgrade; re-run \`vh-deploy ${ops.deployCommand}\` to change it`);
  const request: UpgradeRequest = { version: opts.posthogVersion, imageTag: opts.imageTag, image: opts.image, allowUntestedVersions: opts.allowUntestedVersions === true };
  ops.upgrade.check(request);
  const ask = Boolean(prompter && !globals.yes);
  const cluster = await openCluster(ctx);
  const target = targetFor(ctx, cluster, ops.stack.defaultNamespace);
  const events = await showEvents(ctx.ui, { timeoutMs: ctx.inputs.globals.timeoutMs });
  try {
    const result = await upgradeAction(
      {
        ops,
        request,
        rollbackOnFailure: opts.rollbackOnFailure !== false,
        preview: globals.dryRun !== 'none' || globals.diff,
        showChanges: ask || globals.verbose,
        timeoutMs: globals.timeoutMs,
        forceConflicts: globals.forceConflicts,
      },
      {
        cluster,
        namespace: target.namespace,
        namespaceNote: target.note,
        events,
        lock: globals.lock,
        ...(ask && prompter && { confirm: (message: string) => prompter.confirm({ message, default: true }) }),
      },
    );
    events.stop();
    printUpgrade(ctx.ui, result, durationMs(ctx), target);
    if (!result.ok) throw new ReportedError(result.error, result.exitCode, `fix the cause, then upgrade again; \`vh-deploy history ${ops.stack.name}\` shows both revisions`);
  } finally {
    events.stop();
    cluster.close();
  }
}
