// The rollback action: re-applies a recorded revision — config (ConfigMaps) included,
// not only the pod template as `kubectl rollout undo` does (kubernetes/kubectl
// pkg/polymorphichelpers/rollback.go) — as a *new* revision, like Helm; but by default to
// the last *successful* revision before the current one, not merely the previous
// (helm#1796). Secrets are not recorded, so they keep their current values. Objects the
// current revision added are deleted (never Secrets, volume claims, Jobs or the
// namespace). An upgrade's automatic rollback is this action too, inside the upgrade's
// frame (docs/architecture.md, "Actions").
import { ExitCode, InputError, OperationError, VhError } from '../errors.js';
import { dryRunObjects, type ApplyResult } from '../k8s/apply.js';
import type { Cluster } from '../k8s/client.js';
import { deploy } from '../k8s/deploy.js';
import { readObject, targetOf } from '../k8s/discovery.js';
import { chooseRollbackTarget, isSuccessful, listRevisions, type Revision } from '../k8s/revisions.js';
import { writeScale } from '../k8s/scale.js';
import { arr, keyOf, num, objectRef, rec, type KubeObject, type ObjectKey } from '../k8s/types.js';
import { STACK_LABEL } from '../manifests/finalize.js';
import type { StackOps } from '../stacks/day2.js';
import { planLines } from './deploy.js';
import { runHealth, unhealthyLine, type HealthResult } from './health.js';
import { preflightOperation, previewOrLocked, recorded } from './lifecycle.js';
import { countActions, planDiff, type PlannedChange } from './plan.js';
import { notDeployed } from './errors.js';
import { withActionReason } from './reasons.js';
import { noteOf, type ActionContext } from './types.js';

/** Kinds never deleted when a rollback leaves them out: data, one-off Jobs, shared namespaces, and Secrets (not recorded). */
const NEVER_PRUNE = new Set(['Namespace', 'Secret', 'PersistentVolumeClaim', 'PersistentVolume', 'Job', 'CustomResourceDefinition']);

