// What an uninstall deletes, keeps and leaves alone, and in which order (docs/day2.md,
// "Uninstall"). Pure: the recorded manifests and the live objects in, a plan out.
//
// - Only what a revision recorded is considered, and of that only what is still live
//   and still the stack's own: it carries the stack's labels and the field manager that
//   applied it still owns fields of it. An object another tool re-created under the same
//   name, or that lost those labels, is left alone and reported.
// - Data is kept unless asked: volume claims (those recorded, and those the StatefulSet
//   controller made from a recorded StatefulSet's volumeClaimTemplates: name
//   `<template>-<statefulset>-<ordinal>` carrying the selector's labels) and the Secrets
//   whose values are generated and reused by every later deploy.
// - Never deleted: the Namespace (it may hold other things) and CustomResourceDefinitions
//   (deleting one deletes every object of its kind, cluster-wide).
// - Order: the apply order reversed (src/k8s/dependencies.ts): an object goes only once
//   everything that depends on it is gone, so applications go before the migration Job,
//   the Job before the data stores, and Services, ConfigMaps, Secrets and claims after
//   every pod that reads them. Two rules of its own: what sends traffic or scaling to
//   the pods (Ingress, HorizontalPodAutoscaler, ServiceMonitor, PodMonitor) goes first,
//   so outside traffic stops before the pods do; what protects the pods
//   (NetworkPolicy, PodDisruptionBudget) goes after them, so they are never exposed.
import { dependencyPlan, PlanDependencyError, WAIT_FOR_ANNOTATION, type PlanNode } from './dependencies.js';
import { WORKLOAD_KINDS } from './rollout-rules.js';
import { arr, keyOf, objectRef, rec, str, type KubeObject, type ObjectKey } from './types.js';

/** Kinds never deleted by an uninstall. */
const NEVER_DELETE: ReadonlySet<string> = new Set(['Namespace', 'CustomResourceDefinition']);
/** Kinds that hold data. */
const DATA_KINDS: ReadonlySet<string> = new Set(['PersistentVolumeClaim', 'PersistentVolume']);
/** Entry points to the pods: deleted before them. */
const ENTRY_KINDS: ReadonlySet<string> = new Set(['Ingress', 'HorizontalPodAutoscaler', 'ServiceMonitor', 'PodMonitor']);
/** Guards of the pods: deleted after them. */
const GUARD_KINDS: ReadonlySet<string> = new Set(['NetworkPolicy', 'PodDisruptionBudget']);
const POD_KINDS: ReadonlySet<string> = new Set([...WORKLOAD_KINDS, 'CronJob', 'Pod']);

/** Why an object is kept (unless the data is deleted too), or left alone. */
export type KeepReason = 'volumeClaim' | 'generatedSecret' | 'namespace' | 'definition';
export type SkipReason =
  /** It lacks one of the labels the stack puts on what it applies (another stack's, or relabelled). */
  | { kind: 'labels'; missing: string; found?: string }
  /** No field of it belongs to the field manager that applied it: someone else made this one. */
  | { kind: 'manager'; managers: string[] };

export interface PlannedDelete {
  ref: string;
  key: ObjectKey;
  /** The incarnation that was checked: the delete is made conditional on it. */
  uid?: string;
  /** Deleted only because the data is deleted too. */
  data: boolean;
}

export interface UninstallPlan {
  /** What goes, in waves: each wave is deleted once the one before is gone. */
  waves: PlannedDelete[][];
  kept: Array<{ ref: string; key: ObjectKey; reason: KeepReason }>;
  skipped: Array<{ ref: string; reason: SkipReason }>;
  /** Recorded, but no longer there. */
  absent: string[];
}

export interface Ownership {
  /** Labels (key → value) every object the stack applies carries. */
  labels: Readonly<Record<string, string>>;
  /** The field manager of the stack's applies. */
  manager: string;
}

