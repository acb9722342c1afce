// Watch-based waiting: one list+watch per kind and namespace, plus one pod watch per
// namespace holding workloads, so pod-level failures (ImagePullBackOff,
// CrashLoopBackOff, Unschedulable after a grace, ...) of the revision being rolled out
// (rollout-rules.ts) fail the wait at once instead of at the timeout. Everything reacts
// to watch events; the only timers are the overall deadline and Unschedulable grace
// re-checks, so the wait resolves as soon as the event that makes the last object
// ready arrives.
import { OperationError } from '../errors.js';
import type { Cluster } from './client.js';
import { lastLogLines, podWarnings, recentEvents } from './diagnostics.js';
import { listObjects, targetOf, type Target } from './discovery.js';
import { diagnosePod, failedContainer, isSecurityProblem, laggingPod, problemHint, terminatedSummary, type PodProblem } from './pod-diagnosis.js';
import { withReason } from './reasons.js';
import { currentReplicaSet, isCurrentPod, specObserved, WORKLOAD_KINDS } from './rollout-rules.js';
import { commonLabelSelector, matchesSelector, toSelector, type LabelSelector } from './selectors.js';
import { needsWatch, objectStatus, type ObjectStatus, type ReadyState, type StatusContext } from './status.js';
import { objectRef, rec, str, type KubeObject, type ObjectKey } from './types.js';
import { startWatch, type WatchHandle } from './watch.js';

export interface WaitProgress {
  ref: string;
  state: ReadyState;
  message: string;
}

export interface WaitOptions {
  /** Overall deadline for every object. */
  timeoutMs: number;
  /** Called once per change of state or message of an object; never twice with the same line. */
  onProgress?: (e: WaitProgress) => void;
  signal?: AbortSignal;
  /** How long a pod may stay Unschedulable before the wait fails (default 15 s). */
  unschedulableGraceMs?: number;
  /** Server-side timeoutSeconds of each watch request (tests use a few seconds). */
  watchTimeoutSeconds?: number;
  /** Diagnostics: every list and watch the waiter makes. */
  onTrace?: (e: { resource: string; what: string; detail?: string }) => void;
}

export interface WaitResult {
  ref: string;
  state: 'ready';
  message: string;
}

interface Tracked {
  key: ObjectKey;
  ref: string;
  target: Target;
  manifest: KubeObject | undefined;
  live: KubeObject | undefined;
  status: ObjectStatus;
  lastLine: string | undefined;
  selector: LabelSelector | undefined;
}

function podLabels(p: KubeObject): Record<string, string> {
  return (p.metadata.labels ?? {}) as Record<string, string>;
}

/** How many failing pods a timeout report asks the events of (one list call each). */
export const TIMEOUT_WARNING_PODS = 3;

/**
 * A short "what each object is still waiting for" list; under an object, the recent
 * Warning events of its failing pod (`warnings`, already formatted). Pure.
 */
export function timeoutMessage(
  timeoutMs: number,
  waiting: { ref: string; message: string; note?: string | undefined; warnings?: readonly string[] | undefined }[],
  total: number,
): string {
  const after = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
  const lines = waiting.map((w) => [`  - ${w.ref}: ${w.message}${w.note ? ` (${w.note})` : ''}`, ...(w.warnings ?? []).map((e) => `      ${e}`)].join('\n'));
  return `timed out after ${after} waiting for ${waiting.length} of ${total} objects:\n${lines.join('\n')}`;
}

