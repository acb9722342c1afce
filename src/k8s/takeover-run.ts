// Runs a take-over plan (src/k8s/takeover.ts; docs/adopt.md), in an order that keeps the
// service up and loses nothing:
//   1. objects of the same name: their fields pass to vh-deploy, then the plan's manifest
//      is applied with force (these objects only);
//   2. workloads whose selector changes: deleted orphaning their ReplicaSets/pods, which
//      keep serving behind the unchanged Service;
//   3. the rest of the plan, by dependencies, waiting until ready (the new workloads come
//      up beside the old pods);
//   4. Services whose selector changes: switched once the new pods are available, then
//      waited on until their ready endpoints are the new pods only;
//   5. the orphaned ReplicaSets/pods, then the objects replaced under another name, are deleted.
// A failure before step 5 leaves the old pods serving.
import { applyObject, type ApplyResult } from './apply.js';
import type { Cluster } from './client.js';
import { deploy, type DeployEvent } from './deploy.js';
import { readObject } from './discovery.js';
import { deleteOrphaning } from './orphan.js';
import { deleteObject, moveVolume, ownedBy, transferOwnership, waitForEndpointsMoved, type TakeoverPlan } from './takeover.js';
import { OperationError } from '../errors.js';
import { sleep } from './client.js';
import { objectRef, str, type KubeObject } from './types.js';

export interface TakeoverRunOptions {
  fieldManager: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onEvent?: (e: DeployEvent) => void;
  /** One line per step done (what was taken over, re-created, switched, deleted). */
  onStep?: (line: string) => void;
}

/** Hands the object's client-side-applied fields to vh-deploy and applies the plan's manifest, forced. */
async function takeOverOne(cluster: Cluster, desired: KubeObject, o: TakeoverRunOptions): Promise<ApplyResult> {
  // Read again: the object may have changed since the plan was made (the patch is guarded by its resourceVersion).
  const live = await readObject(cluster, desired, o.signal);
  if (live) await transferOwnership(cluster, live, o.fieldManager, o.signal);
  return applyObject(cluster, desired, { forceConflicts: true, fieldManager: o.fieldManager, ...(o.signal && { signal: o.signal }) });
}

export async function runTakeover(cluster: Cluster, tp: TakeoverPlan, objects: readonly KubeObject[], o: TakeoverRunOptions): Promise<ApplyResult[]> {
  const deadline = Date.now() + o.timeoutMs;
  const signal = o.signal;
  const step = o.onStep ?? (() => undefined);
  const taken = new Map<string, ApplyResult>();

  for (const t of tp.takeOver) {
    taken.set(objectRef(t.desired), await takeOverOne(cluster, t.desired, o));
    step(`took over ${objectRef(t.desired)}`);
  }

  // Data stores replaced under another kind: stopped, pods gone, before their volumes move.
  for (const x of tp.stopFirst) {
    const pods = await podsOf(cluster, x.live, signal);
    await deleteObject(cluster, x.live, signal);
    await waitGone(cluster, pods, deadline, signal);
    step(`stopped ${objectRef(x.live)} (its pods are gone): its volume never has two writers`);
  }
  for (const d of tp.data) {
    const pv = await moveVolume(cluster, d.live, d.claim, { deadline, ...(signal && { signal }) });
    step(`kept PersistentVolume/${pv} (the data of ${d.live.metadata.name}, now Retain) and reserved it for PersistentVolumeClaim/${d.claim}`);
  }

  // What keeps serving until the end: the ReplicaSets (or pods) of the old workloads, and their pods.
  const oldOwned: KubeObject[] = [];
  const oldPods = new Set<string>();
  for (const r of tp.recreate) {
    const owned = await ownedBy(cluster, r.live, signal);
    oldOwned.push(...owned);
    for (const x of owned) {
      if (x.kind === 'Pod') oldPods.add(x.metadata.name);
      else for (const p of await ownedBy(cluster, x, signal)) oldPods.add(p.metadata.name);
    }
    const uid = str(r.live.metadata.uid);
    await deleteOrphaning(cluster, r.live, { ...(uid !== undefined && { uid }), ...(signal && { signal }) });
    step(`deleted ${objectRef(r.live)} orphaning ${owned.map((x) => `${x.kind}/${x.metadata.name}`).join(', ') || 'nothing'} (still serving)`);
  }

  const late = new Set(tp.late.map((l) => objectRef(l.desired)));
  const { applied } = await deploy(
    cluster,
    objects.filter((x) => !late.has(objectRef(x))),
    {
      fieldManager: o.fieldManager,
      wait: true,
      timeoutMs: Math.max(1000, deadline - Date.now()),
      ...(signal && { signal }),
      ...(o.onEvent && { onEvent: o.onEvent }),
    },
  );

  for (const l of tp.late) {
    taken.set(objectRef(l.desired), await takeOverOne(cluster, l.desired, o));
    await waitForEndpointsMoved(cluster, l.desired, oldPods, { deadline, ...(signal && { signal }) });
    step(`switched ${objectRef(l.desired)} to the new pods (its ready endpoints are the new pods only)`);
  }
  for (const x of oldOwned) await deleteObject(cluster, x, signal);
  if (oldOwned.length) step(`deleted the old ${oldOwned.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  for (const r of tp.remove) {
    await deleteObject(cluster, r.live, signal);
    step(`deleted ${objectRef(r.live)}${r.replacement ? ` (replaced by ${r.replacement.kind}/${r.replacement.metadata.name})` : ''}`);
  }
  // What each object became: a take-over is a change even where the second apply found nothing new.
  const out = applied.map((a) => taken.get(a.ref) ?? a);
  for (const [ref, r] of taken) if (!out.some((a) => a.ref === ref)) out.push(r);
  return out;
}

/** A workload's pods (a Deployment's through its ReplicaSets). */
async function podsOf(cluster: Cluster, workload: KubeObject, signal?: AbortSignal): Promise<KubeObject[]> {
  const owned = await ownedBy(cluster, workload, signal);
  if (workload.kind !== 'Deployment') return owned;
  return (await Promise.all(owned.map((rs) => ownedBy(cluster, rs, signal)))).flat();
}

/** Waits until each object (by uid) is gone. */
async function waitGone(cluster: Cluster, objects: readonly KubeObject[], deadline: number, signal?: AbortSignal): Promise<void> {
  for (const o of objects) {
    for (;;) {
      const live = await readObject(cluster, o, signal);
      if (!live || live.metadata.uid !== o.metadata.uid) break;
      if (Date.now() > deadline) throw new OperationError(`${objectRef(o)} is still there after its owner was deleted`, 'look at its finalizers and its node');
      await sleep(250, signal);
    }
  }
}
