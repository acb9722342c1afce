// The uninstall action (docs/day2.md, "Uninstall"): deletes what the stack's revisions
// recorded and is still the stack's own, in reverse dependency order
// (src/k8s/uninstall-plan.ts), and waits until it is gone (src/k8s/delete.ts). Data is
// kept unless asked: volume claims and the generated Secrets a later deploy reuses. Runs
// in the frame of every mutating command (docs/architecture.md, "Actions"): preflight of
// its verbs, the stack's lock, a revision recorded `uninstalled`, so `history` tells the
// story and a later `rollback` can re-deploy what ran.
import { ExitCode, VhError } from '../errors.js';
import { APPLY_CONCURRENCY, FIELD_MANAGER, mapLimit } from '../k8s/apply.js';
import type { Cluster } from '../k8s/client.js';
import { deleteInWaves, type DeleteOutcome } from '../k8s/delete.js';
import { findResource, listObjects, readObject } from '../k8s/discovery.js';
import { lastSuccessful, listRevisions, REVISION_OF_LABEL, sinceUninstall, sortRevisions, uninstalledNow, type Revision } from '../k8s/revisions.js';
import { objectRef, type KubeObject, type ObjectKey } from '../k8s/types.js';
import { ownershipOf, planUninstall, recordedObjects, type KeepReason, type PlannedDelete, type SkipReason, type UninstallPlan } from '../k8s/uninstall-plan.js';
import { MANAGED_BY, podTemplate, referencedConfig, STACK_LABEL } from '../manifests/finalize.js';
import type { StackOps } from '../stacks/day2.js';
import { notDeployed } from './errors.js';
import { leaseName, preflightOperation, previewOrLocked, recorded } from './lifecycle.js';
import { noteOf, type ActionContext } from './types.js';

export interface UninstallInput {
  ops: StackOps;
  /** Delete the volume claims and generated Secrets too. */
  deleteData: boolean;
  /** Plan and show: nothing is locked or written. */
  preview: boolean;
  timeoutMs: number;
  /**
   * Asked before data is deleted, when the user may be asked: resolves true only when
   * they confirmed (typed the namespace). Without it, deleting the data was confirmed
   * beforehand.
   */
  confirmDeleteData?: (namespace: string) => Promise<boolean>;
}

/** What is in the namespace after the data was deleted. */
export interface NamespaceState {
  name: string;
  /** vh-deploy applied it (a revision recorded it, it carries vh-deploy's labels and field manager). */
  createdByVhDeploy: boolean;
  /** Objects found in it other than vh-deploy's history of the stack (the first 10), and how many. */
  others: string[];
  otherCount: number;
  /** Whether `others` was looked for (a list may be forbidden). */
  checked: boolean;
}

export interface UninstallResult {
  ok: true;
  dryRun: boolean;
  stack: string;
  namespace: string;
  deleteData: boolean;
  /** The revision recorded `uninstalled` (not in a dry run, nor when nothing was left to do). */
  revision?: number;
  /** Nothing was left to delete: the stack was uninstalled already, at this revision. */
  alreadyUninstalled?: number;
  /** Deleted (dry run: would be), in order. */
  deleted: string[];
  kept: Array<{ ref: string; key: ObjectKey; reason: KeepReason }>;
  skipped: Array<{ ref: string; reason: SkipReason }>;
  /** Re-created by someone else during the run: left alone. */
  replaced: string[];
  /** Recorded but not there any more. */
  absent: string[];
  /** Workloads that stay (another stack's, or not vh-deploy's) and read a ConfigMap or Secret this deletes. */
  readers: Reader[];
  namespaceState?: NamespaceState;
}

export interface Reader {
  reader: string;
  reads: string;
}

/**
 * The workloads that are not deleted but whose pods read a ConfigMap or Secret that
 * is (their new pods would not start): e.g. a Model Router reading the PostHog
 * connection when `cloud` is uninstalled. Pure.
 */
export function readersOfDeleted(workloads: readonly KubeObject[], deletes: readonly PlannedDelete[]): Reader[] {
  const gone = new Set(deletes.map((d) => d.ref));
  const out: Reader[] = [];
  for (const w of workloads) {
    const ref = objectRef(w);
    const t = podTemplate(w);
    if (gone.has(ref) || !t) continue;
    const ns = w.metadata.namespace;
    const { configMaps, secrets } = referencedConfig(t);
    const reads = [...[...configMaps].map((n) => `ConfigMap/${ns}/${n}`), ...[...secrets].map((n) => `Secret/${ns}/${n}`)];
    for (const r of reads) if (gone.has(r)) out.push({ reader: ref, reads: r });
  }
  return out;
}

