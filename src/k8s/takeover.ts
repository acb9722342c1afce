// Taking over objects another tool created with client-side `kubectl apply`
// (docs/adopt.md). Generic: a stack declares what the other tool's objects look like (a
// table of LegacyEntry); this module finds them, plans what becomes of each against the
// rendered plan, and provides the writes the take-over needs. It knows no stack and no flag.
import { OperationError } from '../errors.js';
import { sleep, type Cluster } from './client.js';
import { findResource, listObjects, readObject, targetOf } from './discovery.js';
import { stableJson } from './apply.js';
import { arr, keyOf, objectRef, rec, str, type KubeObject } from './types.js';
import { quantity } from './immutable.js';

/** The field manager of client-side `kubectl apply` (since Kubernetes 1.18). */
export const CLIENT_SIDE_APPLY_MANAGER = 'kubectl-client-side-apply';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What becomes of an object the other tool made:
 * - take-over: vh-deploy's plan has an object of the same kind and name; its fields pass to vh-deploy;
 * - replace: vh-deploy's plan has its own object under another name (`replacedBy`); the
 *   old one is deleted once the whole plan is in place, never before;
 * - data: a PersistentVolumeClaim whose volume must survive (rebound, never deleted with its data).
 */
export type LegacyFate = 'take-over' | 'replace' | 'data';

export interface LegacyEntry {
  apiVersion: string;
  kind: string;
  name: string;
  /** Labels the other tool set on it (e.g. `app: model-router`); all must match. */
  labels?: Readonly<Record<string, string>>;
  fate: LegacyFate;
  /** replace: the object in vh-deploy's plan that replaces it; data: the claim that takes its volume. */
  replacedBy?: string;
  /** replace: the replacement's kind when it is not the same (a Deployment replaced by a StatefulSet). */
  replacedByKind?: string;
  /**
   * replace: deleted, its pods gone, before anything of the plan starts: a data store
   * whose volume passes to its replacement must never have two writers.
   */
  stopFirst?: true;
}

export interface FoundLegacy {
  entry: LegacyEntry;
  object: KubeObject;
}

/**
 * Made by client-side `kubectl apply` and never by vh-deploy: the last-applied annotation
 * or a field manager `kubectl-client-side-apply`, and no vh-deploy label or field manager.
 * Pure.
 */
export function isClientSideApplied(o: KubeObject, ownManager: string): boolean {
  const annotations = rec(o.metadata.annotations);
  const managers = arr(o.metadata.managedFields).map((m) => str(rec(m).manager));
  const csa = typeof annotations[LAST_APPLIED] === 'string' || managers.includes(CLIENT_SIDE_APPLY_MANAGER);
  const ours = rec(o.metadata.labels)['app.kubernetes.io/managed-by'] === ownManager || managers.includes(ownManager);
  return csa && !ours;
}

/**
 * Whether an object carries every label the entry names, on itself or in its selector
 * (the script's PostHog Deployments have `app=` only in their selector). Pure.
 */
export function labelsMatch(o: KubeObject, labels: Readonly<Record<string, string>> | undefined): boolean {
  const selector = rec(rec(o.spec).selector);
  const live = { ...rec(selector.matchLabels ?? selector), ...rec(o.metadata.labels) };
  return Object.entries(labels ?? {}).every(([k, v]) => live[k] === v);
}

/**
 * Reads each declared object in `namespace`; returns those the other tool made. A kind
 * the cluster does not serve (a ServiceMonitor without its CRD) cannot have been made.
 */
export async function findLegacy(cluster: Cluster, namespace: string, entries: readonly LegacyEntry[], ownManager: string): Promise<FoundLegacy[]> {
  const found = await Promise.all(
    entries.map(async (entry): Promise<FoundLegacy | undefined> => {
      if (!(await findResource(cluster, entry.apiVersion, entry.kind))) return undefined;
      const object = await readObject(cluster, { apiVersion: entry.apiVersion, kind: entry.kind, name: entry.name, namespace });
      if (!object || !labelsMatch(object, entry.labels) || !isClientSideApplied(object, ownManager)) return undefined;
      return { entry, object: { ...object, apiVersion: entry.apiVersion, kind: entry.kind } };
    }),
  );
  return found.filter((f): f is FoundLegacy => f !== undefined);
}

