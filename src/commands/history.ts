// `vh-deploy history STACK`: the recorded revisions, newest last (like `helm history`),
// as a table or one JSON document. `--revision N` prints one record in full: its
// non-secret values and its manifests (Secret data is never recorded).
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { readLease } from '../k8s/lease.js';
import { currentRevision, listRevisions, sortRevisions, type Revision } from '../k8s/revisions.js';
import { resolveStackOps } from '../stacks/day2.js';
import { chalk } from '../ui/output.js';
import { day2Inputs, notDeployed, openCluster, table } from './day2-support.js';
import { leaseName } from './operation.js';

export function summary(r: Revision) {
  return {
    revision: r.revision,
    status: r.status,
    time: r.time,
    updated: r.updated,
    command: r.command,
    description: r.description,
    ...(r.version !== undefined && { version: r.version }),
    images: r.images,
    vhDeployVersion: r.vhDeployVersion,
    ...(r.error !== undefined && { error: r.error }),
    ...(r.rollbackTo !== undefined && { rollbackTo: r.rollbackTo }),
  };
}

const colourStatus = (s: string) =>
  s === 'deployed' ? chalk.green(s) : s === 'failed' ? chalk.red(s) : s === 'rolled-back' ? chalk.yellow(s) : s === 'pending' ? chalk.cyan(s) : s;

export async function runHistory(cmd: Command, stackName: string, opts: { revision?: string }): Promise<void> {
  const ctx = await day2Inputs(cmd);
  const ops = resolveStackOps(stackName);
  let only: number | undefined;
  if (opts.revision !== undefined) {
    only = Number(opts.revision);
    if (!Number.isInteger(only) || only < 1) throw new InputError(`--revision: expected a revision number (1, 2, …); got ${JSON.stringify(opts.revision)}`);
  }
  const namespace = ctx.inputs.globals.namespace ?? ops.stack.defaultNamespace;
  const cluster = await openCluster(ctx);
  try {
    const revs = sortRevisions(await listRevisions(cluster, namespace, ops.stack.name)).reverse();
    if (revs.length === 0) throw notDeployed(ops.stack.name, namespace, ops.deployCommand);
    const { ui } = ctx;
    if (only !== undefined) {
      const r = revs.find((x) => x.revision === only);
      if (!r) throw new InputError(`--revision: ${only} is not in the history of ${ops.stack.name} (kept: ${revs.map((x) => x.revision).join(', ')})`);
      if (ui.json) ui.document(r);
      else {
        ui.out(`revision ${r.revision} of ${r.stack} in ${r.namespace}: ${r.status} (${r.description}, ${r.time})`);
        if (r.error) ui.out(`error: ${r.error}`);
        ui.out(`values (secrets are never recorded):\n${JSON.stringify(r.values, null, 2)}`);
        ui.out(`manifests: ${r.manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
      }
      return;
    }
    const lease = await readLease(cluster, namespace, leaseName(ops.stack.name)).catch(() => undefined);
    const current = currentRevision(revs)?.revision;
    if (ui.json) {
      ui.document({ stack: ops.stack.name, namespace, current, ...(lease?.holderIdentity && { lockedBy: lease.holderIdentity }), revisions: revs.map(summary) });
      return;
    }
    const rows = revs.map((r) => [
      String(r.revision),
      r.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      colourStatus(r.status),
      r.command,
      r.version ?? '',
      `${r.description}${r.error ? `: ${r.error}` : ''}`,
    ]);
    for (const l of table(['REVISION', 'TIME', 'STATUS', 'COMMAND', 'VERSION', 'DESCRIPTION'], rows)) ui.out(l);
    if (lease?.holderIdentity) ui.note(`locked by ${lease.holderIdentity} (Lease ${leaseName(ops.stack.name)})`);
  } finally {
    cluster.close();
  }
}