/** The workloads of the namespace (what may read a ConfigMap or Secret); none when they may not be listed. */
async function workloadsOf(cluster: Cluster, namespace: string, signal: AbortSignal): Promise<KubeObject[]> {
  const kinds = ['Deployment', 'StatefulSet', 'DaemonSet'];
  const lists = await Promise.all(kinds.map((k) => listObjects(cluster, 'apps/v1', k, { namespace, signal }).then((l) => l.items, () => [] as KubeObject[])));
  return lists.flat();
}

/** The revision whose objects an uninstall ends: the last successful one since any earlier uninstall, or the newest. */
function endedRevision(revs: readonly Revision[]): Revision | undefined {
  return lastSuccessful(sinceUninstall(revs)) ?? sortRevisions(revs).find((r) => r.status !== 'uninstalled');
}

/** Reads the live state of every recorded object, and the claims of the namespace. */
async function readLive(cluster: Cluster, namespace: string, recordedObjs: readonly KubeObject[], signal: AbortSignal): Promise<{ live: Map<string, KubeObject>; claims: KubeObject[] }> {
  const live = new Map<string, KubeObject>();
  const reads = await mapLimit(recordedObjs, APPLY_CONCURRENCY, async (o) => {
    // A kind the cluster no longer serves (its CRD was removed) has no objects left.
    if (!(await findResource(cluster, o.apiVersion, o.kind))) return undefined;
    return readObject(cluster, o, signal);
  });
  for (const [i, r] of reads.entries()) {
    if (r.status === 'rejected') throw r.reason;
    if (r.value) live.set(objectRef(recordedObjs[i]!), r.value);
  }
  const claims = recordedObjs.some((o) => o.kind === 'StatefulSet') ? (await listObjects(cluster, 'v1', 'PersistentVolumeClaim', { namespace, signal })).items : [];
  return { live, claims };
}

export async function uninstallAction(input: UninstallInput, ctx: ActionContext): Promise<UninstallResult> {
  const { cluster, namespace, events } = ctx;
  const { ops, deleteData } = input;
  const stack = ops.stack;
  return previewOrLocked({ cluster, stack, namespace, ui: events, settings: ctx.lock, preview: input.preview }, async (signal) => {
    const revs = await listRevisions(cluster, namespace, stack.name, signal);
    if (revs.length === 0) throw notDeployed(stack.name, namespace, ops.deployCommand);
    const recordedObjs = recordedObjects(sortRevisions(revs).map((r) => r.manifests));
    const { live, claims } = await readLive(cluster, namespace, recordedObjs, signal);
    const plan = planUninstall({
      recorded: recordedObjs,
      live,
      claims,
      generatedSecrets: stack.reusedSecrets,
      deleteData,
      owner: { labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [STACK_LABEL]: stack.name }, manager: FIELD_MANAGER },
    });
    const deletes = plan.waves.flat();
    const readers = deletes.some((d) => d.key.kind === 'ConfigMap' || d.key.kind === 'Secret') ? readersOfDeleted(await workloadsOf(cluster, namespace, signal), deletes) : [];
    const base = { ok: true as const, stack: stack.name, namespace, deleteData, kept: plan.kept, skipped: plan.skipped, absent: plan.absent, replaced: [] as string[], readers };
    describe(ctx, plan);
    for (const r of readers) events.warn(`${r.reader} stays and reads ${r.reads}, which this uninstall deletes: its new pods will not start`);
    const already = uninstalledNow(revs);
    if (deletes.length === 0 && already) {
      events.note(`nothing left to delete: ${stack.name} was uninstalled at revision ${already.revision}`);
      return { ...base, dryRun: input.preview, deleted: [], alreadyUninstalled: already.revision };
    }
    const keys = deletes.map((d) => ({ apiVersion: d.key.apiVersion, kind: d.key.kind, metadata: { name: d.key.name, ...(d.key.namespace && { namespace: d.key.namespace }) } }));
    // Every verb the uninstall needs (delete, and list/watch to see each one go), before the first delete.
    await preflightOperation(cluster, { namespace, ui: events, preview: input.preview, signal, objects: [], deletes: keys, awaits: keys });
    if (input.preview) return { ...base, dryRun: true, deleted: deletes.map((d) => d.ref) };
    if (deleteData && plan.waves.flat().some((d) => d.data) && input.confirmDeleteData) {
      if (!(await input.confirmDeleteData(namespace))) throw new VhError('cancelled: the namespace typed did not match; nothing was deleted', ExitCode.interrupted);
    } else if (ctx.confirm && !(await ctx.confirm(`Uninstall ${stack.name} from namespace ${namespace}${noteOf(ctx)}, context ${cluster.contextName}${deleteData ? ', its data included' : ' (its data is kept)'}?`))) {
      throw new VhError('cancelled; nothing was deleted', ExitCode.interrupted);
    }
    const ended = endedRevision(revs);
    const values = ended?.values ?? {};
    const kept = plan.kept.filter((k) => k.reason === 'volumeClaim' || k.reason === 'generatedSecret').map((k) => k.ref);
    const spec = {
      cluster,
      stack,
      namespace,
      command: 'uninstall',
      description: deleteData ? 'uninstall, data deleted' : kept.length ? 'uninstall, data kept' : 'uninstall',
      values,
      objects: [],
      outcome: 'uninstalled' as const,
      removed: deletes.map((d) => d.ref),
      kept,
      ui: events,
    };
    return recorded(spec, async ({ revision }) => {
      const started = Date.now();
      const outcomes = await deleteInWaves(cluster, plan.waves, {
        deadline: started + input.timeoutMs,
        timeoutMs: input.timeoutMs,
        signal,
        onEvent: (e) => {
          if (e.state === 'deleted') events.note(`    ${e.ref} deleted`);
          else if (e.state === 'replaced') events.warn(`${e.ref} was re-created by someone else meanwhile: left alone`);
          else if (e.state === 'deleting') events.note(`    ${e.ref} deleting`, 'verbose');
        },
      });
      const by = (o: DeleteOutcome) => deletes.filter((d) => outcomes.get(d.ref) === o).map((d) => d.ref);
      const namespaceState = deleteData ? await inspectNamespace(cluster, namespace, stack.name, recordedObjs) : undefined;
      return {
        ...base,
        dryRun: false,
        revision: revision.revision,
        deleted: by('deleted'),
        replaced: by('replaced'),
        absent: [...plan.absent, ...by('absent')],
        ...(namespaceState && { namespaceState }),
      };
    });
  });
}

