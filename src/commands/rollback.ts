// `vh-deploy rollback STACK [--to-revision N]`: re-applies a recorded revision — config
// (ConfigMaps) included, not only the pod template as `kubectl rollout undo` does
// (kubernetes/kubectl pkg/polymorphichelpers/rollback.go) — as a *new* revision, like Helm; but by default to the last
// *successful* revision before the current one, not merely the previous (helm#1796).
// Secrets are not recorded, so they keep their current values. Objects the current
// revision added are deleted (never Secrets, volume claims, Jobs or the namespace).
// Also used by `upgrade` to roll back automatically.
import type { Command } from 'commander';
import { ExitCode, InputError, OperationError, VhError } from '../errors.js';
import { dryRunObjects, type ApplyResult } from '../k8s/apply.js';
import type { Cluster } from '../k8s/client.js';
import { deploy } from '../k8s/deploy.js';
import { readObject, targetOf } from '../k8s/discovery.js';
import { chooseRollbackTarget, finishRevision, isSuccessful, listRevisions, markRevision, startRevision, type Revision } from '../k8s/revisions.js';
import { writeScale } from '../k8s/scale.js';
import { arr, keyOf, num, objectRef, rec, type KubeObject, type ObjectKey } from '../k8s/types.js';
import { STACK_LABEL } from '../manifests/finalize.js';
import { resolveStackOps, type StackOps } from '../stacks/day2.js';
import { createProgress } from '../ui/progress.js';
import { chalk, type Ui } from '../ui/output.js';
import { day2Inputs, durationMs, notDeployed, openCluster } from './day2-support.js';
import { countActions, planDiff, runHealth, type HealthResult, type PlannedChange } from './deploy-stack.js';
import type { Globals } from './inputs.js';
import { failureLine, preflightOperation, previewOrLocked, revisionDraft } from '../actions/lifecycle.js';

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

/** What executing a plan touches, for the preflight: applied, deleted, resized through /scale. Pure. */
export function planAccess(plan: RevisionPlan): { objects: KubeObject[]; deletes: KubeObject[]; scales: KubeObject[] } {
  return { objects: plan.objects, deletes: plan.prune.map(objectOf), scales: plan.scale.map((s) => objectOf(s.key)) };
}

/**
 * What a rollback from `from` (what an upgrade applies) to `target` may touch, known
 * before the upgrade runs: the target's objects, the deletes of what `from` adds, and
 * /scale writes for the workloads whose counts differ (the live state decides later,
 * so this is the most it can need). Pure.
 */
export function rollbackAccess(target: Revision, from: readonly KubeObject[]): { objects: KubeObject[]; deletes: KubeObject[]; scales: KubeObject[] } {
  const { objects } = revisionObjects(target.manifests);
  const fromById = new Map(from.map((o) => [idOf(o), o]));
  const scales = objects.filter((o) => {
    if ((o.kind !== 'Deployment' && o.kind !== 'StatefulSet') || num(rec(o.spec).replicas) === undefined) return false;
    const before = fromById.get(idOf(o));
    return before !== undefined && num(rec(before.spec).replicas) !== num(rec(o.spec).replicas);
  });
  return { objects, deletes: pruneCandidates(from, target.manifests), scales };
}