/** What the take-over does with each object found, against the rendered plan. */
export interface TakeoverPlan {
  /** Same kind and name in the plan: ownership passes to vh-deploy, then the plan's manifest is applied (forced). */
  takeOver: Array<{ live: KubeObject; desired: KubeObject }>;
  /**
   * Workloads whose selector changes (immutable): deleted orphaning their ReplicaSets or
   * pods, which keep serving, then created from the plan.
   */
  recreate: Array<{ live: KubeObject; desired: KubeObject }>;
  /** Services whose selector changes: applied only once the recreated workloads are available. */
  late: Array<{ live: KubeObject; desired: KubeObject }>;
  /** Deleted once the whole plan is in place; `replacement` is the plan's object that takes its place, if any. */
  remove: Array<{ live: KubeObject; replacement?: KubeObject }>;
  /** Claims whose volumes pass to the plan's claims (`claim`: the plan's claim name). */
  data: Array<{ live: KubeObject; claim: string }>;
  /** Deleted first, their pods gone, before the volumes move and the plan starts. */
  stopFirst: Array<{ live: KubeObject; replacement?: KubeObject }>;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

const sameObject = (a: KubeObject, kind: string, name: string) => a.kind === kind && a.metadata.name === name;
const selectorOf = (o: KubeObject) => rec(o.spec).selector;

/** Pure: the plan for what was found. */
export function planTakeover(found: readonly FoundLegacy[], plan: readonly KubeObject[]): TakeoverPlan {
  const tp: TakeoverPlan = { takeOver: [], recreate: [], late: [], remove: [], data: [], stopFirst: [] };
  for (const { entry, object: live } of found) {
    if (entry.fate === 'data') {
      tp.data.push({ live, claim: entry.replacedBy ?? live.metadata.name });
      continue;
    }
    const name = entry.fate === 'replace' ? entry.replacedBy : entry.name;
    const kind = entry.fate === 'replace' ? (entry.replacedByKind ?? entry.kind) : entry.kind;
    const desired = name === undefined ? undefined : plan.find((o) => sameObject(o, kind, name));
    if (entry.fate === 'replace' || !desired) {
      (entry.stopFirst ? tp.stopFirst : tp.remove).push({ live, ...(desired && { replacement: desired }) });
      continue;
    }
    const selectorChanges = stableJson(selectorOf(live)) !== stableJson(selectorOf(desired));
    if (WORKLOADS.has(entry.kind) && selectorChanges) tp.recreate.push({ live, desired });
    else if (entry.kind === 'Service' && selectorChanges) tp.late.push({ live, desired });
    else tp.takeOver.push({ live, desired });
  }
  // A Service waits for the switch only while old pods of a re-created workload serve
  // behind it; one whose old backends are stopped first (a data store) is needed at once.
  const serving = (svc: KubeObject) =>
    tp.recreate.some((r) => {
      const podLabels = rec(rec(rec(rec(r.live.spec).template).metadata).labels);
      const selector = Object.entries(rec(rec(svc.spec).selector));
      return selector.length > 0 && selector.every(([k, v]) => podLabels[k] === v);
    });
  tp.takeOver.push(...tp.late.filter((l) => !serving(l.live)));
  tp.late = tp.late.filter((l) => serving(l.live));
  return tp;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
  time?: string;
}

function mergeFields(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeFields(rec(out[k]), rec(v)) : v;
  return out;
}

/**
 * The managed fields with the client-side apply manager's set handed to `manager` as an
 * Apply operation (merged into its own Apply entry of the same apiVersion, if any). A
 * later server-side apply by `manager` then removes what the old manifest set and the new
 * one does not (the last-applied annotation included), instead of leaving it owned by
 * nobody. This is what kubectl does when it moves an object from client-side to
 * server-side apply (`k8s.io/client-go/util/csaupgrade`, `UpgradeManagedFields`). Pure.
 */
export function upgradeManagedFields(managedFields: readonly unknown[], manager: string): ManagedFieldsEntry[] | undefined {
  const entries = managedFields.map((m) => rec(m) as ManagedFieldsEntry);
  const csa = entries.findIndex((m) => m.manager === CLIENT_SIDE_APPLY_MANAGER && m.operation === 'Update' && !m.subresource);
  if (csa < 0) return undefined;
  const old = entries[csa]!;
  const own = entries.findIndex((m) => m.manager === manager && m.operation === 'Apply' && m.apiVersion === old.apiVersion && !m.subresource);
  const out = [...entries];
  if (own >= 0) {
    out[own] = { ...out[own], fieldsV1: mergeFields(rec(out[own]!.fieldsV1), rec(old.fieldsV1)) };
    out.splice(csa, 1);
  } else {
    out[csa] = { ...old, manager, operation: 'Apply' };
  }
  return out;
}

/**
 * Hands the client-side apply manager's fields of a live object to `manager` (a JSON
 * patch of metadata.managedFields, guarded by the resourceVersion read). Nothing to do
 * when no such manager is left.
 */
export async function transferOwnership(cluster: Cluster, live: KubeObject, manager: string, signal?: AbortSignal): Promise<void> {
  const next = upgradeManagedFields(arr(live.metadata.managedFields), manager);
  if (!next) return;
  const t = await targetOf(cluster, live);
  await cluster.requestOk('PATCH', t.path, {
    body: [
      { op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion },
      { op: 'replace', path: '/metadata/managedFields', value: next },
    ],
    contentType: 'application/json-patch+json',
    what: objectRef(t.key),
    ...(signal && { signal }),
  });
}

/** Deletes one object (dependents in the background), only this incarnation; gone already is fine. */
export async function deleteObject(cluster: Cluster, live: KubeObject, signal?: AbortSignal): Promise<void> {
  const t = await targetOf(cluster, live);
  const uid = str(live.metadata.uid);
  await cluster.requestOk('DELETE', t.path, {
    body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(uid !== undefined && { preconditions: { uid } }) },
    okStatuses: [404, 409],
    what: objectRef(t.key),
    ...(signal && { signal }),
  });
}

