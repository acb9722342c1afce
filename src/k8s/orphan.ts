// Delete an object but not what it owns: DeleteOptions.propagationPolicy=Orphan. The
// garbage collector removes the ownerReferences of the dependents (a StatefulSet's pods,
// a Deployment's ReplicaSets) before it removes the owner, so they keep running; a new
// object with the same selector adopts them. This is kubectl's orphaning cascade
// (cascade=orphan), and the way to change a field the API server refuses to
// update (docs/day2.md, "Immutable fields"). PVCs made from volumeClaimTemplates are
// never deleted with their StatefulSet anyway (unless persistentVolumeClaimRetentionPolicy
// says so, which Orphan also prevents).
import type { Cluster } from './client.js';
import { deleteAndWait, type DeleteOutcome } from './delete.js';
import type { KubeObject, ObjectKey } from './types.js';

/**
 * Deletes one object with propagationPolicy Orphan and waits until it is gone (or its name
 * belongs to another uid): its dependents keep running. `uid` deletes only that
 * incarnation. A missing object is not an error; one still there at the timeout (default
 * 60 s; a finalizer that does not finish) is an error naming the finalizer.
 */
export function deleteOrphaning(cluster: Cluster, obj: KubeObject | ObjectKey, o: { uid?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<DeleteOutcome> {
  return deleteAndWait(cluster, obj, { propagationPolicy: 'Orphan', ...o });
}
