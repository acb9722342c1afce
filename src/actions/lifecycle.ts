// What every mutating command (cloud, self-hosted, model-router, scale, upgrade,
// rollback) does around its writes (docs/architecture.md rule 7): hold the stack's Lease for the
// whole operation, abort cleanly on Ctrl-C or when the lock is lost, and record a
// revision — `pending` first, then deployed or failed.
import { setMaxListeners } from 'node:events';
import { ExitCode, VhError } from '../errors.js';
import { applyObject, type ApplyResult } from '../k8s/apply.js';
import type { Cluster } from '../k8s/client.js';
import { acquireLease, ago, type HeldLease, type TakeOver } from '../k8s/lease.js';
import { assertPreflight, preflight, type OtherAccess } from '../k8s/preflight.js';
import { beginRevision, failPendingRevisions, finishRevision, imagesOf, listRevisions, markRevision, nonSecretValues, stripSecretData, type Revision } from '../k8s/revisions.js';
import { objectRef, type KubeObject } from '../k8s/types.js';
import { secretKeys } from '../stacks/day2.js';
import type { Stack } from '../stacks/stack.js';
import { redact } from '../ui/redact.js';
import type { ActionEvents } from './types.js';

/** Where the frame reports lock waits, take-overs and record failures. */
type Ui = Pick<ActionEvents, 'note' | 'warn'>;
import { VERSION } from '../version.js';

/** The stack lock settings (global fields --force-unlock and --lock-wait). */
export interface LockSettings {
  forceUnlock: boolean;
  waitMs: number;
}

export const leaseName = (stack: string) => `vh-deploy-lock-${stack}`;

export interface StackOperation {
  /** Aborted on Ctrl-C or when the lock is lost; pass it to deploy() and waits. */
  signal: AbortSignal;
  /** Another operation held the lock and we waited: re-read what it may have changed. */
  waited: boolean;
  lease: HeldLease;
  /** The namespace this operation created to hold its Lease (a first deploy). */
  namespaceCreated?: ApplyResult;
}

async function namespaceExists(cluster: Cluster, ns: string): Promise<boolean> {
  const r = await cluster.requestOk('GET', `/api/v1/namespaces/${encodeURIComponent(ns)}`, { okStatuses: [404] });
  return r.status !== 404;
}

/**
 * Runs `fn` holding the stack's Lease. A first deploy creates its namespace first (the
 * Lease lives there), applying the plan's own Namespace object. The lease is released
 * on success, failure and Ctrl-C. `knownLive` (from the plan's dry run) says whether
 * the namespace exists without asking again.
 */