export async function waitForObjects(cluster: Cluster, objects: readonly (KubeObject | ObjectKey)[], opts: WaitOptions): Promise<WaitResult[]> {
  const signal = opts.signal;
  if (signal?.aborted) throw signal.reason;
  const graceMs = opts.unschedulableGraceMs;

  // Resolve and de-duplicate.
  const tracked = new Map<string, Tracked>();
  for (const o of objects) {
    const target = await targetOf(cluster, o);
    const ref = objectRef(target.key);
    if (tracked.has(ref)) continue;
    tracked.set(ref, {
      key: target.key,
      ref,
      target,
      manifest: 'metadata' in o ? o : undefined,
      live: undefined,
      status: { state: 'progressing', message: 'waiting for the first status' },
      lastLine: undefined,
      selector: undefined,
    });
  }
  const all = [...tracked.values()];

  const emit = (t: Tracked) => {
    const line = `${t.status.state}|${t.status.message}`;
    if (line === t.lastLine) return;
    t.lastLine = line;
    opts.onProgress?.({ ref: t.ref, state: t.status.state, message: t.status.message });
  };

  // Kinds that are ready once applied need no watch.
  for (const t of all) {
    if (!needsWatch(t.key.kind)) {
      t.status = { state: 'ready', message: 'applied' };
      emit(t);
    }
  }
  const pending = all.filter((t) => t.status.state !== 'ready');
  if (pending.length === 0) return all.map((t) => ({ ref: t.ref, state: 'ready', message: t.status.message }));

  // StorageClass binding modes, so a WaitForFirstConsumer PVC does not block.
  const bindingModes = new Map<string, string>();
  let defaultClass: string | undefined;
  if (pending.some((t) => t.key.kind === 'PersistentVolumeClaim')) {
    try {
      const { items } = await listObjects(cluster, 'storage.k8s.io/v1', 'StorageClass', signal ? { signal } : {});
      for (const sc of items) {
        bindingModes.set(sc.metadata.name, str(sc.volumeBindingMode) ?? 'Immediate');
        if (sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true') defaultClass = sc.metadata.name;
      }
    } catch {
      /* unknown modes: PVCs simply wait to be bound */
    }
  }
  const ctxFor = (t: Tracked): StatusContext => {
    if (t.key.kind !== 'PersistentVolumeClaim' || !t.live) return {};
    const cls = str(rec(t.live.spec).storageClassName) ?? defaultClass;
    return { pvcBindingMode: cls ? bindingModes.get(cls) : undefined };
  };

  return new Promise<WaitResult[]>((resolve, reject) => {
    const watches: WatchHandle[] = [];
    const timers = new Set<NodeJS.Timeout>();
    const pods = new Map<string, Map<string, KubeObject>>(); // namespace -> name -> pod
    const unschedSeen = new Map<string, number>(); // pod uid -> first seen
    const graceTimers = new Set<string>(); // workload ref|pod uid with a pending re-check
    const currentRsCache = new Map<string, Promise<KubeObject | undefined>>(); // deployment uid|revision -> its current ReplicaSet
    // `settled`: stop reacting to events; `finished`: the promise is decided.
    let settled = false;
    let finished = false;

    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      settled = true;
      for (const w of watches) w.stop();
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(err);
      else resolve(all.map((t) => ({ ref: t.ref, state: 'ready', message: t.status.message })));
    };
    const onAbort = () => finish(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    const deadline = setTimeout(() => {
      if (settled) return;
      settled = true; // no more reports while the failing pods' warnings are read
      for (const w of watches) w.stop();
      const waiting = all
        .filter((t) => t.status.state !== 'ready')
        .map((t) => ({ t, ref: t.ref, message: t.status.message, lag: laggingPod(podsOf(t)) }));
      // A pod that runs but is not ready (or crash-loops) has the kubelet's reason in its
      // Warning events: one bounded list call for each of the first few such pods.
      const asked = waiting.filter((w) => w.lag?.failing && w.t.key.namespace).slice(0, TIMEOUT_WARNING_PODS);
      void Promise.all(asked.map((w) => podWarnings(cluster, w.t.key.namespace!, w.lag!.pod))).then((found) => {
        const warningsOf = new Map(asked.map((w, i) => [w.ref, found[i]!]));
        const lines = waiting.map((w) => ({ ref: w.ref, message: w.message, note: w.lag?.note, warnings: warningsOf.get(w.ref) }));
        const err = new OperationError(timeoutMessage(opts.timeoutMs, lines, all.length), 'allow more time if the rollout is slow, or look at the objects above', [
          ...lines.flatMap((l) => (l.warnings ?? []).map((e) => `event: ${e}`)),
        ]);
        finish(withReason(err, { reason: 'waitTimeout', timeoutMs: opts.timeoutMs }));
      });
    }, opts.timeoutMs);
    timers.add(deadline);

    const podsOf = (t: Tracked): KubeObject[] => {
      if (!t.selector || !t.key.namespace) return [];
      const sel = t.selector;
      return [...(pods.get(t.key.namespace)?.values() ?? [])].filter((p) => matchesSelector(podLabels(p), sel));
    };

    /** Fails the wait for one object, with events, pod details and logs. */
    const failWith = async (t: Tracked, message: string, pod?: KubeObject, problem?: PodProblem) => {
      if (settled) return;
      t.status = { state: 'failed', message };
      emit(t);
      settled = true; // stop other reports (and the deadline) while the evidence is gathered
      for (const w of watches) w.stop();
      clearTimeout(deadline);
      const ns = t.key.namespace;
      const details: string[] = [];
      let text = `${t.ref} failed: ${message}`;
      if (ns) {
        const names = [t.key.name, ...(pod ? [pod.metadata.name] : [])];
        const container = problem?.container ?? (pod ? failedContainer(pod) : undefined);
        const [events, logs] = await Promise.all([
          recentEvents(cluster, ns, names),
          pod ? lastLogLines(cluster, ns, pod.metadata.name, container, { previous: problem?.reason === 'CrashLoopBackOff', lines: 20 }) : Promise.resolve([]),
        ]);
        if (events.length) {
          text += `\n  recent events:\n${events.map((e) => `    ${e}`).join('\n')}`;
          details.push(...events.map((e) => `event: ${e}`));
        }
        if (logs.length) {
          text += `\n  last log lines of ${pod!.metadata.name}${container ? `/${container}` : ''}:\n${logs.map((l) => `    ${l}`).join('\n')}`;
          details.push(...logs.map((l) => `log: ${l}`));
        }
      }
      const hint = problem ? problemHint(problem) : undefined;
      const err = new OperationError(text, hint, details);
      // The caller names its own setting for the pod's securityContext.
      finish(problem && hint && isSecurityProblem(problem) ? withReason(err, { reason: 'podSecurityContext', kind: t.key.kind, name: t.key.name, hint }) : err);
    };

    /** A Deployment's current ReplicaSet, read once per revision (see rollout-rules.ts). */
    const currentRsOf = (t: Tracked): Promise<KubeObject | undefined> => {
      const live = t.live!;
      const cacheKey = `${str(live.metadata.uid) ?? ''}|${live.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? ''}`;
      let p = currentRsCache.get(cacheKey);
      if (!p) {
        p = listObjects(cluster, 'apps/v1', 'ReplicaSet', { namespace: t.key.namespace!, labelSelector: commonLabelSelector([t.selector?.matchLabels]) })
          .then(({ items }) => currentReplicaSet(live, items))
          .catch(() => undefined);
        currentRsCache.set(cacheKey, p);
      }
      return p;
    };

    /** Whether a pod belongs to the workload's current revision (old pods may be crashing already). */
    const isCurrent = async (t: Tracked, pod: KubeObject): Promise<boolean> =>
      isCurrentPod(t.live!, pod, t.key.kind === 'Deployment' ? await currentRsOf(t) : undefined);

    const checkPod = (t: Tracked, pod: KubeObject) => {
      if (settled || t.status.state !== 'progressing' || !t.live) return;
      // Until the controller has seen the latest spec, we cannot tell new pods from old.
      if (!specObserved(t.live)) return;
      const uid = str(pod.metadata.uid) ?? pod.metadata.name;
      const d = diagnosePod(pod, {
        ...(graceMs !== undefined && { unschedulableGraceMs: graceMs }),
        ...(unschedSeen.has(uid) && { firstSeenUnschedulableAt: unschedSeen.get(uid)! }),
      });
      if (d.kind === 'ok') return;
      if (d.kind === 'grace') {
        if (!unschedSeen.has(uid)) unschedSeen.set(uid, Date.now());
        // One re-check per pod and workload when its grace runs out (pod updates may repeat).
        const timerKey = `${t.ref}|${uid}`;
        if (graceTimers.has(timerKey)) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          graceTimers.delete(timerKey);
          const cur = pods.get(t.key.namespace!)?.get(pod.metadata.name);
          if (cur) checkPod(t, cur);
        }, Math.max(d.recheckAt - Date.now(), 0) + 50);
        timers.add(timer);
        graceTimers.add(timerKey);
        return;
      }
      void isCurrent(t, pod).then((current) => {
        if (!current || settled || t.status.state !== 'progressing') return;
        const p = d.problem;
        void failWith(t, `pod ${p.pod}${p.container ? ` (container ${p.container})` : ''}: ${p.reason}: ${p.message}`, pod, p);
      });
    };

    const checkPodsOf = (t: Tracked) => {
      for (const p of podsOf(t)) checkPod(t, p);
    };

    const update = (t: Tracked, live: KubeObject) => {
      if (settled || t.status.state === 'ready') return;
      t.live = live;
      if (WORKLOAD_KINDS.has(t.key.kind)) t.selector = toSelector(rec(live.spec).selector);
      t.status = objectStatus(live, ctxFor(t));
      emit(t);
      if (t.status.state === 'failed') {
        // A failed Job: explain with its most recent failed pod.
        const failedPods = podsOf(t).filter((p) => str(rec(p.status).phase) === 'Failed');
        const pod = failedPods.at(-1) ?? podsOf(t).at(-1);
        const why = t.key.kind === 'Job' && pod ? terminatedSummary(pod) : undefined;
        void failWith(t, why ? `${t.status.message}; pod ${pod!.metadata.name}: ${why}` : t.status.message, pod);
        return;
      }
      if (t.status.state === 'progressing') {
        checkPodsOf(t);
        return;
      }
      if (all.every((x) => x.status.state === 'ready')) finish();
    };

    // One list+watch per (kind, namespace).
    const groups = new Map<string, Tracked[]>();
    for (const t of pending) {
      const k = `${t.key.apiVersion}|${t.key.kind}|${t.key.namespace ?? ''}`;
      groups.set(k, [...(groups.get(k) ?? []), t]);
    }
    for (const members of groups.values()) {
      const first = members[0]!;
      const byName = new Map(members.map((t) => [t.key.name, t]));
      const labelSelector =
        members.length > 1 && members.every((m) => m.manifest) ? commonLabelSelector(members.map((m) => m.manifest!.metadata.labels)) : undefined;
      const resource = `${first.target.info.plural}${first.key.namespace ? ` in ${first.key.namespace}` : ''}`;
      watches.push(
        startWatch(
          cluster,
          {
            apiVersion: first.key.apiVersion,
            kind: first.key.kind,
            collection: first.target.collection,
            ...(members.length === 1 ? { fieldSelector: `metadata.name=${first.key.name}` } : labelSelector ? { labelSelector } : {}),
            ...(opts.watchTimeoutSeconds !== undefined && { timeoutSeconds: opts.watchTimeoutSeconds }),
          },
          {
            onSync: (items) => {
              const found = new Set<string>();
              for (const it of items) {
                const t = byName.get(it.metadata.name);
                if (!t) continue;
                found.add(t.key.name);
                update(t, it);
              }
              for (const t of members) {
                if (found.has(t.key.name) || t.status.state === 'ready' || settled) continue;
                if (t.live) void failWith(t, 'was deleted while waiting');
                else {
                  t.status = { state: 'progressing', message: 'not found yet' };
                  emit(t);
                }
              }
            },
            onEvent: (type, obj) => {
              const t = byName.get(obj.metadata.name);
              if (!t || settled) return;
              if (type === 'DELETED') {
                if (t.status.state !== 'ready') void failWith(t, 'was deleted while waiting');
                return;
              }
              update(t, obj);
            },
            onFatal: (err) => finish(err),
            ...(opts.onTrace && { onTrace: (what, detail) => opts.onTrace!({ resource, what, ...(detail !== undefined && { detail }) }) }),
          },
        ),
      );
    }

    // One pod watch per namespace with workloads, narrowed by the labels all their pod templates share.
    const workloadsByNs = new Map<string, Tracked[]>();
    for (const t of pending) {
      if (!WORKLOAD_KINDS.has(t.key.kind) || !t.key.namespace) continue;
      workloadsByNs.set(t.key.namespace, [...(workloadsByNs.get(t.key.namespace) ?? []), t]);
    }
    for (const [ns, workloads] of workloadsByNs) {
      const templates = workloads.map((w) => rec(rec(rec(w.manifest?.spec).template).metadata).labels as Record<string, string> | undefined);
      const labelSelector = templates.every((l) => l && Object.keys(l).length) ? commonLabelSelector(templates) : undefined;
      const cache = new Map<string, KubeObject>();
      pods.set(ns, cache);
      const checkAll = (pod: KubeObject) => {
        for (const w of workloads) if (w.selector && matchesSelector(podLabels(pod), w.selector)) checkPod(w, pod);
      };
      watches.push(
        startWatch(
          cluster,
          {
            apiVersion: 'v1',
            kind: 'Pod',
            collection: `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`,
            ...(labelSelector && { labelSelector }),
            ...(opts.watchTimeoutSeconds !== undefined && { timeoutSeconds: opts.watchTimeoutSeconds }),
          },
          {
            onSync: (items) => {
              cache.clear();
              for (const p of items) cache.set(p.metadata.name, p);
              for (const p of items) checkAll(p);
            },
            onEvent: (type, pod) => {
              if (type === 'DELETED') cache.delete(pod.metadata.name);
              else {
                cache.set(pod.metadata.name, pod);
                checkAll(pod);
              }
            },
            // Pod access is a nice-to-have (fail-fast); without it we still wait on the workloads.
            onFatal: () => undefined,
            ...(opts.onTrace && { onTrace: (what, detail) => opts.onTrace!({ resource: `pods in ${ns}`, what, ...(detail !== undefined && { detail }) }) }),
          },
        ),
      );
    }
  });
}
