// Deleting objects and waiting until they are gone (an uninstall, docs/day2.md
// "Uninstall"). Each delete is conditional on the uid that was checked, so an object
// re-created meanwhile by someone else is left alone, and uses
// propagationPolicy=Foreground: the object stays (with a deletionTimestamp) until the
// garbage collector has removed its dependents (a Deployment's ReplicaSets and pods, a
// Job's pods), so "gone" means its pods are gone too. Waiting is one list+watch per kind
// and namespace (src/k8s/watch.ts), not polling; the deadline names what is still there
// and the finalizers that hold it.
import { OperationError } from '../errors.js';
import { KubeApiError } from './api-error.js';
import type { Cluster } from './client.js';
import { targetOf, type Target } from './discovery.js';
import { withReason } from './reasons.js';
import { keyOf, objectRef, str, type KubeObject, type ObjectKey } from './types.js';
import { startWatch, type WatchHandle } from './watch.js';

export interface DeleteTarget {
  key: ObjectKey;
  /** Delete only this incarnation (DeleteOptions.preconditions.uid). */
  uid?: string;
}

/** deleted: it is gone now; absent: it was gone already; replaced: the name belongs to another object now (left alone). */
export type DeleteOutcome = 'deleted' | 'absent' | 'replaced';

export interface DeleteEvent {
  ref: string;
  state: 'deleting' | DeleteOutcome;
}

/**
 * Foreground (the default): the object stays until its dependents are gone, so "gone"
 * means its pods are gone too. Background: the dependents go after the owner. Orphan:
 * the dependents keep running (src/k8s/orphan.ts).
 */
export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  /** Epoch ms by which every object must be gone. */
  deadline: number;
  /** What the deadline was, for the message (ms). */
  timeoutMs: number;
  signal?: AbortSignal;
  onEvent?: (e: DeleteEvent) => void;
  /** Server-side timeoutSeconds of each watch (tests). */
  watchTimeoutSeconds?: number;
}

/** An object still there when the time ran out, and what holds it. */
export interface StuckObject {
  ref: string;
  finalizers: string[];
  /** Deletion was requested (it has a deletionTimestamp). */
  deleting: boolean;
}

/** What a finalizer that holds an object is waiting for, in Kubernetes terms. Pure. */
export function finalizerNote(f: string): string {
  if (f === 'foregroundDeletion') return 'its dependents, pods and ReplicaSets, are still being deleted';
  if (f === 'kubernetes.io/pvc-protection') return 'a pod still uses the claim';
  if (f === 'kubernetes.io/pv-protection') return 'a claim is still bound to the volume';
  if (f === 'orphan') return 'its dependents are being released';
  return 'whoever set it has not removed it';
}

/** The message when objects are still there at the deadline. Pure. */
export function stuckMessage(timeoutMs: number, stuck: readonly StuckObject[]): string {
  const after = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
  const lines = stuck.map((s) => {
    if (s.finalizers.length === 0) return `  - ${s.ref}: still there${s.deleting ? ' (being deleted)' : ''}`;
    return `  - ${s.ref}: held by finalizer ${s.finalizers.map((f) => `${f} (${finalizerNote(f)})`).join(', ')}`;
  });
  return `timed out after ${after} waiting for ${stuck.length} deleted object${stuck.length === 1 ? '' : 's'} to go:\n${lines.join('\n')}`;
}

/** Deletes one object, conditional on its uid. */
async function deleteOne(cluster: Cluster, t: Target, uid: string | undefined, policy: PropagationPolicy, signal?: AbortSignal): Promise<DeleteOutcome> {
  const ref = objectRef(t.key);
  try {
    const res = await cluster.requestOk('DELETE', t.path, {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: policy, ...(uid && { preconditions: { uid } }) },
      okStatuses: [404],
      what: ref,
      ...(signal && { signal }),
    });
    return res.status === 404 ? 'absent' : 'deleted';
  } catch (e) {
    // The uid precondition failed: the name belongs to an object made since it was checked.
    if (e instanceof KubeApiError && e.status === 409) return 'replaced';
    throw e;
  }
}

/**
 * Deletes the objects of each wave, and waits until they are gone before the next wave
 * starts. Returns each object's outcome. Throws OperationError (reason deleteTimeout)
 * naming what is still there at the deadline.
 */
