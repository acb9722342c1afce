// A whole plan, start to finish: dry run of everything, then group by group apply
// and wait, so each group only starts once what it depends on is ready (data stores
// before migration Jobs, Jobs complete before the Deployments that need them).
import { applyGroup, checkPlan, dryRunObjects, liveStateOf, type ApplyOptions, type ApplyResult } from './apply.js';
import { ApiUnreachableError, type Cluster } from './client.js';
import { OperationError } from '../errors.js';
import { invalidateDiscovery } from './discovery.js';
import { withReason } from './reasons.js';
import { hpaFloors, raiseToHpaFloors } from './hpa-floor.js';
import { applyGroups } from './order.js';
import type { KubeObject } from './types.js';
import { waitForObjects, type WaitProgress } from './wait.js';

export type DeployEvent =
  | { type: 'dry-run'; results: ApplyResult[] }
  | { type: 'group'; id: string; name: string; count: number }
  | { type: 'applied'; result: ApplyResult }
  | { type: 'progress'; progress: WaitProgress }
  | { type: 'group-ready'; id: string; name: string };

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
    for (const g of applyGroups(objects)) {
      onEvent?.({ type: 'group', id: g.id, name: g.name, count: g.objects.length });
      const results = await applyGroup(cluster, g, applyOpts, (result) => onEvent?.({ type: 'applied', result }));
      applied.push(...results);
      // Workloads left to an HPA start at 1 replica; bring new ones to its minimum
      // before waiting, so "ready" means the capacity the HPA promises.
      const inGroup = floors.filter((f) => g.objects.some((o) => o.kind === f.target.kind && o.metadata.name === f.target.name && o.metadata.namespace === f.target.namespace));
      if (inGroup.length) await raiseToHpaFloors(cluster, inGroup);

      const hasCrds = g.objects.some((o) => o.kind === 'CustomResourceDefinition');
      // CRDs are always awaited (Established): the custom resources of later groups need them.
      if (wait || hasCrds) {
        const targets = g.objects
          .map((o, i) => ({ o, r: results[i]! }))
          .filter(({ o }) => wait || o.kind === 'CustomResourceDefinition')
          .map(({ o, r }) => ({ ...o, metadata: { ...o.metadata, ...(r.key.namespace && { namespace: r.key.namespace }) } }));
        await waitForObjects(cluster, targets, {
          timeoutMs: Math.max(deadline - Date.now(), 1_000),
          onProgress: (progress) => onEvent?.({ type: 'progress', progress }),
          ...(signal && { signal }),
          ...(opts.unschedulableGraceMs !== undefined && { unschedulableGraceMs: opts.unschedulableGraceMs }),
        });
        if (hasCrds) invalidateDiscovery(cluster);
        onEvent?.({ type: 'group-ready', id: g.id, name: g.name });
      }
    }
  }
}
