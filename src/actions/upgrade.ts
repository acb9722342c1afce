// The upgrade action: re-renders the stack from the last *successful* revision's values,
// the secrets read from the cluster (never from a revision) and the new version; applies
// it by dependencies (PostHog's migration Job, whose name hashes the image, completes
// before web/worker roll), waits and checks health. On failure it rolls back to that
// revision with the rollback action, inside its own frame (Helm's --rollback-on-failure,
// on by default here), and reports both. Replica counts are left as they are.
import { ExitCode, OperationError, VhError } from '../errors.js';
import { dryRunObjects, type ApplyResult } from '../k8s/apply.js';
import type { Cluster } from '../k8s/client.js';
import { deploy } from '../k8s/deploy.js';
import { hasGroupVersion, readObject } from '../k8s/discovery.js';
import { lastSuccessful, listRevisions, sinceUninstall, uninstalledNow, type Revision } from '../k8s/revisions.js';
import { readSecretData } from '../k8s/secrets.js';
import { keyOf, num, rec, type KubeObject } from '../k8s/types.js';
import type { StackOps, UpgradeRequest } from '../stacks/day2.js';
import { renderStack } from '../stacks/stack.js';
import { registerSecret } from '../ui/redact.js';
import { planLines } from './deploy.js';
import { runHealth, unhealthyLine, type HealthResult } from './health.js';
import { failureLine, preflightOperation, previewOrLocked, recorded } from './lifecycle.js';
import { progressAndReruns } from './job-reruns.js';
import { countActions, planDiff, renderContext, SERVICE_MONITOR_API, type PlannedChange } from './plan.js';
import { notDeployed } from './errors.js';
import { hasSecret, refKey } from '../config/secret-refs.js';
import { leftInPlaceMessage, withActionReason } from './reasons.js';
import { rollbackAction, rollbackAccess, type Access } from './rollback.js';
import { noteOf, type ActionContext } from './types.js';

/** The base values plus each secret read from its Secret in the cluster. */
export async function valuesWithSecrets(cluster: Cluster, ops: StackOps, namespace: string, base: Record<string, unknown>): Promise<Record<string, unknown>> {
  const values = { ...base };
  const cache = new Map<string, Promise<Record<string, Buffer> | undefined>>();
  for (const src of ops.secretSources) {
    if (src.when && !src.when(values)) continue;
    // Kept in the user's own Secret (docs/day2.md, "Existing Secrets"): referenced, never read.
    if (values[refKey(src.key)] !== undefined) continue;
    let p = cache.get(src.secret);
    if (!p) cache.set(src.secret, (p = readSecretData(cluster, namespace, src.secret)));
    const v = (await p)?.[src.dataKey]?.toString('utf8');
    if (v) {
      registerSecret(v);
      values[src.key] = v;
    }
  }
  const missing = ops.stack.required(values, false).filter((k) => !hasSecret(values, k) || values[k] === '');
  if (missing.length) {
    const where = missing.map((k) => {
      const s = ops.secretSources.find((x) => x.key === k);
      return s ? `${k} (Secret ${s.secret} key ${s.dataKey})` : k;
    });
    throw withActionReason(new OperationError(`cannot re-render ${ops.stack.name} for the upgrade: no value for ${where.join(', ')}`), {
      reason: 'valuesMissing',
      stack: ops.stack.name,
      deployCommand: ops.deployCommand,
    });
  }
  return values;
}

