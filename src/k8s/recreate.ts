// A plan that changes an immutable field (src/k8s/immutable.ts) is found before the
// first write. Without consent it is refused, naming each object and field; with it
// (RecreateOptions.recreate) each such object is deleted orphaning its pods and claims
// (src/k8s/orphan.ts) and created anew by the apply, which then waits for it — what
// kubectl users do by hand. A larger volume in a StatefulSet's claim template grows the
// existing claims too, when their StorageClass allows expansion; a smaller one is refused
// (a claim never shrinks). docs/day2.md, "Immutable fields".
import { InputError } from '../errors.js';
import { FIELD_MANAGER, type ApplyResult } from './apply.js';
import type { Cluster } from './client.js';
import { listObjects, readObject } from './discovery.js';
import { immutableChanges, type ImmutableChange } from './immutable.js';
import { deleteOrphaning } from './orphan.js';
import { immutableFieldsMessage, withReason } from './reasons.js';
import { keyOf, objectRef, rec, str, type KubeObject, type ObjectKey } from './types.js';

const KINDS = new Set(['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet', 'Job']);

export interface ClaimGrowth {
  key: ObjectKey;
  ref: string;
  from: string;
  to: string;
}

export interface RecreatePlan {
  changes: ImmutableChange[];
  /** The planned objects to delete (orphaning) and create anew, each with its live uid. */
  recreate: Array<{ object: KubeObject; uid?: string }>;
  /** Existing claims of grown claim templates: their new size. */
  grow: ClaimGrowth[];
}

export interface RecreateOptions {
  /** Consent to delete and create anew what cannot be changed in place. */
  recreate: boolean;
  /** StorageClass name → allowVolumeExpansion (preflight's list); undefined when it could not be listed. */
  storageClasses?: Record<string, boolean> | undefined;
  signal?: AbortSignal;
}

/** One line per change: `StatefulSet/ns/x spec.serviceName: a → b`. Pure. */
export function changeLines(changes: readonly ImmutableChange[]): string[] {
  return changes.map((c) => `${c.ref} ${c.field}: ${c.from} → ${c.to}`);
}

/**
 * Reads the live objects the plan would change and says what cannot change in place.
 * Throws InputError (nothing written): a shrinking claim; a growing one whose
 * StorageClass does not allow expansion; any immutable change without `recreate`
 * (reason `immutableFields`, so the caller can name its way to consent).
 */
export async function planRecreate(cluster: Cluster, objects: readonly KubeObject[], o: RecreateOptions): Promise<RecreatePlan> {
  const candidates = objects.filter((x) => KINDS.has(x.kind));
  const live = await Promise.all(candidates.map((x) => readObject(cluster, keyOf(x), o.signal)));
  const plan: RecreatePlan = { changes: [], recreate: [], grow: [] };
  for (const [i, obj] of candidates.entries()) {
    const changes = immutableChanges(obj, live[i]);
    if (!changes.length) continue;
    plan.changes.push(...changes);
    const uid = str(rec(live[i]!.metadata).uid);
    plan.recreate.push({ object: obj, ...(uid && { uid }) });
  }
  if (!plan.changes.length) return plan;

  const shrinks = plan.changes.filter((c) => c.shrink);
  if (shrinks.length) {
    throw new InputError(`a volume claim never shrinks; nothing was written:\n  - ${changeLines(shrinks).join('\n  - ')}`, 'keep the size, or move the data to a new volume yourself');
  }
  const grown = plan.changes.filter((c) => c.grow);
  if (grown.length) {
    const claimsIn = new Map<string, Promise<KubeObject[]>>();
    const claimsOf = (ns: string) => {
      if (!claimsIn.has(ns)) claimsIn.set(ns, listObjects(cluster, 'v1', 'PersistentVolumeClaim', { namespace: ns, ...(o.signal && { signal: o.signal }) }).then((l) => l.items));
      return claimsIn.get(ns)!;
    };
    const cannot: string[] = [];
    for (const c of grown) {
      // A StatefulSet's claims are named TEMPLATE-STATEFULSET-ORDINAL.
      const pattern = new RegExp(`^${escape(c.grow!.template)}-${escape(c.key.name)}-\\d+$`);
      for (const pvc of (await claimsOf(c.key.namespace ?? cluster.defaultNamespace)).filter((x) => pattern.test(x.metadata.name))) {
        const cls = str(rec(pvc.spec).storageClassName) ?? '';
        if (o.storageClasses?.[cls] !== true) {
          cannot.push(`${objectRef(pvc)}: StorageClass ${cls || '(none)'} ${o.storageClasses === undefined ? 'could not be read' : 'does not allow volume expansion (allowVolumeExpansion)'}`);
        } else {
          plan.grow.push({ key: keyOf(pvc), ref: objectRef(pvc), from: c.grow!.from, to: c.grow!.to });
        }
      }
    }
    if (cannot.length) {
      throw new InputError(`${changeLines(grown).join('; ')}: the existing claims cannot grow; nothing was written:\n  - ${cannot.join('\n  - ')}`, 'keep the size, or use a StorageClass that allows volume expansion');
    }
  }
  if (!o.recreate) {
    const lines = changeLines(plan.changes);
    const e = new InputError(immutableFieldsMessage(lines, 'deleting the object (orphaning its pods and claims) and creating it anew applies the change'));
    throw withReason(e, { reason: 'immutableFields', objects: [...new Set(plan.changes.map((c) => c.ref))], grow: plan.grow.map((g) => g.ref), lines });
  }
  return plan;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What the dry run says of an object it cannot try (it will be deleted first). Pure. */
export function recreatedResults(plan: RecreatePlan): ApplyResult[] {
  return plan.recreate.map(({ object }) => ({ ref: objectRef(object), key: keyOf(object), action: 'skipped', resourceVersion: '', note: 'recreated: deleted orphaning its pods and claims, then created anew' }));
}

/**
 * Grows the claims, then deletes each object to recreate orphaning its dependents and
 * waits until it is gone; the apply that follows creates it. Call under the stack's lock.
 */
export async function executeRecreate(cluster: Cluster, plan: RecreatePlan, o: { signal?: AbortSignal; note?: (line: string) => void } = {}): Promise<void> {
  for (const g of plan.grow) {
    await cluster.requestOk('PATCH', `/api/v1/namespaces/${encodeURIComponent(g.key.namespace ?? cluster.defaultNamespace)}/persistentvolumeclaims/${encodeURIComponent(g.key.name)}`, {
      body: { spec: { resources: { requests: { storage: g.to } } } },
      contentType: 'application/merge-patch+json',
      query: { fieldManager: FIELD_MANAGER },
      what: g.ref,
      ...(o.signal && { signal: o.signal }),
    });
    o.note?.(`${g.ref}: volume ${g.from} → ${g.to}`);
  }
  for (const r of plan.recreate) {
    await deleteOrphaning(cluster, r.object, { ...(r.uid && { uid: r.uid }), ...(o.signal && { signal: o.signal }) });
    o.note?.(`${objectRef(r.object)}: deleted (its pods and claims keep running); created anew next`);
  }
}
