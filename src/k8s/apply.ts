// Server-side apply (docs/architecture.md rule 4): field manager `vh-deploy`, strict field
// validation, no silent force, the manifest sent verbatim (client-node's serializer
// drops unknown fields, kubernetes-client/javascript src/object.ts KubernetesObjectApi.patch), a dry run of the whole plan before the
// first write, and group-by-group apply with a wait between groups.
import { ClusterAccessError, OperationError, VhError } from '../errors.js';
import { KubeAccessError, KubeApiError, redactSecretValues, type StatusCause } from './api-error.js';
import { reasonOf, withReason, type EngineReason } from './reasons.js';
import { ApiUnreachableError, type Cluster, type KubeResponse } from './client.js';
import { findResource, invalidateDiscovery, readObject, targetOf, type Target } from './discovery.js';
import { applyGroups, type ApplyGroup } from './order.js';
import { clearFailedJob, jobFailure, rerunsIfFailed, type FailedRun } from './job-rerun.js';
import { waitForObjects } from './wait.js';
import { keyOf, objectRef, rec, str, type KubeObject, type ObjectKey } from './types.js';

export const FIELD_MANAGER = 'vh-deploy';
const APPLY_PATCH = 'application/apply-patch+yaml';
/** How many objects are applied at once. */
export const APPLY_CONCURRENCY = 8;

export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'skipped';

export interface ApplyResult {
  ref: string;
  key: ObjectKey;
  action: ApplyAction;
  resourceVersion: string;
  /** Why a dry run skipped the object (its namespace or CRD is created by the plan). */
  note?: string;
  /** A skipped object that cannot exist yet: its namespace does not. */
  absent?: true;
  /**
   * A dry run of an object whose namespace the plan creates: the server validated it as
   * if it were in this existing namespace (STAND_IN_NAMESPACE) instead.
   */
  validatedIn?: string;
  /** The object as the server returned it; Secret data is removed. */
  object?: KubeObject;
  /** A failed Job that was deleted to run it again (src/k8s/job-rerun.ts): its failure. */
  rerun?: FailedRun;
}

export interface ApplyOptions {
  dryRun?: boolean;
  /** Take over fields owned by other managers (server-side apply with force=true). */
  forceConflicts?: boolean;
  fieldManager?: string;
  signal?: AbortSignal;
  /**
   * What a server-side dry run just found, by ref: the live resourceVersion ('' = absent).
   * Saves the read before each write; an object changed by someone else in between is
   * reported as configured, never as unchanged.
   */
  knownLive?: ReadonlyMap<string, string>;
  /** Objects this operation already applied, same manifest, by ref (the namespace created to hold the Lease). */
  done?: ReadonlyMap<string, ApplyResult>;
}

/**
 * The live state a dry run saw, for ApplyOptions.knownLive. Skipped objects are left
 * out, except those known to be absent (in a namespace that does not exist yet): a
 * first deploy then writes each object without reading it first.
 */
export function liveStateOf(dryRun: readonly ApplyResult[]): Map<string, string> {
  return new Map(dryRun.filter((r) => r.action !== 'skipped' || r.absent).map((r) => [r.ref, r.action === 'created' || r.absent ? '' : r.resourceVersion]));
}

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await fn(items[i]!, i) };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** `conflict with "kubectl-edit" using apps/v1` -> the manager (and subresource when given). */
function conflictOwner(cause: StatusCause): { manager: string; subresource?: string } | undefined {
  const m = /conflict with "([^"]+)"(?: with subresource "([^"]+)")?/.exec(cause.message ?? '');
  return m ? { manager: m[1]!, ...(m[2] && { subresource: m[2] }) } : undefined;
}

/** The owner of a conflicting field, for messages. */
export function conflictManager(cause: StatusCause): string {
  const o = conflictOwner(cause);
  if (!o) return 'another field manager';
  return o.subresource ? `"${o.manager}" (subresource ${o.subresource})` : `"${o.manager}"`;
}

