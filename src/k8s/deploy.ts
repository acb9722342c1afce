// A whole plan, start to finish: dry run of everything, then apply by dependencies
// (src/k8s/dependencies.ts): each object starts once what it waits for is ready (data
// stores before migration Jobs, Jobs complete before the Deployments that need them),
// everything else at once.
import { APPLY_CONCURRENCY, checkPlan, dryRunObjects, liveStateOf, type ApplyOptions, type ApplyResult } from './apply.js';
import { ApiUnreachableError, type Cluster } from './client.js';
import { OperationError } from '../errors.js';
import { withReason } from './reasons.js';
import { hpaFloors, raiseToHpaFloors } from './hpa-floor.js';
import { applyGroups } from './order.js';
import { dependencyPlan } from './dependencies.js';
import { applyByDependencies } from './schedule.js';
import { objectRef, type KubeObject } from './types.js';
import type { WaitProgress } from './wait.js';

export type DeployEvent =
  | { type: 'dry-run'; results: ApplyResult[] }
  /** Writes begin: `count` objects, each applied once what it waits for is there. */
  | { type: 'apply-start'; count: number }
  | { type: 'applied'; result: ApplyResult }
  | { type: 'progress'; progress: WaitProgress }
  /** An object that waits for others to be ready before it is applied (once, at the start). */
  | { type: 'blocked'; ref: string; on: string[] };

export interface DeployOptions extends Omit<ApplyOptions, 'dryRun'> {
  /** Wait for each group to be ready before the next (default true). */
  wait?: boolean;
  /** One deadline for all waiting (default 5 min). */
  timeoutMs?: number;
  onEvent?: (e: DeployEvent) => void;
  /** Skip the server-side dry run (only when the caller just ran one). */
  skipDryRun?: boolean;
  /** The caller's own dry run of this plan: its live state spares a read per object. */
  dryRunResults?: readonly ApplyResult[];
  unschedulableGraceMs?: number;
}

export interface DeployResult {
  dryRun: ApplyResult[];
  applied: ApplyResult[];
}

export async function deploy(cluster: Cluster, objects: readonly KubeObject[], opts: DeployOptions = {}): Promise<DeployResult> {
  const { onEvent, signal } = opts;
  const wait = opts.wait ?? true;
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  const applyOpts: ApplyOptions = {
    ...(opts.forceConflicts !== undefined && { forceConflicts: opts.forceConflicts }),
    ...(opts.fieldManager !== undefined && { fieldManager: opts.fieldManager }),
    ...(opts.done && { done: opts.done }),
    ...(signal && { signal }),
  };

  checkPlan(objects);
  // A declared dependency on nothing, or a cycle, is found before the first write.
  const nodes = dependencyPlan(objects);
  const dryRun = opts.skipDryRun ? [] : await dryRunObjects(cluster, objects, applyOpts);
  if (!opts.skipDryRun) onEvent?.({ type: 'dry-run', results: dryRun });
  applyOpts.knownLive = liveStateOf(opts.skipDryRun ? (opts.dryRunResults ?? []) : dryRun);

  const applied: ApplyResult[] = [];
  const floors = hpaFloors(objects);
  try {
    await applyAndWait();
  } catch (e) {
    // The API server went away after writes began: say what happened and how to go on.
    if (e instanceof ApiUnreachableError && !signal?.aborted) {
      const err = new OperationError(
        `lost the API server during the deploy (at least ${applied.length} of ${objects.length} objects were applied): ${e.message}`,
        'deploy the same plan again to resume: applying is idempotent, objects already applied are kept and the rest follow',
      );
      throw withReason(err, { reason: 'apiServerLost' });
    }
    throw e;
  }
  return { dryRun, applied };

  async function applyAndWait(): Promise<void> {
    onEvent?.({ type: 'apply-start', count: objects.length });
    const results = await applyByDependencies(cluster, nodes, {
      apply: applyOpts,
      wait,
      deadline,
      concurrency: APPLY_CONCURRENCY,
      ...(signal && { signal }),
      ...(opts.unschedulableGraceMs !== undefined && { unschedulableGraceMs: opts.unschedulableGraceMs }),
      onApplied: (result) => {
        applied.push(result);
        onEvent?.({ type: 'applied', result });
      },
      onProgress: (progress) => onEvent?.({ type: 'progress', progress }),
      onBlocked: (ref, on) => onEvent?.({ type: 'blocked', ref, on }),
      // Workloads left to an HPA start at 1 replica; bring new ones to its minimum
      // before waiting, so "ready" means the capacity the HPA promises.
      afterApply: async (n) => {
        const mine = floors.filter((f) => n.object.kind === f.target.kind && n.object.metadata.name === f.target.name && n.object.metadata.namespace === f.target.namespace);
        if (mine.length) await raiseToHpaFloors(cluster, mine);
      },
    });
    // The report lists objects in the plan's kind order, whatever order they finished in.
    const order = new Map(applyGroups(objects).flatMap((g) => g.objects).map((o, i) => [objectRef(o), i]));
    applied.splice(0, applied.length, ...[...results].sort((a, b) => (order.get(objectRef(a.key)) ?? 0) - (order.get(objectRef(b.key)) ?? 0)));
  }
}