/** The objects a workload owns directly (a Deployment's ReplicaSets, a StatefulSet's pods). */
export async function ownedBy(cluster: Cluster, owner: KubeObject, signal?: AbortSignal): Promise<KubeObject[]> {
  const kind = owner.kind === 'Deployment' ? { apiVersion: 'apps/v1', kind: 'ReplicaSet' } : { apiVersion: 'v1', kind: 'Pod' };
  const { items } = await listObjects(cluster, kind.apiVersion, kind.kind, { namespace: owner.metadata.namespace!, ...(signal && { signal }) });
  return items.filter((o) => arr(o.metadata.ownerReferences).some((r) => rec(r).uid === owner.metadata.uid));
}

/** Ready endpoints of a Service, by the pod behind each (EndpointSlices, `kubernetes.io/service-name`). */
export async function readyEndpointPods(cluster: Cluster, namespace: string, service: string, signal?: AbortSignal): Promise<string[]> {
  const { items } = await listObjects(cluster, 'discovery.k8s.io/v1', 'EndpointSlice', {
    namespace,
    labelSelector: `kubernetes.io/service-name=${service}`,
    ...(signal && { signal }),
  });
  return items.flatMap((s) =>
    arr(s.endpoints)
      .map(rec)
      .filter((e) => rec(e.conditions).ready !== false)
      .map((e) => str(rec(e.targetRef).name) ?? str(arr(e.addresses)[0]) ?? ''),
  );
}

/**
 * Waits until a Service's ready endpoints are all pods outside `oldPods` (and there is at
 * least one): the switch of its selector has reached the endpoints.
 */
export async function waitForEndpointsMoved(
  cluster: Cluster,
  service: KubeObject,
  oldPods: ReadonlySet<string>,
  o: { deadline: number; signal?: AbortSignal; pollMs?: number },
): Promise<void> {
  const ns = service.metadata.namespace!;
  for (;;) {
    const ready = await readyEndpointPods(cluster, ns, service.metadata.name, o.signal);
    if (ready.length > 0 && ready.every((p) => !oldPods.has(p))) return;
    if (Date.now() > o.deadline) {
      throw new OperationError(
        `${objectRef(keyOf(service))}: its endpoints did not move to the new pods in time (${ready.length} ready, ${ready.filter((p) => oldPods.has(p)).length} of them old)`,
        'the old pods are still serving; look at the new pods and the Service selector',
      );
    }
    await sleep(o.pollMs ?? 200, o.signal);
  }
}