/** What an upgrade's preflight covers: its own objects, and what its automatic rollback to `base` may need. Pure. */
export function upgradeAccess(objects: readonly KubeObject[], base: Revision, rollbackOnFailure: boolean): { objects: KubeObject[]; deletes: KubeObject[]; scales: KubeObject[] } {
  if (!rollbackOnFailure) return { objects: [...objects], deletes: [], scales: [] };
  const rb = rollbackAccess(base, objects);
  return { objects: [...objects, ...rb.objects], deletes: rb.deletes, scales: rb.scales };
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

/** The changes a plan makes, per object, for the confirm prompt and --dry-run. */
export async function describePlan(cluster: Cluster, plan: RevisionPlan, dry: ApplyResult[]): Promise<PlannedChange[]> {
  const changes = await planDiff(cluster, plan.objects, dry);
  for (const s of plan.scale) changes.push({ ref: objectRef(s.key), action: 'scale', lines: [`~ spec.replicas: ${s.from} → ${s.to} (through /scale)`] });
  for (const p of plan.prune) changes.push({ ref: objectRef(p), action: `delete (not in revision ${plan.target.revision})`, lines: [] });
  return changes;
}

export function printChanges(ui: Ui, changes: PlannedChange[], secrets: string[]): void {
  if (changes.length === 0) ui.note('no changes: the cluster already matches that revision');
  for (const c of changes) ui.note(c.lines.length ? `${c.ref} (${c.action})\n${c.lines.map((l) => `    ${l}`).join('\n')}` : `${c.ref} (${c.action})`);
  if (secrets.length) ui.note(chalk.dim(`not restored (Secret values are never recorded; they keep their current values): ${secrets.join(', ')}`));
}

export interface RollbackResult {
  revision: Revision;
  applied: ApplyResult[];
  health: HealthResult[];
}

/**
 * Applies a plan as a new revision (`rollback to N`), waits, checks health, and marks
 * `current` rolled-back. Throws when the apply, the wait or a health check fails (the
 * new revision is then recorded as failed).
 */
export async function executeRollback(
  cluster: Cluster,
  o: { ops: StackOps; namespace: string; ui: Ui; globals: Globals; plan: RevisionPlan; current?: Revision; signal: AbortSignal; description?: string },
): Promise<RollbackResult> {
  const { ops, namespace, ui, globals, plan } = o;
  const stack = ops.stack;
  const rev = await startRevision(
    cluster,
    revisionDraft({ stack, namespace, command: 'rollback', description: o.description ?? `rollback to ${plan.target.revision}`, values: plan.target.values, objects: plan.target.manifests, rollbackTo: plan.target.revision }),
  );
  let applied: ApplyResult[];
  let health: HealthResult[];
  try {
    for (const s of plan.scale) await writeScale(cluster, s.key, s.to);
    const progress = await createProgress(ui);
    try {
      ({ applied } = await deploy(cluster, plan.objects, { skipDryRun: true, timeoutMs: globals.timeoutMs, forceConflicts: globals.forceConflicts, signal: o.signal, onEvent: (e) => progress.event(e) }));
    } finally {
      progress.stop();
    }
    for (const p of plan.prune) {
      const t = await targetOf(cluster, p);
      await cluster.requestOk('DELETE', t.path, { okStatuses: [404], query: { propagationPolicy: 'Background' }, what: objectRef(p) });
      ui.note(`    ${objectRef(p)} deleted`);
    }
    health = await runHealth(cluster, namespace, stack.health(plan.target.values));
    const bad = health.filter((h) => !h.ok);
    if (bad.length) throw new OperationError(`${stack.name} is back on revision ${plan.target.revision} but unhealthy: ${bad.map((h) => `${h.name}: ${h.detail}`).join('; ')}`);
  } catch (e) {
    await finishRevision(cluster, rev, 'failed', { error: failureLine(e) }).catch(() => undefined);
    throw e;
  }
  // The rollback itself succeeded: failing to write the records is only a warning.
  try {
    const done = await finishRevision(cluster, rev, 'deployed');
    if (o.current && o.current.revision !== plan.target.revision) {
      // Re-read: finishing may have marked it superseded.
      const latest = (await listRevisions(cluster, namespace, stack.name)).find((r) => r.revision === o.current!.revision) ?? o.current;
      await markRevision(cluster, latest, 'rolled-back');
    }
    return { revision: done, applied, health };
  } catch (err) {
    ui.warn(`could not record the rollback of ${stack.name} (revision ${rev.revision}): ${failureLine(err)}`);
    return { revision: { ...rev, status: 'deployed' }, applied, health };
  }
}

function parseRevisionNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--to-revision: expected a revision number (1, 2, …); got ${JSON.stringify(raw)}`);
  return n;
}

export async function runRollback(cmd: Command, stackName: string, opts: { toRevision?: string }): Promise<void> {
  const ctx = await day2Inputs(cmd);
  const { globals, prompter } = ctx.inputs;
  const { ui } = ctx;
  const ops = resolveStackOps(stackName);
  const to = parseRevisionNumber(opts.toRevision);
  const settings = globals.lock;
  const namespace = globals.namespace ?? ops.stack.defaultNamespace;
  const preview = globals.dryRun !== 'none' || globals.diff;
  const cluster = await openCluster(ctx);
  try {
    const run = async (signal: AbortSignal) => {
      const revs = await listRevisions(cluster, namespace, ops.stack.name);
      if (revs.length === 0) throw notDeployed(ops.stack.name, namespace, ops.deployCommand);
      const choice = chooseRollbackTarget(revs, to);
      if (!choice.ok) {
        if (to !== undefined) throw new InputError(`--to-revision: ${choice.message}`);
        throw new OperationError(`cannot roll back ${ops.stack.name}: ${choice.message}`, 'name a revision with --to-revision N (see `vh-deploy history`)');
      }
      const { target, current } = choice;
      if (!isSuccessful(target)) ui.warn(`revision ${target.revision} was ${target.status}${target.error ? ` (${target.error})` : ''}; rolling back to it as asked`);
      ui.note(`${chalk.bold(ops.stack.name)} in ${namespace} (context ${cluster.contextName}): revision ${current.revision} (${current.status}, ${current.description}) → revision ${target.revision} (${target.description}${target.version ? `, ${target.version}` : ''})`);
      const plan = await planRevision(cluster, ops.stack.name, target, current.manifests);
      // Every verb the rollback needs (a user without `delete` must not be stopped after the apply).
      await preflightOperation(cluster, { namespace, ui, preview, signal, ...planAccess(plan) });
      const dry = await dryRunObjects(cluster, plan.objects, { forceConflicts: globals.forceConflicts, signal });
      const changes = await describePlan(cluster, plan, dry);
      ui.note(`plan: ${countActions(dry)}${plan.scale.length ? `, ${plan.scale.length} to scale` : ''}${plan.prune.length ? `, ${plan.prune.length} to delete` : ''}`);
      printChanges(ui, changes, plan.secrets);
      if (preview) {
        if (ui.json) ui.document({ ok: true, dryRun: true, stack: ops.stack.name, namespace, from: current.revision, to: target.revision, changes, secretsKept: plan.secrets });
        else ui.out(`would roll ${ops.stack.name} back to revision ${target.revision} (dry run; nothing written)`);
        return;
      }
      if (prompter && !globals.yes) {
        const go = await prompter.confirm({ message: `Roll ${ops.stack.name} back to revision ${target.revision}?`, default: true });
        if (!go) throw new VhError('cancelled; nothing was changed', ExitCode.interrupted);
      }
      const r = await executeRollback(cluster, { ops, namespace, ui, globals, plan, current, signal });
      if (ui.json) {
        ui.document({
          ok: true,
          stack: ops.stack.name,
          namespace,
          from: current.revision,
          to: target.revision,
          revision: r.revision.revision,
          changes,
          secretsKept: plan.secrets,
          objects: r.applied.map((a) => ({ ref: a.ref, action: a.action })),
          health: r.health,
          durationMs: durationMs(ctx),
        });
      } else {
        for (const h of r.health) ui.out(`${h.ok ? chalk.green('✓') : chalk.red('✗')} ${h.name}: ${h.detail} (${h.ms} ms)`);
        const changed = r.applied.filter((a) => a.action !== 'unchanged').length;
        ui.out(`${ops.stack.name} rolled back to revision ${target.revision} (recorded as revision ${r.revision.revision}): ${r.applied.length} objects, ${changed} changed (${(durationMs(ctx) / 1000).toFixed(1)} s)`);
      }
    };
    await previewOrLocked({ cluster, stack: ops.stack, namespace, ui, settings, preview }, run);
  } finally {
    cluster.close();
  }
}