export interface UninstallPlanInput {
  /** What the revisions recorded, newest copy of each object. */
  recorded: readonly KubeObject[];
  /** The live object of each recorded ref that exists (objectRef → object). */
  live: ReadonlyMap<string, KubeObject>;
  /** The volume claims of the namespace (to find those of recorded StatefulSets). */
  claims: readonly KubeObject[];
  /** Secrets whose values are generated once and reused (kept with the data). */
  generatedSecrets: readonly string[];
  deleteData: boolean;
  owner: Ownership;
}

const idOf = (o: KubeObject | ObjectKey) => {
  const k = 'metadata' in o ? keyOf(o) : o;
  return `${k.apiVersion.split('/')[0]}|${k.kind}|${k.namespace ?? ''}|${k.name}`;
};

/**
 * Every object any revision recorded, once, as the newest revision that has it recorded
 * it (revisions newest first). Pure.
 */
export function recordedObjects(manifestsNewestFirst: ReadonlyArray<readonly KubeObject[]>): KubeObject[] {
  const seen = new Map<string, KubeObject>();
  for (const manifests of manifestsNewestFirst) for (const m of manifests) if (!seen.has(idOf(m))) seen.set(idOf(m), m);
  return [...seen.values()];
}

/** Whether a live object is still the stack's own; why not otherwise. Pure. */
export function ownershipOf(live: KubeObject, owner: Ownership): { ours: true } | { ours: false; reason: SkipReason } {
  const labels = live.metadata.labels ?? {};
  for (const [k, v] of Object.entries(owner.labels)) {
    if (labels[k] !== v) return { ours: false, reason: { kind: 'labels', missing: `${k}=${v}`, ...(labels[k] !== undefined && { found: `${k}=${labels[k]}` }) } };
  }
  const entries = arr(live.metadata.managedFields).map(rec);
  if (entries.length > 0 && !entries.some((e) => e.manager === owner.manager)) {
    return { ours: false, reason: { kind: 'manager', managers: [...new Set(entries.map((e) => str(e.manager) ?? '?'))] } };
  }
  return { ours: true };
}

/**
 * The claims the StatefulSet controller made for a StatefulSet from its
 * volumeClaimTemplates: `<template>-<statefulset>-<ordinal>`, labelled with the
 * selector's matchLabels (kubernetes/kubernetes pkg/controller/statefulset
 * stateful_set_utils.go getPersistentVolumeClaimName, updateClaimOwnerRef). Pure.
 */