/** An upgrade changes versions, not scale: every Deployment/StatefulSet keeps its live replica count. */
export async function keepLiveReplicas(cluster: Cluster, objects: KubeObject[]): Promise<void> {
  const scaled = objects.filter((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && num(rec(o.spec).replicas) !== undefined);
  const live = await Promise.all(scaled.map((o) => readObject(cluster, keyOf(o))));
  scaled.forEach((o, i) => {
    const have = num(rec(live[i]?.spec).replicas);
    if (have !== undefined) o.spec = { ...rec(o.spec), replicas: have };
  });
}

/** What an upgrade's preflight covers: its own objects, and what its automatic rollback to `base` may need. Pure. */
export function upgradeAccess(objects: readonly KubeObject[], base: Revision, rollbackOnFailure: boolean): Access {
  if (!rollbackOnFailure) return { objects: [...objects], deletes: [], scales: [] };
  const rb = rollbackAccess(base, objects);
  return { objects: [...objects, ...rb.objects], deletes: rb.deletes, scales: rb.scales };
}

/**
 * Why the operation was stopped rather than failed, if it was: Ctrl-C (exit 130) or a
 * lost lock, whichever error surfaced. The signal's reason is the stop itself, even when
 * what threw was a request it cut short.
 */
function stopped(e: unknown, signal: AbortSignal): VhError | undefined {
  if (e instanceof VhError && e.exitCode === ExitCode.interrupted) return e;
  if (!signal.aborted) return undefined;
  return signal.reason instanceof VhError ? signal.reason : new VhError(String(signal.reason));
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const indented = (text: string) => text.split('\n').join('\n  ');

export interface UpgradeInput {
  /** A stack that has an upgrade (StackOps.upgrade), and the request it checked. */
  ops: StackOps;
  request: UpgradeRequest;
  /** On failure, return to the revision the upgrade started from. */
  rollbackOnFailure: boolean;
  /** Plan, show the changes and stop: nothing is locked or written. */
  preview: boolean;
  /** Show every planned change before applying (verbose, or when the user is asked). */
  showChanges: boolean;
  timeoutMs: number;
  forceConflicts: boolean;
}

interface Common {
  stack: string;
  namespace: string;
  /** The revision the upgrade starts from. */
  base: Revision;
  /** The version upgraded to. */
  version: string;
}

export type UpgradeResult =
  | (Common & { ok: true; dryRun: true; changes: PlannedChange[] })
  | (Common & { ok: true; dryRun: false; revision: number; applied: ApplyResult[]; health: HealthResult[] })
  /** Failed, and rolled back to `base` (exit 4): both are reported. */
  | (Common & {
      ok: false;
      exitCode: typeof ExitCode.rolledBack;
      error: string;
      failed: { revision: number; error: string };
      rolledBack: { revision: number; health: HealthResult[] };
    });

export async function upgradeAction(input: UpgradeInput, ctx: ActionContext): Promise<UpgradeResult> {
  const { cluster, namespace, events } = ctx;
  const { ops } = input;
  const upgradeOf = ops.upgrade;
  if (!upgradeOf) throw new Error(`upgrade: ${ops.stack.name} has no upgrade`);
  return previewOrLocked({ cluster, stack: ops.stack, namespace, ui: events, settings: ctx.lock, preview: input.preview }, async (signal): Promise<UpgradeResult> => {
    const revs = await listRevisions(cluster, namespace, ops.stack.name);
    // After an uninstall there is nothing to upgrade: a deploy starts it again.
    const base = lastSuccessful(sinceUninstall(revs));
    if (!base) {
      if (revs.length === 0) throw notDeployed(ops.stack.name, namespace, ops.deployCommand);
      const gone = uninstalledNow(revs);
      if (gone) {
        throw withActionReason(new OperationError(`${ops.stack.name} was uninstalled from ${namespace} (revision ${gone.revision}); there is nothing to upgrade`), {
          reason: 'noSuccessfulRevision',
          stack: ops.stack.name,
          deployCommand: ops.deployCommand,
        });
      }
      throw withActionReason(new OperationError(`no successful revision of ${ops.stack.name} to upgrade from (history: ${revs.map((r) => `${r.revision} ${r.status}`).join(', ')})`), {
        reason: 'noSuccessfulRevision',
        stack: ops.stack.name,
        deployCommand: ops.deployCommand,
      });
    }
    const values = await valuesWithSecrets(cluster, ops, namespace, base.values);
    const next = upgradeOf.apply(values, input.request);
    const common: Common = { stack: ops.stack.name, namespace, base, version: next.version };
    const serviceMonitor = await hasGroupVersion(cluster, SERVICE_MONITOR_API);
    const objects = renderStack(ops.stack, next.values, await renderContext(cluster, ops.stack, next.values, namespace, serviceMonitor));
    await keepLiveReplicas(cluster, objects);
    // Every verb the upgrade and its automatic rollback need, before the first write.
    await preflightOperation(cluster, { namespace, ui: events, preview: input.preview, signal, ...upgradeAccess(objects, base, input.rollbackOnFailure) });
    events.note(`${ops.stack.name} in namespace ${namespace}${noteOf(ctx)}, context ${cluster.contextName}: ${fromText(base)} → ${next.version}`);
    const dry = await dryRunObjects(cluster, objects, { forceConflicts: input.forceConflicts, signal });
    events.note(`plan: ${countActions(dry)}`);
    if (input.preview || input.showChanges) {
      const changes = await planDiff(cluster, objects, dry);
      for (const l of planLines(changes)) events.note(l);
      if (input.preview) return { ...common, ok: true, dryRun: true, changes };
    }
    if (ctx.confirm && !(await ctx.confirm(`Upgrade ${ops.stack.name} in namespace ${namespace}${noteOf(ctx)}, context ${cluster.contextName}, to ${next.version}?`))) {
      throw new VhError('cancelled; nothing was applied', ExitCode.interrupted);
    }

    const spec = { cluster, stack: ops.stack, namespace, command: 'upgrade', description: `upgrade to ${next.version}`, values: next.values, objects, ui: events };
    return recorded<UpgradeResult>(
      spec,
      async (rec) => {
        const { revision } = rec;
        const { applied } = await deploy(cluster, objects, { skipDryRun: true, timeoutMs: input.timeoutMs, forceConflicts: input.forceConflicts, signal, onEvent: progressAndReruns(rec, events) });
        const health = await runHealth(cluster, namespace, ops.stack.health(next.values));
        if (health.some((h) => !h.ok)) throw new OperationError(`${ops.stack.name} ${next.version} is unhealthy: ${unhealthyLine(health)}`);
        return { ...common, ok: true, dryRun: false, revision: revision.revision, applied, health };
      },
      // Recorded failed first; then rolled back, unless the user stopped it or asked not to.
      async (e, failed) => {
        const cause = message(e);
        // Ctrl-C (or a lost lock) stops here: the user asked to stop, not to roll back,
        // and the stop keeps its exit code (130 for Ctrl-C).
        const stop = stopped(e, signal);
        if (!input.rollbackOnFailure || stop) {
          const reason = { reason: 'upgradeLeftInPlace' as const, stack: ops.stack.name, version: next.version, revision: failed.revision, base: base.revision, stopped: Boolean(stop), cause };
          throw withActionReason(new VhError(leftInPlaceMessage(reason, 'no automatic rollback was asked for'), stop?.exitCode ?? ExitCode.failed), reason);
        }
        events.warn(`upgrade to ${next.version} failed: ${failureLine(e)}`);
        events.note(`==> rolling back to revision ${base.revision} (${base.version ?? base.description})`);
        let rb;
        try {
          const within = { signal, target: base, current: failed, from: objects, description: `automatic rollback to ${base.revision} (upgrade to ${next.version} failed)` };
          rb = await rollbackAction({ ops, preview: false, timeoutMs: input.timeoutMs, forceConflicts: input.forceConflicts }, ctx, within);
        } catch (rbErr) {
          const rbStop = stopped(rbErr, signal);
          throw withActionReason(
            new VhError(
              `upgrade of ${ops.stack.name} to ${next.version} failed, and the automatic rollback to revision ${base.revision} ${rbStop ? 'was stopped' : 'failed too'}:\n  upgrade: ${indented(cause)}\n  rollback: ${indented(message(rbErr))}`,
              rbStop?.exitCode ?? ExitCode.failed,
            ),
            { reason: 'rollbackFailed', stack: ops.stack.name, base: base.revision },
          );
        }
        return {
          ...common,
          ok: false,
          exitCode: ExitCode.rolledBack,
          error: `upgrade of ${ops.stack.name} to ${next.version} failed and was rolled back to revision ${base.revision} (${base.version ?? base.description}), recorded as revision ${rb.revision}:\n  ${indented(cause)}`,
          failed: { revision: failed.revision, error: failureLine(e) },
          rolledBack: { revision: rb.revision, health: rb.health },
        };
      },
    );
  });
}

/** `1.4.2 (revision 3)`: where an upgrade starts. Pure. */
export function fromText(base: Revision): string {
  return `${base.version ?? '?'} (revision ${base.revision})`;
}
