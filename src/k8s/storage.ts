// What a plan needs from the cluster's storage, read from the objects themselves (not
// from which stack they belong to). Pure.
import { arr, rec, str, type KubeObject } from './types.js';

/** Every volume claim of the plan: PersistentVolumeClaims and StatefulSet volumeClaimTemplates. */
function claims(objects: readonly KubeObject[]): Array<Record<string, unknown>> {
  return objects.flatMap((o) => {
    if (o.kind === 'PersistentVolumeClaim') return [rec(o.spec)];
    if (o.kind === 'StatefulSet') return arr(rec(o.spec).volumeClaimTemplates).map((t) => rec(rec(t).spec));
    return [];
  });
}

/** A claim without a storageClassName is bound through the cluster's default StorageClass. */
export function needsDefaultStorageClass(objects: readonly KubeObject[]): boolean {
  return claims(objects).some((spec) => str(spec.storageClassName) === undefined);
}