/** A 409 whose every conflicting field is owned by `manager` itself (through another operation or subresource). Pure. */
export function onlyOwnConflicts(status: number, causes: readonly StatusCause[], manager: string): boolean {
  const conflicts = causes.filter((c) => c.reason === 'FieldManagerConflict' || c.field);
  return status === 409 && conflicts.length > 0 && conflicts.every((c) => conflictOwner(c)?.manager === manager);
}

/** Builds the message of a 409 apply conflict: which managers own which fields. */
export function formatConflict(ref: string, causes: StatusCause[], apiMessage: string): string {
  const byManager = new Map<string, string[]>();
  for (const c of causes.filter((c) => c.reason === 'FieldManagerConflict' || c.field)) {
    const m = conflictManager(c);
    byManager.set(m, [...(byManager.get(m) ?? []), c.field ?? '(unknown field)']);
  }
  if (byManager.size === 0) return `${ref}: conflict: ${apiMessage}`;
  const parts = [...byManager].map(([m, fields]) => `${m} owns ${fields.join(', ')}`);
  return `${ref}: field conflict with another field manager: ${parts.join('; ')}`;
}

const CONFLICT_HINT =
  'another tool changed these fields since vh-deploy last applied them; undo that change, or apply again with forceConflicts to take the fields over (their current values are overwritten)';

/** Turns a failed apply into the error the user sees, naming the object. */
export function applyError(obj: KubeObject, ref: string, e: unknown): Error {
  if (!(e instanceof KubeApiError)) return e instanceof Error ? e : new Error(String(e));
  const msg = redactSecretValues(e.apiMessage, obj);
  const causes = e.causes.map((c) => ({ ...c, ...(c.message !== undefined && { message: redactSecretValues(c.message, obj) }) }));
  if (e.status === 409) {
    return withReason(new KubeApiError(formatConflict(ref, causes, msg), { status: 409, reason: e.reason, apiMessage: msg, causes }, CONFLICT_HINT), { reason: 'conflict' });
  }
  // Server-side apply reports unknown fields as a 500 "failed to create typed patch object
  // (...): .spec.replicaz: field not declared in schema": that is a manifest error.
  const unknown = /field not declared in schema/.test(msg) ? /\): (.*)$/s.exec(msg)?.[1] ?? msg : undefined;
  if (unknown) {
    return new KubeApiError(`${ref}: rejected by the API server: unknown field: ${unknown}`, { status: e.status, reason: e.reason, apiMessage: msg, causes });
  }
  const what = e.status === 422 || e.status === 400 ? 'rejected by the API server' : `apply failed (HTTP ${e.status})`;
  return new KubeApiError(`${ref}: ${what}: ${msg}`, { status: e.status, reason: e.reason, apiMessage: msg, causes });
}

function bodyFor(obj: KubeObject, t: Target): KubeObject {
  const metadata = { ...obj.metadata };
  if (t.key.namespace) metadata.namespace = t.key.namespace;
  else delete metadata.namespace;
  return { ...obj, metadata };
}

function withoutSecretData(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret') return o;
  const { data: _d, stringData: _s, ...rest } = o;
  return rest as KubeObject;
}

const VOLATILE_META = ['managedFields', 'resourceVersion'];