export function claimsOf(statefulSet: KubeObject, claims: readonly KubeObject[]): KubeObject[] {
  const spec = rec(statefulSet.spec);
  const match = rec(rec(spec.selector).matchLabels) as Record<string, unknown>;
  const ns = statefulSet.metadata.namespace;
  const names = arr(spec.volumeClaimTemplates).map((t) => str(rec(rec(t).metadata).name)).filter((n): n is string => !!n);
  return claims.filter((c) => {
    if (c.metadata.namespace !== ns) return false;
    const labels = c.metadata.labels ?? {};
    if (!Object.entries(match).every(([k, v]) => labels[k] === v)) return false;
    return names.some((t) => new RegExp(`^${escape(t)}-${escape(statefulSet.metadata.name)}-\\d+$`).test(c.metadata.name));
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What goes, what stays and what is left alone. Pure. */
export function planUninstall(i: UninstallPlanInput): UninstallPlan {
  const kept: UninstallPlan['kept'] = [];
  const skipped: UninstallPlan['skipped'] = [];
  const absent: string[] = [];
  const deletes: Array<{ object: KubeObject; target: PlannedDelete }> = [];
  const generated = new Set(i.generatedSecrets);
  const add = (o: KubeObject, live: KubeObject, data: boolean) => {
    const uid = str(live.metadata.uid);
    deletes.push({ object: o, target: { ref: objectRef(o), key: keyOf(o), ...(uid && { uid }), data } });
  };
  for (const o of i.recorded) {
    const ref = objectRef(o);
    const live = i.live.get(ref);
    if (!live) {
      absent.push(ref);
      continue;
    }
    if (NEVER_DELETE.has(o.kind)) {
      kept.push({ ref, key: keyOf(o), reason: o.kind === 'Namespace' ? 'namespace' : 'definition' });
      continue;
    }
    const own = ownershipOf(live, i.owner);
    if (!own.ours) {
      skipped.push({ ref, reason: own.reason });
      continue;
    }
    const reason: KeepReason | undefined = DATA_KINDS.has(o.kind) ? 'volumeClaim' : o.kind === 'Secret' && generated.has(o.metadata.name) ? 'generatedSecret' : undefined;
    if (reason && !i.deleteData) kept.push({ ref, key: keyOf(o), reason });
    else add(o, live, reason !== undefined);
  }
  // Claims of the recorded StatefulSets (whether or not the StatefulSet is still there).
  const seen = new Set(deletes.map((d) => d.target.ref).concat(kept.map((k) => k.ref)));
  for (const sts of i.recorded.filter((o) => o.kind === 'StatefulSet')) {
    for (const c of claimsOf(sts, i.claims)) {
      const ref = objectRef(c);
      if (seen.has(ref)) continue;
      seen.add(ref);
      if (i.deleteData) add(c, c, true);
      else kept.push({ ref, key: keyOf(c), reason: 'volumeClaim' });
    }
  }
  const waves = deletionWaves(deletes.map((d) => d.object), i.recorded);
  const byRef = new Map(deletes.map((d) => [d.target.ref, d.target]));
  return { waves: waves.map((w) => w.map((o) => byRef.get(objectRef(o))!)), kept, skipped, absent };
}

/**
 * The order of deletion: waves of `objects`, each to be deleted once every earlier wave
 * is gone. `context` (what was recorded) gives the dependencies between them, also
 * through objects that are no longer there. Pure.
 */
export function deletionWaves(objects: readonly KubeObject[], context: readonly KubeObject[] = objects): KubeObject[][] {
  const all = recordedObjects([objects, context]);
  const nodes = applyGraph(all);
  const byRef = new Map(nodes.map((n) => [n.ref, n]));
  // goneFirst[x]: what must be gone before x is deleted.
  const goneFirst = new Map<string, Set<string>>(nodes.map((n) => [n.ref, new Set<string>()]));
  for (const n of nodes) for (const d of n.deps) goneFirst.get(d.ref)?.add(n.ref);
  const inNs = (pred: (k: string) => boolean, ns: string | undefined) => nodes.filter((n) => pred(n.object.kind) && n.object.metadata.namespace === ns).map((n) => n.ref);
  for (const n of nodes) {
    const ns = n.object.metadata.namespace;
    if (POD_KINDS.has(n.object.kind)) for (const e of inNs((k) => ENTRY_KINDS.has(k), ns)) goneFirst.get(n.ref)!.add(e);
    if (GUARD_KINDS.has(n.object.kind)) for (const p of inNs((k) => POD_KINDS.has(k), ns)) goneFirst.get(n.ref)!.add(p);
  }
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const waveOf = (ref: string): number => {
    const have = depth.get(ref);
    if (have !== undefined) return have;
    if (visiting.has(ref)) return -1; // a cycle through declared waits: that edge is ignored
    visiting.add(ref);
    let d = 0;
    for (const before of goneFirst.get(ref) ?? []) if (byRef.has(before)) d = Math.max(d, waveOf(before) + 1);
    visiting.delete(ref);
    depth.set(ref, d);
    return d;
  };
  const out: KubeObject[][] = [];
  for (const o of objects) (out[waveOf(objectRef(o))] ??= []).push(o);
  return out.filter((w) => w && w.length > 0);
}

/** The apply dependencies; when the recorded declarations no longer resolve (mixed revisions), the kinds decide. */
function applyGraph(objects: readonly KubeObject[]): PlanNode[] {
  try {
    return dependencyPlan(objects);
  } catch (e) {
    if (!(e instanceof PlanDependencyError)) throw e;
    return dependencyPlan(
      objects.map((o) => {
        const c = structuredClone(o);
        if (c.metadata.annotations) delete c.metadata.annotations[WAIT_FOR_ANNOTATION];
        return c;
      }),
    );
  }
}