export async function withStackLock<T>(
  o: {
    cluster: Cluster;
    stack: string;
    namespace: string;
    ui: Ui;
    settings: LockSettings;
    namespaceObject?: KubeObject | undefined;
    knownLive?: ReadonlyMap<string, string> | undefined;
    /** The stack the operation is about, when this lock is another stack's (withStackLocks). */
    operation?: string;
  },
  fn: (op: StackOperation) => Promise<T>,
): Promise<T> {
  const { cluster, ui } = o;
  const ctl = new AbortController();
  // Every request and watch of the operation listens on this signal (one each, removed when
  // it ends): more than 10 at once is normal, not a leak, so no MaxListeners warning.
  setMaxListeners(0, ctl.signal);
  const about = o.operation ?? o.stack;
  const onSigint = () => ctl.abort(new VhError(`interrupted: the ${about} operation was stopped; the stack may be partly updated (see \`vh-deploy history ${about}\`)`, ExitCode.interrupted));
  process.on('SIGINT', onSigint);
  try {
    const known = o.namespaceObject && o.knownLive?.get(objectRef(o.namespaceObject));
    let namespaceCreated: ApplyResult | undefined;
    if (!(known !== undefined ? known !== '' : await namespaceExists(cluster, o.namespace))) {
      if (!o.namespaceObject) throw new VhError(`namespace ${o.namespace} does not exist; is ${o.stack} deployed there? (-n)`, ExitCode.failed);
      namespaceCreated = await applyObject(cluster, o.namespaceObject, { signal: ctl.signal, ...(o.knownLive && { knownLive: o.knownLive }) });
    }
    const lease = await acquireLease(cluster, {
      namespace: o.namespace,
      name: leaseName(o.stack),
      waitMs: o.settings.waitMs,
      force: o.settings.forceUnlock,
      signal: ctl.signal,
      labels: { 'app.kubernetes.io/managed-by': 'vh-deploy', 'vh-deploy.io/lock-of': o.stack },
      onWait: (s) => ui.note(`waiting for the lock Lease/${o.namespace}/${leaseName(o.stack)}: held by ${s.holder} (renewed ${ago(s.renewedAgoMs)}); waiting up to ${Math.round(o.settings.waitMs / 1000)}s`),
      onTakeOver: (prev, why, renewed) =>
        ui.warn(
          why === 'forced'
            ? `--force-unlock: taking the lock of ${o.stack} from ${prev} (renewed ${ago(renewed)})`
            : `taking over the stale lock of ${o.stack} held by ${prev}: ${why === 'dead' ? 'that process no longer exists' : `it stopped renewing ${ago(renewed)}`}`,
        ),
    });
    const onLost = () => ctl.abort(lease.lost.reason);
    lease.lost.addEventListener('abort', onLost, { once: true });
    try {
      if (lease.tookOver) await closeInterrupted(cluster, o.namespace, o.stack, lease.tookOver, ui);
      return await fn({ signal: ctl.signal, waited: lease.waited, lease, ...(namespaceCreated && { namespaceCreated }) });
    } finally {
      lease.lost.removeEventListener('abort', onLost);
      await lease.release();
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** What a revision left `pending` by the holder of a lock that was taken over records as its error. */
export function interruptedError(t: TakeOver): string {
  if (t.why === 'dead') return `interrupted: the process holding the lock (${t.holder}) ended before it recorded an outcome`;
  if (t.why === 'expired') return `interrupted: the lock's holder (${t.holder}) stopped renewing it (last renewed ${ago(t.renewedAgoMs)}) and it was taken over`;
  return `interrupted: the lock was taken from ${t.holder} with --force-unlock`;
}

/**
 * After a take-over, the previous holder will never record the outcome of the revision
 * it started (killed, or cut off): record it as failed, so history does not show it
 * `pending` for ever. Under the lock, before this operation records its own revision.
 * Not being able to is a warning: the operation itself can go on.
 */
async function closeInterrupted(cluster: Cluster, namespace: string, stack: string, t: TakeOver, ui: Ui): Promise<void> {
  try {
    for (const r of await failPendingRevisions(cluster, namespace, stack, interruptedError(t))) {
      ui.warn(`revision ${r.revision} of ${stack} was left pending by ${t.holder}: recorded as failed (interrupted)`);
    }
  } catch (e) {
    ui.warn(`could not record the pending revisions of ${stack} left by ${t.holder} as failed: ${failureLine(e)}`);
  }
}

/**
 * Several stacks' locks, outermost first. Callers name them in one fixed order (the other
 * stacks before their own), so two operations never wait on each other in a cycle. The
 * operation is aborted when any of them is lost, and has `waited` when any had to wait.
 */
export async function withStackLocks<T>(
  o: Omit<Parameters<typeof withStackLock>[0], 'stack'> & { stacks: readonly string[] },
  fn: (op: StackOperation) => Promise<T>,
): Promise<T> {
  const [first, ...rest] = o.stacks;
  if (first === undefined) throw new Error('withStackLocks: no stack');
  const operation = o.operation ?? o.stacks.at(-1);
  return withStackLock({ ...o, stack: first, ...(operation && { operation }) }, (outer) => {
    if (rest.length === 0) return fn(outer);
    // The namespace exists now (the outer lock created it if needed).
    return withStackLocks({ ...o, stacks: rest, namespaceObject: undefined, knownLive: undefined, ...(operation && { operation }) }, (inner) =>
      fn({
        ...inner,
        signal: AbortSignal.any([outer.signal, inner.signal]),
        waited: outer.waited || inner.waited,
        ...((outer.namespaceCreated ?? inner.namespaceCreated) && { namespaceCreated: outer.namespaceCreated ?? inner.namespaceCreated }),
      }),
    );
  });
}

/**
 * The preflight of a day-2 operation (upgrade, rollback, scale), before its first write
 * to the stack, as a deploy runs it: every verb its applies, deletes, /scale writes,
 * waits, lock and records need, all denials named at once (exit 3). A preview writes
 * nothing, so it needs only what its server dry run does.
 */
export async function preflightOperation(
  cluster: Cluster,
  o: { namespace: string; objects: readonly KubeObject[]; ui: Ui; preview: boolean; signal?: AbortSignal } & OtherAccess,
): Promise<void> {
  const pf = await preflight(cluster, {
    objects: o.objects,
    ...(o.preview ? { willWait: false } : { willWait: true, recordsIn: o.namespace, deletes: o.deletes, scales: o.scales, awaits: o.awaits }),
    ...(o.signal && { signal: o.signal }),
  });
  for (const c of pf.checks) if (!c.ok && c.severity === 'warning') o.ui.warn(c.message);
  assertPreflight(pf);
}

/**
 * The locks an upgrade or rollback of `stack` must hold: its own, and those of the stacks
 * whose objects any recorded revision also wrote (a rollback may return to any of them).
 * Read before locking, so `run` reads the revisions again under the locks.
 */
async function recordedLocks(cluster: Cluster, stack: Stack, namespace: string): Promise<string[]> {
  if (!stack.alsoLocks) return [stack.name];
  const others = new Set((await listRevisions(cluster, namespace, stack.name)).flatMap((r) => stack.alsoLocks!(r.values)));
  return [...[...others].sort(), stack.name];
}

/** The frame of upgrade and rollback: a preview (dry run, diff) runs unlocked; the real thing under recordedLocks. */
export async function previewOrLocked<T>(
  o: { cluster: Cluster; stack: Stack; namespace: string; ui: Ui; settings: LockSettings; preview: boolean },
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (o.preview) return run(new AbortController().signal);
  const stacks = await recordedLocks(o.cluster, o.stack, o.namespace);
  return withStackLocks({ cluster: o.cluster, stacks, namespace: o.namespace, ui: o.ui, settings: o.settings }, (op) => run(op.signal));
}

export interface RecordSpec {
  cluster: Cluster;
  stack: Stack;
  namespace: string;
  command: string;
  description: string;
  values: Record<string, unknown>;
  /** What is applied (Secret data is stripped before recording). */
  objects: readonly KubeObject[];
  /** How a success is recorded: `deployed`, or `uninstalled` (an uninstall, with what it removes and keeps). */
  outcome?: 'deployed' | 'uninstalled';
  removed?: string[];
  kept?: string[];
  rollbackTo?: number;
  /** The revision this one undoes (a rollback's current one): recorded rolled-back once this one is deployed. */
  rollsBack?: Revision;
  /** `adopt`: a take-over of another tool's objects (docs/adopt.md). */
  kind?: Revision['kind'];
  ui: Ui;
}

/** The record of an operation before it runs. */
export function revisionDraft(s: Omit<RecordSpec, 'cluster' | 'ui'>) {
  const version = s.stack.version(s.values);
  return {
    stack: s.stack.name,
    namespace: s.namespace,
    vhDeployVersion: VERSION,
    command: s.command,
    description: s.description,
    ...(version !== undefined && { version }),
    images: imagesOf(s.objects),
    // Non-secret values may still carry a secret someone pasted (a --patch, a literal env
    // value): what the process knows as secret is redacted there too (rule 3).
    values: JSON.parse(redact(JSON.stringify(nonSecretValues(s.values, secretKeys(s.stack))))) as Record<string, unknown>,
    manifests: stripSecretData(s.objects),
    ...(s.removed && { removed: s.removed }),
    ...(s.kept && { kept: s.kept }),
    ...(s.rollbackTo !== undefined && { rollbackTo: s.rollbackTo }),
    ...(s.kind && { kind: s.kind }),
  };
}

/** One line, secrets redacted: what a revision says about its failure. */
export function failureLine(e: unknown): string {
  return redact((e instanceof Error ? e.message : String(e)).split('\n')[0]!).slice(0, 500);
}

export interface RecordedOperation {
  revision: Revision;
}

/**
 * Records a `pending` revision, runs `fn`, and marks the revision deployed, or failed
 * with the error's first line. A failure to record the outcome is a warning: the
 * operation itself has already happened. With `onFailure`, a failure is recorded first
 * and then handed to it, with the failed revision: an upgrade rolls back from there
 * (its rollback is a revision of its own), and what `onFailure` returns or throws is
 * the outcome.
 */
export async function recorded<T>(s: RecordSpec, fn: (rec: RecordedOperation) => Promise<T>, onFailure?: (e: unknown, failed: Revision) => Promise<T>): Promise<T> {
  const { revision, others } = await beginRevision(s.cluster, revisionDraft(s));
  const handle: RecordedOperation = { revision };
  let result: T;
  try {
    result = await fn(handle);
  } catch (e) {
    const error = failureLine(e);
    const failed = await finishRevision(s.cluster, handle.revision, 'failed', { error }, others).catch((err: unknown) => {
      s.ui.warn(`could not record revision ${revision.revision} of ${s.stack.name} as failed: ${failureLine(err)}`);
      return { ...handle.revision, status: 'failed' as const, error };
    });
    if (!onFailure) throw e;
    return onFailure(e, failed);
  }
  const outcome = s.outcome ?? 'deployed';
  await finishRevision(s.cluster, handle.revision, outcome, {}, others).catch((err: unknown) =>
    s.ui.warn(`could not record revision ${revision.revision} of ${s.stack.name} as ${outcome}: ${failureLine(err)}`),
  );
  if (s.rollsBack) await markRolledBack(s, s.rollsBack);
  return result;
}

/** After a rollback is deployed, the revision it undid reads rolled-back (a warning when that cannot be written). */
async function markRolledBack(s: RecordSpec, undone: Revision): Promise<void> {
  try {
    // Re-read: being deployed may have marked it superseded since.
    const latest = (await listRevisions(s.cluster, s.namespace, s.stack.name)).find((r) => r.revision === undone.revision) ?? undone;
    await markRevision(s.cluster, latest, 'rolled-back');
  } catch (err) {
    s.ui.warn(`could not record revision ${undone.revision} of ${s.stack.name} as rolled-back: ${failureLine(err)}`);
  }
}
