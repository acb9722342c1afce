// Delete an object but not what it owns: DeleteOptions.propagationPolicy=Orphan. The
// garbage collector removes the ownerReferences of the dependents (a StatefulSet's pods,
// a Deployment's ReplicaSets) before it removes the owner, so they keep running; a new
// object with the same selector adopts them. This is kubectl's orphaning cascade
// (cascade=orphan), and the way to change a field the API server refuses to
// update (docs/day2.md, "Immutable fields"). PVCs made from volumeClaimTemplates are
// never deleted with their StatefulSet anyway (unless persistentVolumeClaimRetentionPolicy
// says so, which Orphan also prevents).
import { OperationError } from '../errors.js';
import { sleep, type Cluster } from './client.js';
import { targetOf } from './discovery.js';
import { objectRef, rec, str, type KubeObject, type ObjectKey } from './types.js';

export interface OrphanDeleteOptions {
  /**
   * Orphan (the default) keeps the dependents; Background deletes them after the owner
   * (a failed Job re-run with its pods, src/k8s/job-rerun.ts).
   */
  propagationPolicy?: 'Orphan' | 'Background';
  /** Delete only this incarnation (DeleteOptions.preconditions.uid): a re-created object is left alone. */
  uid?: string;
  /** How long to wait until the object is gone; default 60 s. */
  timeoutMs?: number;
  /** Poll interval while waiting; default 250 ms. */
  pollMs?: number;
  signal?: AbortSignal;
}

export interface OrphanDeleteResult {
  ref: string;
  /** False when the object was already gone. */
  deleted: boolean;
  /** The uid of the object that was deleted. */
  uid?: string;
}

/**
 * Deletes one object with propagationPolicy Orphan and waits until it is gone (404, or
 * the name now belongs to another uid). Its dependents keep running. A missing object is
 * not an error. Throws OperationError when it is still there after the timeout (a
 * finalizer that does not finish).
 */
export async function deleteOrphaning(cluster: Cluster, obj: KubeObject | ObjectKey, o: OrphanDeleteOptions = {}): Promise<OrphanDeleteResult> {
  const t = await targetOf(cluster, obj);
  const ref = objectRef(t.key);
  const signal = o.signal;
  const res = await cluster.requestOk('DELETE', t.path, {
    body: {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: o.propagationPolicy ?? 'Orphan',
      ...(o.uid && { preconditions: { uid: o.uid } }),
    },
    okStatuses: [404],
    what: ref,
    ...(signal && { signal }),
  });
  if (res.status === 404) return { ref, deleted: false };
  // The answer is the object (now with a deletionTimestamp and the orphan finalizer) or a Status.
  const uid = o.uid ?? str(rec(rec(res.json()).metadata).uid);
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    const r = await cluster.requestOk('GET', t.path, { okStatuses: [404], what: ref, ...(signal && { signal }) });
    if (r.status === 404) break;
    const liveUid = str(rec(rec(r.json()).metadata).uid);
    if (uid && liveUid !== uid) break;
    if (Date.now() > deadline) {
      throw new OperationError(
        `${ref} was deleted${(o.propagationPolicy ?? 'Orphan') === 'Orphan' ? ' (orphaning its dependents)' : ''} but is still there after ${Math.round((o.timeoutMs ?? 60_000) / 1000)} s`,
        'a finalizer on it has not finished; look at its metadata.finalizers',
      );
    }
    await sleep(o.pollMs ?? 250, signal);
  }
  return { ref, deleted: true, ...(uid && { uid }) };
}