export async function deleteInWaves(cluster: Cluster, waves: ReadonlyArray<readonly DeleteTarget[]>, o: DeleteOptions): Promise<Map<string, DeleteOutcome>> {
  const outcomes = new Map<string, DeleteOutcome>();
  for (const wave of waves) {
    if (o.signal?.aborted) throw o.signal.reason;
    const targets = await Promise.all(wave.map(async (d) => ({ d, t: await targetOf(cluster, d.key) })));
    const sent = await Promise.all(
      targets.map(async ({ d, t }) => {
        const ref = objectRef(t.key);
        o.onEvent?.({ ref, state: 'deleting' });
        const outcome = await deleteOne(cluster, t, d.uid, o.propagationPolicy ?? 'Foreground', o.signal);
        if (outcome !== 'deleted') {
          outcomes.set(ref, outcome);
          o.onEvent?.({ ref, state: outcome });
        }
        return { ref, t, uid: d.uid, outcome };
      }),
    );
    const waiting = sent.filter((s) => s.outcome === 'deleted');
    await waitUntilGone(cluster, waiting, o, (ref) => {
      outcomes.set(ref, 'deleted');
      o.onEvent?.({ ref, state: 'deleted' });
    });
  }
  return outcomes;
}

/**
 * Deletes one object (only the incarnation `uid` names, when given) and waits until it is
 * gone; default timeout 60 s. A missing object is not an error. Throws like deleteInWaves.
 */
export async function deleteAndWait(
  cluster: Cluster,
  obj: KubeObject | ObjectKey,
  o: { propagationPolicy: PropagationPolicy; uid?: string; timeoutMs?: number; signal?: AbortSignal },
): Promise<DeleteOutcome> {
  const key = 'metadata' in obj ? keyOf(obj) : obj;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const outcomes = await deleteInWaves(cluster, [[{ key, ...(o.uid && { uid: o.uid }) }]], {
    propagationPolicy: o.propagationPolicy,
    deadline: Date.now() + timeoutMs,
    timeoutMs,
    ...(o.signal && { signal: o.signal }),
  });
  return outcomes.get(objectRef(key)) ?? 'deleted';
}

/** Resolves once every object is gone (404, or its name now has another uid). */
function waitUntilGone(cluster: Cluster, objects: ReadonlyArray<{ ref: string; t: Target; uid: string | undefined }>, o: DeleteOptions, onGone: (ref: string) => void): Promise<void> {
  if (objects.length === 0) return Promise.resolve();
  const left = new Map(objects.map((x) => [x.ref, { ...x, last: undefined as KubeObject | undefined }]));
  return new Promise<void>((resolve, reject) => {
    const watches: WatchHandle[] = [];
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      for (const w of watches) w.stop();
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(err);
      else resolve();
    };
    const onAbort = () => finish(o.signal!.reason);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      const stuck: StuckObject[] = [...left.values()].map((x) => ({
        ref: x.ref,
        finalizers: (x.last?.metadata.finalizers as string[] | undefined) ?? [],
        deleting: Boolean(x.last?.metadata.deletionTimestamp),
      }));
      finish(withReason(new OperationError(stuckMessage(o.timeoutMs, stuck), 'remove the finalizer only once you know why it is there, or allow more time', stuck.map((s) => `still there: ${s.ref}`)), { reason: 'deleteTimeout', timeoutMs: o.timeoutMs, stuck }));
    }, Math.max(0, o.deadline - Date.now()));
    const gone = (ref: string) => {
      if (!left.delete(ref)) return;
      onGone(ref);
      if (left.size === 0) finish();
    };
    const sameIncarnation = (x: { uid: string | undefined }, obj: KubeObject) => !x.uid || str(obj.metadata.uid) === x.uid;
    const groups = new Map<string, Array<{ ref: string; t: Target; uid: string | undefined }>>();
    for (const x of objects) groups.set(x.t.collection + '|' + x.t.key.kind, [...(groups.get(x.t.collection + '|' + x.t.key.kind) ?? []), x]);
    for (const members of groups.values()) {
      const first = members[0]!;
      const byName = new Map(members.map((m) => [m.t.key.name, m]));
      watches.push(
        startWatch(
          cluster,
          {
            apiVersion: first.t.key.apiVersion,
            kind: first.t.key.kind,
            collection: first.t.collection,
            ...(members.length === 1 && { fieldSelector: `metadata.name=${first.t.key.name}` }),
            ...(o.watchTimeoutSeconds !== undefined && { timeoutSeconds: o.watchTimeoutSeconds }),
          },
          {
            onSync: (items) => {
              const live = new Map(items.map((it) => [it.metadata.name, it]));
              for (const m of members) {
                if (!left.has(m.ref)) continue;
                const it = live.get(m.t.key.name);
                if (!it || !sameIncarnation(m, it)) gone(m.ref);
                else left.get(m.ref)!.last = it;
              }
            },
            onEvent: (type, obj) => {
              const m = byName.get(obj.metadata.name);
              if (!m || !left.has(m.ref) || !sameIncarnation(m, obj)) return;
              if (type === 'DELETED') gone(m.ref);
              else left.get(m.ref)!.last = obj;
            },
            onFatal: (err) => finish(err),
          },
        ),
      );
    }
  });
}