/** Stable JSON for comparing a live object with a dry-run result. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const metadata = { ...o.metadata };
    for (const k of VOLATILE_META) delete metadata[k];
    return { ...o, metadata };
  };
  return stableJson(strip(a)) === stableJson(strip(b));
}

/** Server-side apply of one object. Reads it first so the result can say created / configured / unchanged. */
export async function applyObject(cluster: Cluster, obj: KubeObject, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const t = await targetOf(cluster, obj);
  const ref = objectRef(t.key);
  const body = bodyFor(obj, t);
  const signal = opts.signal;
  const prior = opts.dryRun ? undefined : opts.done?.get(ref);
  if (prior) return prior;
  try {
    const known = opts.dryRun ? undefined : opts.knownLive?.get(ref);
    // A Job that may be re-run is always read: whether it failed decides what happens.
    const rerunnable = rerunsIfFailed(obj);
    const live = known === undefined || rerunnable ? await readObject(cluster, t.key, signal) : undefined;
    const failure = rerunnable ? jobFailure(live) : undefined;
    if (failure && opts.dryRun) {
      return { ref, key: t.key, action: 'skipped', resourceVersion: str(live?.metadata.resourceVersion) ?? '', note: `failed before (${failure}): deleted with its pods and run again` };
    }
    const rerun = failure && live ? await clearFailedJob(cluster, live, signal) : undefined;
    const liveRv = rerun ? '' : known !== undefined && !rerunnable ? known : live?.metadata.resourceVersion;
    const manager = opts.fieldManager ?? FIELD_MANAGER;
    const patch = (force: boolean) =>
      cluster.requestOk('PATCH', t.path, {
        query: { fieldManager: manager, fieldValidation: 'Strict', force: force ? true : undefined, dryRun: opts.dryRun ? 'All' : undefined },
        body: JSON.stringify(body),
        contentType: APPLY_PATCH,
        what: ref,
        ...(signal && { signal }),
      });
    let res: KubeResponse;
    try {
      res = await patch(Boolean(opts.forceConflicts));
    } catch (e) {
      // Fields whose only other owner is vh-deploy itself (`scale` sets spec.replicas
      // through /scale, an Update under the same name) are not someone else's change.
      if (opts.forceConflicts || !(e instanceof KubeApiError) || !onlyOwnConflicts(e.status, e.causes, manager)) throw e;
      res = await patch(true);
    }
    const out = res.json<KubeObject>();
    const rv = str(out.metadata?.resourceVersion) ?? '';
    let action: ApplyAction;
    // 201 is the server's word for "created". Seen absent but answered 200: someone
    // created it in between, and we cannot tell whether we changed it.
    if (res.status === 201) action = 'created';
    else if (!liveRv) action = 'configured';
    else if (opts.dryRun) action = live && sameContent(live, out) ? 'unchanged' : 'configured';
    else action = rv === liveRv ? 'unchanged' : 'configured';
    return { ref, key: t.key, action, resourceVersion: rv, object: withoutSecretData(out), ...(rerun && { rerun }) };
  } catch (e) {
    throw applyError(obj, ref, e);
  }
}

