// The result of history (src/actions/history.ts) as a table or the one JSON document.
import { lockStatus, type HistoryResult, type LockStatus } from '../../actions/history.js';
import { ago, type LeaseSpec } from '../../k8s/lease.js';
import type { Revision } from '../../k8s/revisions.js';
import { table } from '../format.js';
import { chalk, type Ui } from '../output.js';
import { whereText, type Where } from './common.js';

/** A revision in the list: what it did and how it ended (its values and manifests: `--revision N`). */
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
    ...(r.kind && { kind: r.kind }),
  };
}

const colourStatus = (s: string) =>
  s === 'deployed' ? chalk.green(s) : s === 'failed' ? chalk.red(s) : s === 'rolled-back' ? chalk.yellow(s) : s === 'pending' ? chalk.cyan(s) : s;

/** The lock in one line. Pure. */
export function lockLine(l: LockStatus): string {
  const renewedAgoMs = l.renewedSecondsAgo !== undefined ? l.renewedSecondsAgo * 1000 : Infinity;
  if (l.state === 'held') return `Lease ${l.lease}: locked by ${l.holder} (renewed ${ago(renewedAgoMs)}); an operation is running`;
  const why = l.staleReason === 'dead' ? 'that process no longer exists' : l.renewedSecondsAgo === undefined ? 'never renewed it' : `stopped renewing ${ago(renewedAgoMs)}`;
  return `Lease ${l.lease}: stale lock (${l.holder}${l.staleReason === 'dead' ? ': ' : ' '}${why}; the next operation takes it over)`;
}

/** The lock as JSON and as one line; undefined when nobody holds it. */
export function describeLock(spec: LeaseSpec | undefined, lease: string, now = Date.now()): { doc: LockStatus; line: string } | undefined {
  const doc = lockStatus(spec, lease, now);
  return doc && { doc, line: lockLine(doc) };
}

export function printHistory(ui: Ui, r: HistoryResult, where: Where): void {
  if (r.kind === 'revision') {
    const rev = r.revision;
    if (!rev) return;
    if (ui.json) return ui.document({ ...rev, context: where.context });
    ui.out(`revision ${rev.revision} of ${rev.stack}: ${whereText(where)}`);
    ui.out(`${rev.status} (${rev.description}, ${rev.time})`);
    if (rev.error) ui.out(`error: ${rev.error}`);
    ui.out(`values (secrets are never recorded):\n${JSON.stringify(rev.values, null, 2)}`);
    ui.out(`manifests: ${rev.manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
    return;
  }
  const { lock } = r;
  if (ui.json) {
    ui.document({ stack: r.stack, namespace: r.namespace, context: where.context, current: r.current, ...(lock?.state === 'held' && { lockedBy: lock.holder }), ...(lock && { lock }), revisions: r.revisions.map(summary) });
    return;
  }
  ui.out(`history of ${r.stack}: ${whereText(where)}`);
  if (r.revisions.length === 0) {
    ui.out(`no revision of ${r.stack} is recorded here yet`);
    if (lock) ui.out(lockLine(lock));
    return;
  }
  const rows = r.revisions.map((x) => [
    String(x.revision),
    x.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    colourStatus(x.status),
    x.command,
    x.version ?? '',
    `${x.description}${x.error ? `: ${x.error}` : ''}`,
  ]);
  // DESCRIPTION gives way first, then COMMAND and VERSION: one line per revision at any width.
  for (const l of table(['REVISION', 'TIME', 'STATUS', 'COMMAND', 'VERSION', 'DESCRIPTION'], rows, { width: ui.width, shrink: [5, 3, 4] })) ui.out(l);
  if (lock) ui.out(lockLine(lock));
}