const reasonText = (r: KeepReason): string =>
  r === 'volumeClaim' ? 'data: a volume claim' : r === 'generatedSecret' ? 'data: generated secrets a later deploy reuses' : r === 'namespace' ? 'never deleted: it may hold other things' : 'a cluster-wide definition: deleting it would delete every object of its kind';

/** How a skipped object is described. Pure. */
export function skipText(r: SkipReason): string {
  return r.kind === 'manager'
    ? `not vh-deploy's: made by ${r.managers.join(', ')}`
    : `not this stack's: it lacks the label ${r.missing}${r.found ? ` (has ${r.found})` : ''}`;
}

/** The plan, for the person running it. */
function describe(ctx: ActionContext, plan: UninstallPlan): void {
  const { events, namespace, cluster } = ctx;
  const n = plan.waves.flat().length;
  events.note(`plan (namespace ${namespace}${noteOf(ctx)}, context ${cluster.contextName}): ${n} to delete in ${plan.waves.length} step${plan.waves.length === 1 ? '' : 's'}, ${plan.kept.length} kept, ${plan.skipped.length} left alone`);
  plan.waves.forEach((w, i) => events.note(`  ${i + 1}. delete ${w.map((d) => d.ref).join(', ')}`));
  for (const k of plan.kept) events.note(`  keep ${k.ref} (${reasonText(k.reason)})`);
  for (const s of plan.skipped) events.note(`  leave ${s.ref} (${skipText(s.reason)})`);
}

/** Kinds looked at to tell whether a namespace still holds anything. */
const LOOKED_AT: ReadonlyArray<[string, string]> = [
  ['v1', 'Pod'],
  ['v1', 'Service'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'ServiceAccount'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['batch/v1', 'Job'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['coordination.k8s.io/v1', 'Lease'],
];

/** Objects every namespace has, or that are this stack's own history and lock: not "other things". */
function ignorable(o: KubeObject, stack: string): boolean {
  if (o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt') return true;
  if (o.kind === 'ServiceAccount' && o.metadata.name === 'default') return true;
  if (o.kind === 'Secret' && o.metadata.labels?.[REVISION_OF_LABEL] === stack) return true;
  if (o.kind === 'Lease' && o.metadata.name === leaseName(stack)) return true;
  return false;
}

/** After the data went: whether vh-deploy made the namespace, and what else it holds. */
async function inspectNamespace(cluster: Cluster, namespace: string, stack: string, recordedObjs: readonly KubeObject[]): Promise<NamespaceState> {
  const nsRecorded = recordedObjs.some((o) => o.kind === 'Namespace' && o.metadata.name === namespace);
  const ns = nsRecorded ? await readObject(cluster, { apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined) : undefined;
  const createdByVhDeploy = ns !== undefined && ownershipOf(ns, { labels: { 'app.kubernetes.io/managed-by': MANAGED_BY }, manager: FIELD_MANAGER }).ours;
  try {
    const lists = await Promise.all(LOOKED_AT.map(([apiVersion, kind]) => listObjects(cluster, apiVersion, kind, { namespace })));
    const others = lists.flatMap((l) => l.items).filter((o) => !ignorable(o, stack) && !o.metadata.deletionTimestamp).map(objectRef);
    return { name: namespace, createdByVhDeploy, others: others.slice(0, 10), otherCount: others.length, checked: true };
  } catch {
    return { name: namespace, createdByVhDeploy, others: [], otherCount: 0, checked: false };
  }
}
