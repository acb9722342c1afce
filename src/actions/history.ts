// The history action (`vh-deploy history STACK`): the recorded revisions, newest last
// (like `helm history`), or one record in full; and the stack's lock as what it means
// now: held by a running operation, or stale (expired or its process gone) and taken
// over by the next one — also when no revision is recorded yet. The printer
// (src/ui/printers/history.ts) says it.
import { leaseState, localProcessAlive, readLease, type LeaseSpec } from '../k8s/lease.js';
import { currentRevision, listRevisions, sortRevisions, type Revision } from '../k8s/revisions.js';
import type { StackOps } from '../stacks/day2.js';
import { notDeployed } from './errors.js';
import { leaseName } from './lifecycle.js';
import type { ActionContext } from './types.js';

export interface HistoryInput {
  ops: StackOps;
  /** One revision in full instead of the list. */
  revision?: number | undefined;
}

/** The stack's lock when someone holds it (live) or held it (stale). Also its JSON form. */
export interface LockStatus {
  lease: string;
  holder: string;
  state: 'held' | 'stale';
  renewTime?: string;
  renewedSecondsAgo?: number;
  /** held: when it expires unless renewed. */
  expiresInSeconds?: number;
  /** stale: its holder's process is gone (on this host), or it stopped renewing. */
  staleReason?: 'dead' | 'expired';
}

export type HistoryResult =
  /** `revision` is undefined when that number is not in the history; `kept` lists those that are. */
  | { kind: 'revision'; stack: string; number: number; revision: Revision | undefined; kept: number[] }
  | { kind: 'list'; stack: string; namespace: string; current: number | undefined; lock: LockStatus | undefined; revisions: Revision[] };

/** The Lease as what it means now; undefined when nobody holds it. Pure but for the local process check. */
export function lockStatus(spec: LeaseSpec | undefined, lease: string, now = Date.now()): LockStatus | undefined {
  if (!spec) return undefined;
  const st = leaseState(spec, '', now, localProcessAlive);
  if (st.kind !== 'held' && st.kind !== 'stale') return undefined;
  const renewed = Number.isFinite(st.renewedAgoMs) ? Math.round(st.renewedAgoMs / 1000) : undefined;
  const common = { lease, holder: st.holder, state: st.kind, ...(spec.renewTime && { renewTime: spec.renewTime }), ...(renewed !== undefined && { renewedSecondsAgo: renewed }) };
  return st.kind === 'held' ? { ...common, expiresInSeconds: Math.ceil(st.expiresInMs / 1000) } : { ...common, staleReason: st.reason };
}

export async function historyAction(input: HistoryInput, ctx: Pick<ActionContext, 'cluster' | 'namespace'>): Promise<HistoryResult> {
  const { cluster, namespace } = ctx;
  const { stack } = input.ops;
  const [revisions, lease] = await Promise.all([
    listRevisions(cluster, namespace, stack.name).then((r) => sortRevisions(r).reverse()),
    readLease(cluster, namespace, leaseName(stack.name)).catch(() => undefined),
  ]);
  const lock = lockStatus(lease, leaseName(stack.name));
  // A lock without a revision: a first deploy is running (or died before it recorded one).
  if (revisions.length === 0 && (!lock || input.revision !== undefined)) throw notDeployed(stack.name, namespace, input.ops.deployCommand);
  if (input.revision !== undefined) {
    return { kind: 'revision', stack: stack.name, number: input.revision, revision: revisions.find((r) => r.revision === input.revision), kept: revisions.map((r) => r.revision) };
  }
  return { kind: 'list', stack: stack.name, namespace, current: currentRevision(revisions)?.revision, lock, revisions };
}
