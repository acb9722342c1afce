// Applies a plan by its dependencies (src/k8s/dependencies.ts): every object starts as
// soon as what it waits for is applied or ready, instead of waiting for the slowest
// object of a whole earlier group (docs/architecture.md, "Ordering"). With `wait`, each
// object is then watched until ready (rule 5); the first failure aborts the rest.
import { applyObject, type ApplyOptions, type ApplyResult } from './apply.js';
import type { Cluster } from './client.js';
import type { PlanNode } from './dependencies.js';
import { invalidateDiscovery } from './discovery.js';
import { WORKLOAD_KINDS } from './rollout-rules.js';
import { waitForObjects, type WaitProgress } from './wait.js';

export interface ScheduleOptions {
  apply: ApplyOptions;
  /** Wait for readiness (a dependency on `ready` then means ready; without, applied). CRDs are always awaited. */
  wait: boolean;
  /** Epoch ms by which everything must be ready. */
  deadline: number;
  signal?: AbortSignal;
  unschedulableGraceMs?: number;
  /** How many applies run at once. */
  concurrency: number;
  onApplied?: (r: ApplyResult) => void;
  onProgress?: (p: WaitProgress) => void;
  /** An object that cannot start yet, and what it waits for (once, when the run starts). */
  onBlocked?: (ref: string, on: string[]) => void;
  /** Runs after an object is applied, before it is awaited (e.g. raising a workload to its HPA floor). */
  afterApply?: (node: PlanNode, r: ApplyResult) => Promise<void>;
}

type State = 'waiting' | 'applying' | 'applied' | 'ready';

/** Applies (and awaits) every node; results in the plan's order. */
export async function applyByDependencies(cluster: Cluster, nodes: readonly PlanNode[], o: ScheduleOptions): Promise<ApplyResult[]> {
  const state = new Map<string, State>(nodes.map((n) => [n.ref, 'waiting']));
  const results = new Map<string, ApplyResult>();
  const inPlan = (ref: string) => state.has(ref);
  const ctl = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, ctl.signal]) : ctl.signal;
  const isCrd = (ref: string) => ref.startsWith('CustomResourceDefinition/');
  const met = (d: PlanNode['deps'][number]) => {
    if (!inPlan(d.ref)) return true;
    const s = state.get(d.ref)!;
    const needReady = d.need === 'ready' && (o.wait || isCrd(d.ref));
    return needReady ? s === 'ready' : s === 'applied' || s === 'ready';
  };
  for (const n of nodes) {
    const blockers = n.deps.filter((d) => inPlan(d.ref) && d.need === 'ready' && (o.wait || isCrd(d.ref))).map((d) => d.ref);
    if (blockers.length) o.onBlocked?.(n.ref, blockers);
  }

  // Objects that are ready once written go before workloads when both may start: they
  // unblock the pods that read them, and nothing of theirs takes long.
  const queue = [...nodes].sort((a, b) => Number(WORKLOAD_KINDS.has(a.object.kind)) - Number(WORKLOAD_KINDS.has(b.object.kind)));
  let running = 0; // applies in flight (bounded by concurrency)
  let active = 0; // objects being applied or awaited
  let failed = false;
  return new Promise<ApplyResult[]>((resolve, reject) => {
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      ctl.abort(e);
      // The caller's own abort (Ctrl-C, lock lost) is the reason, not the aborted request.
      reject(o.signal?.aborted ? o.signal.reason : e);
    };
    const pump = () => {
      if (failed) return;
      if ([...state.values()].every((s) => s === 'ready')) return resolve(nodes.map((n) => results.get(n.ref)!));
      for (const n of queue) {
        if (running >= o.concurrency) break;
        if (state.get(n.ref) !== 'waiting' || !n.deps.every(met)) continue;
        state.set(n.ref, 'applying');
        running++;
        active++;
        void start(n).then(
          () => {
            active--;
            pump();
          },
          (e: unknown) => fail(e),
        );
      }
      if (active === 0 && ![...state.values()].every((s) => s === 'ready') && !failed) {
        // Nothing runs and nothing can start: only a dependency graph bug gets here.
        fail(new Error(`nothing left to start: ${nodes.filter((n) => state.get(n.ref) === 'waiting').map((n) => n.ref).join(', ')}`));
      }
    };
    const start = async (n: PlanNode) => {
      let r: ApplyResult;
      try {
        r = await applyObject(cluster, n.object, { ...o.apply, signal });
      } finally {
        running--;
      }
      results.set(n.ref, r);
      o.onApplied?.(r);
      state.set(n.ref, 'applied');
      pump(); // dependents that need it only applied can start now
      await o.afterApply?.(n, r);
      if (o.wait || n.object.kind === 'CustomResourceDefinition') {
        const target = { ...n.object, metadata: { ...n.object.metadata, ...(r.key.namespace && { namespace: r.key.namespace }) } };
        await waitForObjects(cluster, [target], {
          timeoutMs: Math.max(o.deadline - Date.now(), 1_000),
          signal,
          ...(o.onProgress && { onProgress: o.onProgress }),
          ...(o.unschedulableGraceMs !== undefined && { unschedulableGraceMs: o.unschedulableGraceMs }),
        });
        if (n.object.kind === 'CustomResourceDefinition') invalidateDiscovery(cluster);
      }
      state.set(n.ref, 'ready');
    };
    if (signal.aborted) return fail(signal.reason);
    pump();
  });
}