/** The claim a StatefulSet's volumeClaimTemplate makes for its pod `ordinal`: TEMPLATE-STS-N. */
export function templateClaim(plan: readonly KubeObject[], claimName: string): KubeObject | undefined {
  for (const sts of plan.filter((o) => o.kind === 'StatefulSet')) {
    for (const t of arr(rec(sts.spec).volumeClaimTemplates).map(rec)) {
      const tname = str(rec(t.metadata).name);
      if (tname && claimName === `${tname}-${sts.metadata.name}-0`) {
        return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claimName, namespace: sts.metadata.namespace }, spec: rec(t.spec) };
      }
    }
  }
  return undefined;
}

/**
 * Why a claim's volume cannot pass safely to the plan's claim `target`, from what is live
 * (the old claim, its PersistentVolume, and whether `target` exists already). Pure.
 */
export function volumeMoveProblems(claim: KubeObject, pv: KubeObject | undefined, target: KubeObject | undefined, targetExists: boolean): string[] {
  const ref = `PersistentVolumeClaim/${claim.metadata.name}`;
  const phase = str(rec(claim.status).phase);
  if (phase !== 'Bound' || !pv) return [`${ref} is ${phase ?? 'not bound'}: no volume to keep`];
  const problems: string[] = [];
  const pvName = pv.metadata.name;
  if (!target) problems.push(`${ref}: the plan has no claim ${claimName(target)} to take its volume`);
  if (targetExists) problems.push(`${ref}: PersistentVolumeClaim/${claimName(target)} exists already; its volume is not the script's`);
  const want = quantity(rec(rec(rec(target?.spec).resources).requests).storage);
  const have = quantity(rec(rec(pv.spec).capacity).storage);
  if (want !== undefined && have !== undefined && have < want) problems.push(`PersistentVolume/${pvName} holds ${String(rec(rec(pv.spec).capacity).storage)}, less than the ${String(rec(rec(rec(target?.spec).resources).requests).storage)} vh-deploy's claim asks for`);
  const targetClass = str(rec(target?.spec).storageClassName);
  const pvClass = str(rec(pv.spec).storageClassName);
  if (targetClass !== undefined && pvClass !== targetClass) problems.push(`PersistentVolume/${pvName} is of StorageClass ${pvClass ?? '(none)'}, vh-deploy's claim asks for ${targetClass}`);
  return problems;
}
const claimName = (o: KubeObject | undefined) => o?.metadata.name ?? '(none)';

/**
 * Passes a bound claim's volume to another claim name, data kept: the PersistentVolume is
 * set to Retain, the old claim deleted (its pods must be gone), then the volume is
 * reserved for `target` (spec.claimRef with no uid), which binds it when it is created.
 * Its name and uid do not change.
 */
export async function moveVolume(cluster: Cluster, claim: KubeObject, target: string, o: { deadline: number; signal?: AbortSignal }): Promise<string> {
  const pvName = str(rec(claim.spec).volumeName)!;
  const pvPath = `/api/v1/persistentvolumes/${encodeURIComponent(pvName)}`;
  const mergePatch = (body: unknown) =>
    cluster.requestOk('PATCH', pvPath, { body, contentType: 'application/merge-patch+json', what: `PersistentVolume/${pvName}`, ...(o.signal && { signal: o.signal }) });
  await mergePatch({ spec: { persistentVolumeReclaimPolicy: 'Retain' } });
  await deleteObject(cluster, claim, o.signal);
  const claimPath = (await targetOf(cluster, claim)).path;
  for (;;) {
    const r = await cluster.requestOk('GET', claimPath, { okStatuses: [404], ...(o.signal && { signal: o.signal }) });
    if (r.status === 404) break;
    if (Date.now() > o.deadline) throw new OperationError(`PersistentVolumeClaim/${claim.metadata.name} is still there (a pod still uses it?)`, 'its PersistentVolume is Retain now: the data is safe; delete the pod that uses the claim and run again');
    await sleep(250, o.signal);
  }
  await mergePatch({ spec: { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: target, uid: null, resourceVersion: null } } });
  return pvName;
}