const idOf = (o: KubeObject) => `${o.apiVersion.split('/')[0]}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;

/** What a revision's manifests become when re-applied: Secrets left out (their data is not recorded). Pure. */
export function revisionObjects(manifests: readonly KubeObject[]): { objects: KubeObject[]; secrets: string[] } {
  const objects = manifests.filter((m) => m.kind !== 'Secret').map((m) => structuredClone(m));
  const secrets = manifests.filter((m) => m.kind === 'Secret').map(objectRef);
  return { objects, secrets };
}

/** Objects of `from` that `to` does not have and that may be deleted. Pure. */
export function pruneCandidates(from: readonly KubeObject[], to: readonly KubeObject[]): KubeObject[] {
  const keep = new Set(to.map(idOf));
  return from.filter((o) => !NEVER_PRUNE.has(o.kind) && !keep.has(idOf(o)));
}

/**
 * Whether server-side apply can set spec.replicas without a conflict: only vh-deploy's
 * own apply owns it. After `scale` (the /scale subresource) or an HPA, another manager
 * owns it and the count must be restored through /scale first. Pure.
 */
export function replicasOwnedOnlyByApply(live: KubeObject, manager = 'vh-deploy'): boolean {
  const owners = arr(live.metadata.managedFields)
    .map(rec)
    .filter((e) => rec(rec(e.fieldsV1)['f:spec'])['f:replicas'] !== undefined);
  return owners.every((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
}

const objectOf = (k: ObjectKey): KubeObject => ({ apiVersion: k.apiVersion, kind: k.kind, metadata: { name: k.name, ...(k.namespace && { namespace: k.namespace }) } });

/** What a preflight covers: applied, deleted, resized through /scale. */
export interface Access {
  objects: KubeObject[];
  deletes: KubeObject[];
  scales: KubeObject[];
}

/** What executing a plan touches, for the preflight. Pure. */
export function planAccess(plan: RevisionPlan): Access {
  return { objects: plan.objects, deletes: plan.prune.map(objectOf), scales: plan.scale.map((s) => objectOf(s.key)) };
}

/**
 * What a rollback from `from` (what an upgrade applies) to `target` may touch, known
 * before the upgrade runs: the target's objects, the deletes of what `from` adds, and
 * /scale writes for the workloads whose counts differ (the live state decides later,
 * so this is the most it can need). Pure.
 */
export function rollbackAccess(target: Revision, from: readonly KubeObject[]): Access {
  const { objects } = revisionObjects(target.manifests);
  const fromById = new Map(from.map((o) => [idOf(o), o]));
  const scales = objects.filter((o) => {
    if ((o.kind !== 'Deployment' && o.kind !== 'StatefulSet') || num(rec(o.spec).replicas) === undefined) return false;
    const before = fromById.get(idOf(o));
    return before !== undefined && num(rec(before.spec).replicas) !== num(rec(o.spec).replicas);
  });
  return { objects, deletes: pruneCandidates(from, target.manifests), scales };
}

export interface RevisionPlan {
  target: Revision;
  /** To apply, in deploy order (no Secrets). */
  objects: KubeObject[];
  /** Secrets of the revision that keep their current values. */
  secrets: string[];
  /** Replica counts restored through /scale before the apply. */
  scale: Array<{ key: ObjectKey; from: number; to: number }>;
  /** Objects to delete after the apply. */
  prune: ObjectKey[];
}

/** Reads the live state a rollback to `target` needs: replica owners and what to delete. */
export async function planRevision(cluster: Cluster, stack: string, target: Revision, from?: readonly KubeObject[]): Promise<RevisionPlan> {
  const { objects, secrets } = revisionObjects(target.manifests);
  const scale: RevisionPlan['scale'] = [];
  for (const o of objects.filter((x) => (x.kind === 'Deployment' || x.kind === 'StatefulSet') && num(rec(x.spec).replicas) !== undefined)) {
    const live = await readObject(cluster, keyOf(o));
    const have = num(rec(live?.spec).replicas);
    const want = num(rec(o.spec).replicas)!;
    if (live && have !== undefined && have !== want && !replicasOwnedOnlyByApply(live)) scale.push({ key: keyOf(o), from: have, to: want });
  }
  const prune: ObjectKey[] = [];
  for (const c of pruneCandidates(from ?? [], target.manifests)) {
    const live = await readObject(cluster, keyOf(c)).catch(() => undefined);
    // Only what this stack owns: never something another tool (or stack) put there.
    if (live && live.metadata.labels?.[STACK_LABEL] === stack) prune.push(keyOf(c));
  }
  return { target, objects, secrets, scale, prune };
}

/** The changes a plan makes, per object, for the confirmation and a preview. */
async function describePlan(cluster: Cluster, plan: RevisionPlan, dry: ApplyResult[]): Promise<PlannedChange[]> {
  const changes = await planDiff(cluster, plan.objects, dry);
  for (const s of plan.scale) changes.push({ ref: objectRef(s.key), action: 'scale', lines: [`~ spec.replicas: ${s.from} → ${s.to} (through /scale)`] });
  for (const p of plan.prune) changes.push({ ref: objectRef(p), action: `delete (not in revision ${plan.target.revision})`, lines: [] });
  return changes;
}

export interface RollbackInput {
  ops: StackOps;
  /** The revision to return to; by default the last successful one before the current. */
  toRevision?: number | undefined;
  /** Plan, show and stop: nothing is locked or written. */
  preview: boolean;
  timeoutMs: number;
  forceConflicts: boolean;
}

/**
 * An upgrade's automatic rollback: it runs inside the upgrade's frame (locks held,
 * preflight done for it), to the revision the upgrade started from, undoing `current`
 * (the failed upgrade's revision), from the objects the upgrade applied.
 */
export interface WithinUpgrade {
  signal: AbortSignal;
  target: Revision;
  current: Revision;
  from: readonly KubeObject[];
  description: string;
}

interface Common {
  stack: string;
  namespace: string;
  /** The current revision, and the one returned to. */
  from: number;
  to: number;
  target: Revision;
  changes: PlannedChange[];
  /** Secrets of the target that keep their current values. */
  secretsKept: string[];
}

export type RollbackResult =
  | (Common & { ok: true; dryRun: true })
  | (Common & { ok: true; dryRun: false; revision: number; applied: ApplyResult[]; health: HealthResult[] });

export type RolledBack = Extract<RollbackResult, { dryRun: false }>;

export async function rollbackAction(input: RollbackInput, ctx: ActionContext): Promise<RollbackResult>;
export async function rollbackAction(input: RollbackInput, ctx: ActionContext, within: WithinUpgrade): Promise<RolledBack>;
export async function rollbackAction(input: RollbackInput, ctx: ActionContext, within?: WithinUpgrade): Promise<RollbackResult> {
  const { cluster, namespace, events } = ctx;
  const { ops } = input;
  if (within) {
    const plan = await planRevision(cluster, ops.stack.name, within.target, within.from);
    return execute(input, ctx, plan, within.current, within.signal, [], within.description);
  }
  return previewOrLocked({ cluster, stack: ops.stack, namespace, ui: events, settings: ctx.lock, preview: input.preview }, async (signal) => {
    const revs = await listRevisions(cluster, namespace, ops.stack.name);
    if (revs.length === 0) throw notDeployed(ops.stack.name, namespace, ops.deployCommand);
    const asked = input.toRevision;
    const choice = chooseRollbackTarget(revs, asked);
    if (!choice.ok) {
      const reason = { reason: 'noRollbackTarget' as const, stack: ops.stack.name, ...(asked !== undefined && { asked }) };
      throw withActionReason(asked !== undefined ? new InputError(choice.message) : new OperationError(`cannot roll back ${ops.stack.name}: ${choice.message}`), reason);
    }
    const { target, current } = choice;
    if (!isSuccessful(target)) events.warn(`revision ${target.revision} was ${target.status}${target.error ? ` (${target.error})` : ''}; rolling back to it as asked`);
    // docs/adopt.md: the objects a take-over replaced were never recorded.
    if (target.kind === 'adopt') events.note(`revision ${target.revision} is the take-over of another tool's install: this restores vh-deploy's objects as it applied them, never the objects it replaced`);
    events.note(`${ops.stack.name} in namespace ${namespace}${noteOf(ctx)}, context ${cluster.contextName}: revision ${current.revision} (${current.status}, ${current.description}) → revision ${target.revision} (${target.description}${target.version ? `, ${target.version}` : ''})`);
    const plan = await planRevision(cluster, ops.stack.name, target, current.manifests);
    // Every verb the rollback needs (a user without `delete` must not be stopped after the apply).
    await preflightOperation(cluster, { namespace, ui: events, preview: input.preview, signal, ...planAccess(plan) });
    // After the preflight (which names every missing verb at once), before any write.
    await assertSecretsLive(cluster, ops, target, current);
    const dry = await dryRunObjects(cluster, plan.objects, { forceConflicts: input.forceConflicts, signal });
    const changes = await describePlan(cluster, plan, dry);
    events.note(`plan: ${countActions(dry)}${plan.scale.length ? `, ${plan.scale.length} to scale` : ''}${plan.prune.length ? `, ${plan.prune.length} to delete` : ''}`);
    if (changes.length === 0) events.note('no changes: the cluster already matches that revision');
    for (const l of planLines(changes)) events.note(l);
    if (plan.secrets.length) events.note(`not restored (Secret values are never recorded; they keep their current values): ${plan.secrets.join(', ')}`);
    if (input.preview) return { ok: true, dryRun: true, ...common(input, ctx, plan, current, changes) };
    if (ctx.confirm && !(await ctx.confirm(`Roll ${ops.stack.name} back to revision ${target.revision} in namespace ${namespace}${noteOf(ctx)}, context ${cluster.contextName}?`))) {
      throw new VhError('cancelled; nothing was changed', ExitCode.interrupted);
    }
    return execute(input, ctx, plan, current, signal, changes);
  });
}

/**
 * Secret values are never recorded: a rollback re-applies the rest and keeps each
 * Secret as it is, so a Secret the target revision needs must still be there (after an
 * uninstall, only the generated ones are kept). Refused before any write otherwise.
 */
async function assertSecretsLive(cluster: Cluster, ops: StackOps, target: Revision, current: Revision): Promise<void> {
  const secrets = target.manifests.filter((m) => m.kind === 'Secret');
  const missing = (await Promise.all(secrets.map(async (m) => ((await readObject(cluster, keyOf(m))) ? undefined : objectRef(m))))).filter((r): r is string => r !== undefined);
  if (missing.length === 0) return;
  const why = current.status === 'uninstalled' ? ` (${ops.stack.name} was uninstalled at revision ${current.revision})` : '';
  throw withActionReason(
    new OperationError(`cannot roll ${ops.stack.name} back to revision ${target.revision}: ${missing.join(', ')} no longer exist${missing.length === 1 ? 's' : ''}${why}, and Secret values are never recorded`),
    { reason: 'secretsGone', stack: ops.stack.name, deployCommand: ops.deployCommand },
  );
}

function common(input: RollbackInput, ctx: ActionContext, plan: RevisionPlan, current: Revision, changes: PlannedChange[]): Common {
  return { stack: input.ops.stack.name, namespace: ctx.namespace, from: current.revision, to: plan.target.revision, target: plan.target, changes, secretsKept: plan.secrets };
}

/**
 * Applies a plan as a new revision (`rollback to N`), waits, checks health, and marks
 * `current` rolled-back. Throws when the apply, the wait or a health check fails (the
 * new revision is then recorded as failed).
 */
async function execute(input: RollbackInput, ctx: ActionContext, plan: RevisionPlan, current: Revision, signal: AbortSignal, changes: PlannedChange[], description?: string): Promise<RolledBack> {
  const { cluster, namespace, events } = ctx;
  const stack = input.ops.stack;
  const { target } = plan;
  const spec = {
    cluster,
    stack,
    namespace,
    command: 'rollback',
    description: description ?? `rollback to ${target.revision}`,
    values: target.values,
    objects: target.manifests,
    rollbackTo: target.revision,
    // Returning to the current revision itself undoes nothing.
    ...(current.revision !== target.revision && { rollsBack: current }),
    ui: events,
  };
  return recorded(spec, async ({ revision }) => {
    for (const s of plan.scale) await writeScale(cluster, s.key, s.to);
    const { applied } = await deploy(cluster, plan.objects, { skipDryRun: true, timeoutMs: input.timeoutMs, forceConflicts: input.forceConflicts, signal, onEvent: (e) => events.progress(e) });
    for (const p of plan.prune) {
      const t = await targetOf(cluster, p);
      await cluster.requestOk('DELETE', t.path, { okStatuses: [404], query: { propagationPolicy: 'Background' }, what: objectRef(p) });
      events.note(`    ${objectRef(p)} deleted`);
    }
    const health = await runHealth(cluster, namespace, stack.health(target.values));
    if (health.some((h) => !h.ok)) throw new OperationError(`${stack.name} is back on revision ${target.revision} but unhealthy: ${unhealthyLine(health)}`);
    return { ok: true as const, dryRun: false as const, ...common(input, ctx, plan, current, changes), revision: revision.revision, applied, health };
  });
}
