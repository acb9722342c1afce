// A workload that an HPA manages is applied without spec.replicas (docs/architecture.md rule 4), so
// a new one starts with 1 replica and reaches the HPA's minimum only after the HPA's
// first sync (15 s or more, never without a metrics API). Reporting "ready" at 1 of a
// minimum of 3 would be a lie, so the deploy raises it to the minimum through the /scale
// subresource — an update the HPA owns afterwards, not an applied field that the next
// apply would remove again.
import { KubeApiError } from './api-error.js';
import type { Cluster } from './client.js';
import { readScale, writeScale } from './scale.js';
import { keyOf, num, rec, str, type KubeObject, type ObjectKey } from './types.js';

export interface HpaFloor {
  target: ObjectKey;
  min: number;
}

/** HPAs of the plan whose target is a workload of the plan that sets no replicas. Pure. */
export function hpaFloors(objects: readonly KubeObject[]): HpaFloor[] {
  const out: HpaFloor[] = [];
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const spec = rec(hpa.spec);
    const ref = rec(spec.scaleTargetRef);
    const target = objects.find(
      (o) => o.kind === str(ref.kind) && o.metadata.name === str(ref.name) && o.metadata.namespace === hpa.metadata.namespace && o.apiVersion === (str(ref.apiVersion) ?? o.apiVersion),
    );
    if (!target || rec(target.spec).replicas !== undefined) continue;
    out.push({ target: keyOf(target), min: num(spec.minReplicas) ?? 1 });
  }
  return out;
}

/** Raises each target below its floor to the floor; returns what it changed. */
export async function raiseToHpaFloors(cluster: Cluster, floors: readonly HpaFloor[]): Promise<Array<HpaFloor & { from: number }>> {
  const changed: Array<HpaFloor & { from: number }> = [];
  for (const f of floors) {
    // Right after the apply the Deployment controller is writing status, which moves the
    // resourceVersion the write is conditioned on: a 409 then means "read again", not "lost".
    for (let attempt = 1; ; attempt++) {
      const cur = await readScale(cluster, f.target);
      if (!cur || cur.replicas >= f.min) break;
      try {
        await writeScale(cluster, f.target, f.min, cur.resourceVersion);
      } catch (e) {
        if (e instanceof KubeApiError && e.status === 409 && attempt < 5) continue;
        throw e;
      }
      changed.push({ ...f, from: cur.replicas });
      break;
    }
  }
  return changed;
}