function problemLine(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Each failure's reason, or else its hint: what an error standing for them all must carry. */
function several(failures: readonly unknown[]): EngineReason {
  return {
    reason: 'several',
    parts: failures.map((f) => {
      const reason = reasonOf(f);
      const hint = f instanceof VhError ? f.hint : undefined;
      return { ...(reason && { reason }), ...(hint && { hint }) };
    }),
  };
}

/**
 * Throws one error for many failures, so the user sees every problem at once.
 * Access problems win (exit 3); otherwise exit 1 with one detail line per failure.
 */
export function aggregateFailures(what: string, failures: unknown[], total: number): Error {
  const access = failures.filter((f) => f instanceof ClusterAccessError);
  if (access.length > 0 && access.length === failures.length && access.length === 1) return access[0] as Error;
  if (access.length > 0) {
    // Every request went unanswered (the API server is gone): keep that distinguishable.
    const Cls = access.length === failures.length && access.every((f) => f instanceof ApiUnreachableError) ? ApiUnreachableError : ClusterAccessError;
    const err = new Cls(
      `${what}: ${access.length} request(s) ${Cls === ApiUnreachableError ? 'got no answer' : 'refused'}: ${[...new Set(access.map(problemLine))].join('; ')}`,
      (access[0] as VhError).hint,
    );
    return withReason(err, several(access.slice(0, 1)));
  }
  if (failures.length === 1) return failures[0] as Error;
  const hints = [...new Set(failures.map((f) => (f instanceof VhError ? f.hint : undefined)).filter((h): h is string => !!h))];
  const details = failures.map(problemLine);
  const err = new OperationError(`${what}: ${failures.length} of ${total} objects failed:\n  - ${details.join('\n  - ')}`, hints.join('; ') || undefined, details);
  return withReason(err, several(failures));
}

/** Applies one group in parallel; every failure of the group is reported together. */
export async function applyGroup(cluster: Cluster, group: ApplyGroup, opts: ApplyOptions, onApplied?: (r: ApplyResult) => void): Promise<ApplyResult[]> {
  const settled = await mapLimit(group.objects, APPLY_CONCURRENCY, async (o) => {
    const r = await applyObject(cluster, o, opts);
    onApplied?.(r);
    return r;
  });
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
  if (opts.signal?.aborted) throw opts.signal.reason;
  if (failures.length > 0) throw aggregateFailures(`apply of ${group.name}`, failures, group.objects.length);
  if (group.objects.some((o) => o.kind === 'CustomResourceDefinition')) invalidateDiscovery(cluster);
  return settled.map((s) => (s as PromiseFulfilledResult<ApplyResult>).value);
}

/** Applies in group order, in parallel inside a group. Does not wait for readiness (see deploy). */
export async function applyObjects(cluster: Cluster, objects: readonly KubeObject[], opts: ApplyOptions & { onApplied?: (r: ApplyResult) => void } = {}): Promise<ApplyResult[]> {
  checkPlan(objects);
  const out: ApplyResult[] = [];
  for (const g of applyGroups(objects)) {
    const results = await applyGroup(cluster, g, opts, opts.onApplied);
    out.push(...results);
    // Custom resources of later groups cannot be applied before their CRD is Established.
    const crds = results.filter((r) => r.key.kind === 'CustomResourceDefinition').map((r) => r.key);
    if (crds.length && !opts.dryRun) {
      await waitForObjects(cluster, crds, { timeoutMs: 60_000, ...(opts.signal && { signal: opts.signal }) });
      invalidateDiscovery(cluster);
    }
  }
  return out;
}

/** Problems with a plan itself, found without the cluster. Pure. */
export function planProblems(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.apiVersion}|${objectRef(o)}`;
    if (seen.has(id)) problems.push(`${objectRef(o)} appears twice in the plan`);
    seen.add(id);
  }
  // An HPA owns spec.replicas of its target: setting it too fights the autoscaler
  // (helm/helm#7090; nginx/nginx-gateway-fabric#4858) and makes every later apply conflict with kube-controller-manager.
  for (const h of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = rec(rec(h.spec).scaleTargetRef);
    const target = objects.find(
      (o) => o.kind === ref.kind && o.metadata.name === ref.name && (o.metadata.namespace ?? '') === (h.metadata.namespace ?? ''),
    );
    if (target && rec(target.spec).replicas !== undefined) {
      problems.push(`${objectRef(target)} sets spec.replicas but ${objectRef(h)} scales it; leave replicas to the autoscaler`);
    }
  }
  return problems;
}

export function checkPlan(objects: readonly KubeObject[]): void {
  const problems = planProblems(objects);
  if (problems.length > 0) throw new OperationError(`invalid plan: ${problems.join('; ')}`, undefined, problems);
}

/** Kinds a CRD in the plan will add: `group/Kind`. */
function kindsFromPlannedCrds(objects: readonly KubeObject[]): Set<string> {
  const out = new Set<string>();
  for (const c of objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
    const spec = rec(c.spec);
    const kind = str(rec(spec.names).kind);
    if (kind) out.add(`${str(spec.group) ?? ''}/${kind}`);
  }
  return out;
}

/**
 * Where a dry run validates an object whose own namespace the plan creates: a dry run
 * writes nothing, so that namespace never exists for it. `default` exists in every
 * cluster and cannot be deleted. (docs/cli.md, "Server dry run into a new namespace".)
 */
export const STAND_IN_NAMESPACE = 'default';

/**
 * A dry-run create (POST, dryRun=All, fieldValidation=Strict) of the object in the
 * stand-in namespace: decoding, unknown fields, defaulting, the kind's validation and
 * admission all run there as they would in its own namespace. A 409 AlreadyExists
 * (something of that name lives in `default`) still means valid: the API server
 * validates before its storage looks the name up (k8s.io/apiserver registry Store.Create:
 * BeforeCreate and the admission checks, then the dry-run storage's existence check).
 * Not checked: what only the new namespace would add (its quota, LimitRanges,
 * PodSecurity labels). Without permission to create there, the object is `skipped`
 * and says it was not validated.
 */
async function dryRunInStandIn(cluster: Cluster, obj: KubeObject, t: Target, opts: Omit<ApplyOptions, 'dryRun'>): Promise<ApplyResult> {
  const ref = objectRef(t.key);
  const note = `namespace ${t.key.namespace!} is created by this plan`;
  const stand = await targetOf(cluster, { ...obj, metadata: { ...obj.metadata, namespace: STAND_IN_NAMESPACE } });
  try {
    await cluster.requestOk('POST', stand.collection, {
      query: { fieldManager: opts.fieldManager ?? FIELD_MANAGER, fieldValidation: 'Strict', dryRun: 'All' },
      body: JSON.stringify(bodyFor(obj, stand)),
      what: ref,
      okStatuses: [409],
      ...(opts.signal && { signal: opts.signal }),
    });
  } catch (e) {
    if (e instanceof KubeAccessError && e.status === 403) {
      return { ref, key: t.key, action: 'skipped', resourceVersion: '', absent: true, note: `${note}; not validated (no permission to create it in namespace ${STAND_IN_NAMESPACE})` };
    }
    throw applyError(obj, ref, e);
  }
  return { ref, key: t.key, action: 'created', resourceVersion: '', absent: true, note, validatedIn: STAND_IN_NAMESPACE };
}

/**
 * Server-side dry run (dryRun=All) of the whole plan before the first write, with
 * every failure collected (validation, admission, conflicts, RBAC) so the user sees
 * all problems at once. Objects whose namespace this same plan creates are validated
 * in a stand-in namespace (dryRunInStandIn); custom resources whose CRD it creates
 * cannot be checked yet and come back as `skipped` with a note.
 */
export async function dryRunObjects(cluster: Cluster, objects: readonly KubeObject[], opts: Omit<ApplyOptions, 'dryRun'> = {}): Promise<ApplyResult[]> {
  checkPlan(objects);
  const plannedNamespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const plannedKinds = kindsFromPlannedCrds(objects);
  const nsExists = new Map<string, Promise<boolean>>();
  const namespaceExists = (ns: string) => {
    let p = nsExists.get(ns);
    if (!p) {
      p = cluster
        .requestOk('GET', `/api/v1/namespaces/${encodeURIComponent(ns)}`, { okStatuses: [404], ...(opts.signal && { signal: opts.signal }) })
        .then((r) => r.status !== 404);
      nsExists.set(ns, p);
    }
    return p;
  };
  const ordered = applyGroups(objects).flatMap((g) => g.objects);
  const settled = await mapLimit(ordered, APPLY_CONCURRENCY, async (o): Promise<ApplyResult> => {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
    const skip = (note: string, key: ObjectKey, absent?: true): ApplyResult => ({ ref: objectRef(key), key, action: 'skipped', resourceVersion: '', note, ...(absent && { absent }) });
    const info = await findResource(cluster, o.apiVersion, o.kind);
    if (!info) {
      const key = keyOf(o);
      if (plannedKinds.has(`${group}/${o.kind}`)) return skip('its CustomResourceDefinition is created by this plan', key);
      throw new OperationError(`${objectRef(key)}: the cluster does not serve kind ${o.kind} in ${o.apiVersion}`, 'install its CustomResourceDefinition first, or leave it out of the plan');
    }
    const t = await targetOf(cluster, o);
    if (t.key.namespace && plannedNamespaces.has(t.key.namespace) && !(await namespaceExists(t.key.namespace))) {
      return dryRunInStandIn(cluster, o, t, opts);
    }
    return applyObject(cluster, o, { ...opts, dryRun: true });
  });
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
  if (opts.signal?.aborted) throw opts.signal.reason;
  if (failures.length > 0) throw aggregateFailures('server-side dry run', failures, ordered.length);
  return settled.map((s) => (s as PromiseFulfilledResult<ApplyResult>).value);
}
