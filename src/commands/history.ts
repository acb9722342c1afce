// `vh-deploy history STACK`: the recorded revisions, newest last (like `helm history`),
// as a table or one JSON document. `--revision N` prints one record in full: its
// non-secret values and its manifests (Secret data is never recorded). The stack's lock
// is shown as what it means now: held by a running operation, or stale (expired or its
// process gone) and taken over by the next one; also when no revision is recorded yet.
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { ago, leaseState, localProcessAlive, readLease, type LeaseSpec } from '../k8s/lease.js';
import { currentRevision, listRevisions, sortRevisions, type Revision } from '../k8s/revisions.js';
import { resolveStackOps } from '../stacks/day2.js';
import { chalk } from '../ui/output.js';
import { day2Inputs, notDeployed, openCluster, table } from './day2-support.js';
import { leaseName } from '../actions/lifecycle.js';

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

/** The lock as JSON and as one line; undefined when nobody holds it. */
export function describeLock(spec: LeaseSpec | undefined, lease: string, now = Date.now()): { doc: Record<string, unknown>; line: string } | undefined {
  if (!spec) return undefined;
  const st = leaseState(spec, '', now, localProcessAlive);
  if (st.kind !== 'held' && st.kind !== 'stale') return undefined;
  const renewed = Number.isFinite(st.renewedAgoMs) ? Math.round(st.renewedAgoMs / 1000) : undefined;
  const doc = { lease, holder: st.holder, state: st.kind, ...(spec.renewTime && { renewTime: spec.renewTime }), ...(renewed !== undefined && { renewedSecondsAgo: renewed }) };
  if (st.kind === 'held') {
    return { doc: { ...doc, expiresInSeconds: Math.ceil(st.expiresInMs / 1000) }, line: `Lease ${lease}: locked by ${st.holder} (renewed ${ago(st.renewedAgoMs)}); an operation is running` };
  }
  const why = st.reason === 'dead' ? 'that process no longer exists' : renewed === undefined ? 'never renewed it' : `stopped renewing ${ago(st.renewedAgoMs)}`;
  return { doc: { ...doc, staleReason: st.reason }, line: `Lease ${lease}: stale lock (${st.holder}${st.reason === 'dead' ? ': ' : ' '}${why}; the next operation takes it over)` };
}

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
    const [revs, lease] = await Promise.all([
      listRevisions(cluster, namespace, ops.stack.name).then((r) => sortRevisions(r).reverse()),
      readLease(cluster, namespace, leaseName(ops.stack.name)).catch(() => undefined),
    ]);
    const lock = describeLock(lease, leaseName(ops.stack.name));
    const { ui } = ctx;
    // A lock without a revision: a first deploy is running (or died before it recorded one).
    if (revs.length === 0 && (!lock || only !== undefined)) throw notDeployed(ops.stack.name, namespace, ops.deployCommand);
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
    const current = currentRevision(revs)?.revision;
    if (ui.json) {
      ui.document({ stack: ops.stack.name, namespace, current, ...(lock?.doc.state === 'held' && { lockedBy: lock.doc.holder }), ...(lock && { lock: lock.doc }), revisions: revs.map(summary) });
      return;
    }
    if (revs.length === 0) {
      ui.out(`no revision of ${ops.stack.name} is recorded in namespace ${namespace} yet`);
      ui.out(lock!.line);
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
    if (lock) ui.out(lock.line);
  } finally {
    cluster.close();
  }
}
