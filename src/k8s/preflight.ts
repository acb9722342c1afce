// Checks before anything is written: the server answers, the
// user may do every verb the plan needs (SelfSubjectAccessReview per verb, kind and
// namespace - all denials reported at once), and the cluster has what the plan
// relies on (default StorageClass, IngressClass, optional API groups).
import { ClusterAccessError, InputError, OperationError } from '../errors.js';
import { KubeAccessError, formatResource } from './api-error.js';
import { mapLimit } from './apply.js';
import type { Cluster } from './client.js';
import { findResource, hasGroupVersion, listObjects, serverVersion, type ServerVersion } from './discovery.js';
import { preflightFailure, withReason } from './reasons.js';
import { WORKLOAD_KINDS } from './rollout-rules.js';
import { ingressClassNames, ingressTlsSecrets, secretKeyUses, storageClassNames, type SecretKeyUse } from './references.js';
import { needsWatch } from './status.js';
import { arr, rec, splitApiVersion, str, type KubeObject } from './types.js';

export interface PreflightOptions {
  objects: readonly KubeObject[];
  requireDefaultStorageClass?: boolean;
  ingressClassName?: string;
  /** e.g. ['monitoring.coreos.com/v1'] */
  optionalGroups?: readonly string[];
  /** Also require list/watch on the kinds waited on, pods and events (default true). */
  willWait?: boolean;
  /** Namespace where the operation keeps its lock Lease and revision records (Secrets): their verbs are required too. */
  recordsIn?: string;
  /** Objects the operation may delete (a rollback prunes what its target lacks). */
  deletes?: readonly KubeObject[];
  /** Workloads resized through their /scale subresource; awaited like applied objects. */
  scales?: readonly KubeObject[];
  /** Objects read and awaited but not written (the workload an HPA change moves). */
  awaits?: readonly KubeObject[];
  /**
   * Secrets (and keys) that must exist besides those the plan's pods name (which are
   * read from the plan): e.g. one a ConfigMap of the plan only names.
   */
  secretKeys?: readonly SecretKeyUse[];
  signal?: AbortSignal;
}

/** What an operation does besides applying: see PreflightOptions. */
export type OtherAccess = Pick<PreflightOptions, 'deletes' | 'scales' | 'awaits'>;

export interface PreflightCheck {
  id: string;
  ok: boolean;
  severity: 'error' | 'warning';
  message: string;
  /** Set when the remedy is to choose another namespace (the caller says how). */
  reason?: 'namespaceTerminating';
  /**
   * The plan names something that does not exist (a Secret or its key, a StorageClass,
   * an IngressClass): bad input, exit 2, when every failed check is one.
   */
  input?: true;
}

export interface PreflightResult {
  context: string;
  server: string;
  version: ServerVersion;
  checks: PreflightCheck[];
  /** No failed error-severity check. */
  ok: boolean;
  optionalGroups: Record<string, boolean>;
  defaultStorageClass?: string;
  /** The StorageClasses, when they could be listed: name → allowVolumeExpansion. */
  storageClasses?: Record<string, boolean>;
}

export interface AccessRequirement {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  /** Optional rights only warn (e.g. reading logs for failure reports). */
  optional?: boolean;
}

export function accessLabel(r: AccessRequirement): string {
  // A subresource after the group, as kubectl and RBAC write it: deployments.apps/scale.
  const [resource, sub] = r.resource.split('/');
  return `${r.verb} ${formatResource({ group: r.group, resource: resource! })}${sub ? `/${sub}` : ''}${r.namespace ? ` in namespace ${r.namespace}` : ' (cluster-wide)'}`;
}

interface KindInfo {
  group: string;
  plural: string;
  namespaced: boolean;
}

/**
 * Every permission a plan needs. Pure, given how each kind maps to a resource:
 * get/create/patch on each object's kind and namespace (SSA creates or patches),
 * list/watch on the kinds waited on, and list/watch pods and list events where
 * workloads run (for fail-fast diagnosis). `other`: delete on what may be deleted,
 * get/update on the /scale of what is resized, and the reads and waits of what is
 * resized or only awaited.
 */
export function accessRequirements(
  objects: readonly KubeObject[],
  kindInfo: (o: KubeObject) => KindInfo | undefined,
  defaultNamespace: string,
  willWait = true,
  recordsIn?: string,
  other: OtherAccess = {},
): AccessRequirement[] {
  const out = new Map<string, AccessRequirement>();
  const add = (r: AccessRequirement) => {
    const k = `${r.verb}|${r.group}|${r.resource}|${r.namespace ?? ''}`;
    const prev = out.get(k);
    if (!prev || (prev.optional && !r.optional)) out.set(k, r);
  };
  const workloadNamespaces = new Set<string>();
  const each = (list: readonly KubeObject[] | undefined, verbs: (o: KubeObject, base: { group: string; resource: string; namespace?: string }) => void) => {
    for (const o of list ?? []) {
      const info = kindInfo(o);
      if (!info) continue;
      const ns = info.namespaced ? (o.metadata.namespace ?? defaultNamespace) : undefined;
      verbs(o, { group: info.group, resource: info.plural, ...(ns && { namespace: ns }) });
    }
  };
  const awaited = (o: KubeObject, base: { group: string; resource: string; namespace?: string }) => {
    if (willWait && needsWatch(o.kind)) for (const verb of ['list', 'watch']) add({ verb, ...base });
    if (base.namespace && WORKLOAD_KINDS.has(o.kind)) workloadNamespaces.add(base.namespace);
  };
  each(objects, (o, base) => {
    for (const verb of ['get', 'create', 'patch']) add({ verb, ...base });
    awaited(o, base);
  });
  each(other.deletes, (_o, base) => add({ verb: 'delete', ...base }));
  each(other.scales, (o, base) => {
    for (const verb of ['get', 'update']) add({ verb, ...base, resource: `${base.resource}/scale` });
    add({ verb: 'get', ...base });
    awaited(o, base);
  });
  each(other.awaits, (o, base) => {
    add({ verb: 'get', ...base });
    awaited(o, base);
  });
  if (recordsIn) for (const r of recordAccess(recordsIn)) add(r);
  if (willWait) {
    for (const ns of workloadNamespaces) {
      for (const verb of ['list', 'watch']) add({ verb, group: '', resource: 'pods', namespace: ns });
      add({ verb: 'list', group: '', resource: 'events', namespace: ns, optional: true });
      add({ verb: 'get', group: '', resource: 'pods/log', namespace: ns, optional: true });
      add({ verb: 'list', group: 'apps', resource: 'replicasets', namespace: ns, optional: true });
    }
  }
  return [...out.values()];
}

/**
 * The lock Lease (acquire, renew, take over, release) and the revision records (list to
 * number them, create, mark, prune): without these the operation would stop after its
 * first write, so they are checked with everything else.
 */
export function recordAccess(namespace: string): AccessRequirement[] {
  return [
    ...['get', 'create', 'update', 'delete'].map((verb) => ({ verb, group: 'coordination.k8s.io', resource: 'leases', namespace })),
    ...['list', 'create', 'update', 'delete'].map((verb) => ({ verb, group: '', resource: 'secrets', namespace })),
  ];
}

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** Does one of these RBAC rules grant the requirement? Pure; `*` wildcards as in RBAC. */
export function rulesAllow(rules: readonly ResourceRule[], r: AccessRequirement): boolean {
  const has = (list: readonly string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));
  return rules.some(
    (rule) =>
      has(rule.verbs, r.verb) &&
      has(rule.apiGroups, r.group) &&
      (has(rule.resources, r.resource) || (r.resource.includes('/') && !!rule.resources?.includes(`${r.resource.split('/')[0]}/*`))) &&
      !(rule.resourceNames && rule.resourceNames.length > 0),
  );
}

/** The user's rules in one namespace (SelfSubjectRulesReview): one request instead of dozens. */
async function rulesIn(cluster: Cluster, namespace: string, signal?: AbortSignal): Promise<ResourceRule[]> {
  const res = await cluster.requestOk('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
    retry: true, // a review has no side effect
    ...(signal && { signal }),
  });
  return (rec(rec(res.json()).status).resourceRules as ResourceRule[] | undefined) ?? [];
}

/**
 * Answers every requirement with as few requests as possible. A rules review may be
 * incomplete (webhook authorizers) and is only trusted to say yes for namespaced
 * access in its own namespace; everything else, and every "no", is settled by an
 * authoritative SelfSubjectAccessReview.
 */
async function canIAll(cluster: Cluster, reqs: readonly AccessRequirement[], signal?: AbortSignal): Promise<PromiseSettledResult<{ allowed: boolean; reason?: string }>[]> {
  const namespaces = [...new Set(reqs.map((r) => r.namespace).filter((n): n is string => !!n))];
  const rules = new Map<string, ResourceRule[]>();
  await Promise.all(
    namespaces.map(async (ns) => {
      try {
        rules.set(ns, await rulesIn(cluster, ns, signal));
      } catch {
        rules.set(ns, []); // fall back to one review per requirement
      }
    }),
  );
  return mapLimit(reqs, 8, async (r) => (r.namespace && rulesAllow(rules.get(r.namespace) ?? [], r) ? { allowed: true } : canI(cluster, r, signal)));
}

async function canI(cluster: Cluster, r: AccessRequirement, signal?: AbortSignal): Promise<{ allowed: boolean; reason?: string }> {
  const [resource, subresource] = r.resource.split('/');
  const res = await cluster.requestOk('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: {
          verb: r.verb,
          group: r.group,
          resource,
          ...(subresource && { subresource }),
          ...(r.namespace && { namespace: r.namespace }),
        },
      },
    },
    retry: true, // a review has no side effect
    ...(signal && { signal }),
  });
  const st = rec(rec(res.json()).status);
  const reason = str(st.reason) ?? str(st.evaluationError);
  return { allowed: st.allowed === true, ...(reason && { reason }) };
}

/** The authenticated user name (SelfSubjectReview, GA in 1.28); undefined when unavailable. */
export async function whoAmI(cluster: Cluster): Promise<string | undefined> {
  try {
    const res = await cluster.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      timeoutMs: 5_000,
    });
    if (res.status !== 201 && res.status !== 200) return undefined;
    return str(rec(rec(rec(res.json()).status).userInfo).username);
  } catch {
    return undefined;
  }
}

export async function preflight(cluster: Cluster, o: PreflightOptions): Promise<PreflightResult> {
  const signal = o.signal;
  const where = `context "${cluster.contextName}", server ${cluster.server}`;
  let version: ServerVersion;
  try {
    version = await serverVersion(cluster);
  } catch (e) {
    if (e instanceof ClusterAccessError) throw e;
    throw new ClusterAccessError(`the API server (${where}) did not answer /version: ${(e as Error).message}`);
  }
  const checks: PreflightCheck[] = [{ id: 'reachable', ok: true, severity: 'error', message: `API server ${cluster.server} answers: Kubernetes ${version.gitVersion}` }];

  // Kinds: served by the server, or added by a CRD of the same plan.
  const planned = new Map<string, KindInfo>();
  for (const c of o.objects.filter((x) => x.kind === 'CustomResourceDefinition')) {
    const spec = rec(c.spec);
    const names = rec(spec.names);
    const kind = str(names.kind);
    const plural = str(names.plural);
    if (kind && plural) planned.set(`${str(spec.group) ?? ''}/${kind}`, { group: str(spec.group) ?? '', plural, namespaced: spec.scope !== 'Cluster' });
  }
  const infos = new Map<KubeObject, KindInfo>();
  // Discovery of every group-version at once (findResource shares one request per group-version).
  const all = [...o.objects, ...(o.deletes ?? []), ...(o.scales ?? []), ...(o.awaits ?? [])];
  const found = await Promise.all(all.map((obj) => findResource(cluster, obj.apiVersion, obj.kind)));
  for (const [i, obj] of all.entries()) {
    const { group } = splitApiVersion(obj.apiVersion);
    const r = found[i];
    if (r) infos.set(obj, { group: r.group, plural: r.plural, namespaced: r.namespaced });
    else if (planned.has(`${group}/${obj.kind}`)) infos.set(obj, planned.get(`${group}/${obj.kind}`)!);
    // Only what is applied must be served: what is deleted, resized or awaited exists already.
    else if (i < o.objects.length && !checks.some((c) => c.id === `kind:${obj.apiVersion}/${obj.kind}`)) {
      checks.push({ id: `kind:${obj.apiVersion}/${obj.kind}`, ok: false, severity: 'error', message: `the cluster does not serve ${obj.kind} (${obj.apiVersion}); install its CRD first` });
    }
  }

  // The checks below are independent: one round trip for all of them, not five.
  const result: PreflightResult = { context: cluster.contextName, server: cluster.server, version, checks, ok: true, optionalGroups: {} };
  // Read permissions found missing by any section: reported together, as RBAC denials.
  const denied: string[] = [];
  const ingressClasses = ingressClassNames(o.objects);
  if (o.ingressClassName && !ingressClasses.has(o.ingressClassName)) ingressClasses.set(o.ingressClassName, 'the Ingress');
  const sections = await Promise.all([
    rbacChecks(),
    namespaceChecks(),
    storageClassChecks(),
    Promise.all([...ingressClasses].map(([name, by]) => ingressClassChecks(name, by))).then((x) => x.flat()),
    secretKeyChecks(),
    tlsSecretChecks(),
    Promise.all((o.optionalGroups ?? []).map(async (gv): Promise<PreflightCheck> => {
      const has = await hasGroupVersion(cluster, gv);
      result.optionalGroups[gv] = has;
      return { id: `api:${gv}`, ok: true, severity: 'warning', message: `${gv} ${has ? 'is served' : 'is not served (skipping what needs it)'}` };
    })),
  ]);
  for (const section of sections) checks.push(...section);
  if (denied.length) {
    const user = await whoAmI(cluster);
    throw new ClusterAccessError(
      `missing permissions${user ? ` for user "${user}"` : ''} (${where}); nothing was written. Denied:\n  - ${denied.join('\n  - ')}`,
      'ask a cluster admin to grant these verbs (e.g. a Role/RoleBinding in the namespace), or use a context that has them',
    );
  }

  result.ok = checks.every((c) => c.ok || c.severity !== 'error');
  return result;

  // RBAC: every verb, all denials at once.
  async function rbacChecks(): Promise<PreflightCheck[]> {
    const out: PreflightCheck[] = [];
    const reqs = accessRequirements(o.objects, (x) => infos.get(x), cluster.defaultNamespace, o.willWait ?? true, o.recordsIn, o);
    const answers = await canIAll(cluster, reqs, signal);
    for (const [i, a] of answers.entries()) {
      const r = reqs[i]!;
      if (a.status === 'rejected') {
        if (a.reason instanceof KubeAccessError || !(a.reason instanceof Error)) {
          throw new ClusterAccessError(`cannot check permissions (${where}): ${(a.reason as Error)?.message ?? a.reason}`);
        }
        throw a.reason;
      }
      if (a.value.allowed) continue;
      if (r.optional) out.push({ id: `rbac:${accessLabel(r)}`, ok: false, severity: 'warning', message: `not allowed to ${accessLabel(r)}; failure reports will have less detail` });
      else denied.push(accessLabel(r));
    }
    out.unshift({ id: 'rbac', ok: true, severity: 'error', message: `allowed: ${reqs.filter((r) => !r.optional).length} verb/resource/namespace combinations the plan needs` });
    return out;
  }

  // Namespaces the plan uses but neither has nor creates.
  async function namespaceChecks(): Promise<PreflightCheck[]> {
    const plannedNs = new Set(o.objects.filter((x) => x.kind === 'Namespace').map((x) => x.metadata.name));
    const usedNs = new Set([...infos].filter(([, i]) => i.namespaced).map(([x]) => x.metadata.namespace ?? cluster.defaultNamespace));
    const all = [...new Set([...usedNs, ...plannedNs])];
    const answers = await Promise.all(all.map((ns) => cluster.request('GET', `/api/v1/namespaces/${encodeURIComponent(ns)}`, { ...(signal && { signal }) })));
    const out: PreflightCheck[] = [];
    for (const [i, ns] of all.entries()) {
      const r = answers[i]!;
      if (r.status === 404 && !plannedNs.has(ns)) out.push({ id: `namespace:${ns}`, ok: false, severity: 'error', message: `namespace ${ns} does not exist and the plan does not create it` });
      // A Terminating namespace refuses new objects with a 403 that reads like RBAC: say what it is.
      if (r.status === 200 && rec(rec(r.json()).status).phase === 'Terminating') {
        out.push({
          id: `namespace:${ns}`,
          ok: false,
          severity: 'error',
          message: `namespace ${ns} is being deleted (Terminating) and accepts no new objects; wait until it is gone, or choose another namespace`,
          reason: 'namespaceTerminating',
        });
      }
    }
    return out;
  }

  // The default StorageClass (for claims without a class) and every class the plan names.
  async function storageClassChecks(): Promise<PreflightCheck[]> {
    const named = storageClassNames(o.objects);
    if (!o.requireDefaultStorageClass && named.size === 0) return [];
    let items: KubeObject[];
    try {
      ({ items } = await listObjects(cluster, 'storage.k8s.io/v1', 'StorageClass', signal ? { signal } : {}));
    } catch (e) {
      if (!(e instanceof KubeAccessError)) throw e;
      return [{ id: 'storage-class', ok: false, severity: 'warning', message: 'not allowed to list StorageClasses; cannot check the ones the plan uses' }];
    }
    result.storageClasses = Object.fromEntries(items.map((x) => [x.metadata.name, x.allowVolumeExpansion === true]));
    const names = items.map((x) => x.metadata.name).join(', ') || 'none';
    const out: PreflightCheck[] = [];
    for (const [name, by] of named) {
      out.push(
        name in result.storageClasses
          ? { id: `storage-class:${name}`, ok: true, severity: 'error', message: `StorageClass ${name} exists` }
          : { id: `storage-class:${name}`, ok: false, severity: 'error', input: true, message: `StorageClass ${name} does not exist (named by ${by}); classes: ${names}` },
      );
    }
    if (!o.requireDefaultStorageClass) return out;
    const defaults = items.filter((x) => x.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
    if (defaults.length === 0) {
      return [...out, { id: 'default-storage-class', ok: false, severity: 'error', message: `no default StorageClass (annotation storageclass.kubernetes.io/is-default-class=true); classes: ${names}` }];
    }
    result.defaultStorageClass = defaults[0]!.metadata.name;
    out.push({ id: 'default-storage-class', ok: true, severity: 'error', message: `default StorageClass ${defaults[0]!.metadata.name}` });
    if (defaults.length > 1) out.push({ id: 'default-storage-class:many', ok: false, severity: 'warning', message: `several default StorageClasses: ${defaults.map((x) => x.metadata.name).join(', ')}` });
    return out;
  }

  /**
   * Secrets the pods will read (secretKeyRef) that the plan does not write: each must
   * exist with its key. Only key names are looked at; the values are never used.
   */
  async function secretKeyChecks(): Promise<PreflightCheck[]> {
    const uses = [...secretKeyUses(o.objects, cluster.defaultNamespace)];
    for (const u of o.secretKeys ?? []) if (!uses.some((x) => x.namespace === u.namespace && x.name === u.name && x.key === u.key)) uses.push(u);
    const byName = new Map<string, SecretKeyUse[]>();
    for (const u of uses) byName.set(`${u.namespace}/${u.name}`, [...(byName.get(`${u.namespace}/${u.name}`) ?? []), u]);
    const out: PreflightCheck[] = [];
    await Promise.all(
      [...byName.values()].map(async (list) => {
        const { namespace, name } = list[0]!;
        const keys = await secretKeyNames(cluster, namespace, name, signal);
        if (keys === 'forbidden') return void denied.push(`get secrets ${name} in namespace ${namespace}`);
        for (const u of list) {
          const id = `secret:${namespace}/${name}/${u.key}`;
          if (keys === undefined) out.push({ id, ok: false, severity: 'error', input: true, message: `Secret ${namespace}/${name} does not exist (${u.usedBy} reads its key ${u.key})` });
          else if (!keys.includes(u.key)) out.push({ id, ok: false, severity: 'error', input: true, message: `Secret ${namespace}/${name} has no key ${u.key} (${u.usedBy} reads it); its keys: ${keys.join(', ') || 'none'}` });
          else out.push({ id, ok: true, severity: 'error', message: `Secret ${namespace}/${name} has key ${u.key}` });
        }
      }),
    );
    return out;
  }

  /** The TLS Secrets Ingresses serve that must exist already: each there, of type kubernetes.io/tls. */
  async function tlsSecretChecks(): Promise<PreflightCheck[]> {
    return Promise.all(
      ingressTlsSecrets(o.objects, cluster.defaultNamespace).map(async ({ namespace, name, usedBy }): Promise<PreflightCheck> => {
        const id = `tls-secret:${namespace}/${name}`;
        const type = await secretType(cluster, namespace, name, signal);
        if (type === 'forbidden') {
          denied.push(`get secrets ${name} in namespace ${namespace}`);
          return { id, ok: true, severity: 'warning', message: `Secret ${namespace}/${name}: not allowed to read it` };
        }
        if (type === undefined) return { id, ok: false, severity: 'error', input: true, message: `Secret ${namespace}/${name} does not exist (${usedBy} serves TLS with it)` };
        if (type !== 'kubernetes.io/tls') return { id, ok: false, severity: 'error', input: true, message: `Secret ${namespace}/${name} is of type ${type}, not kubernetes.io/tls (${usedBy} serves TLS with it)` };
        return { id, ok: true, severity: 'error', message: `Secret ${namespace}/${name} is a kubernetes.io/tls Secret` };
      }),
    );
  }

  async function ingressClassChecks(name: string, by: string): Promise<PreflightCheck[]> {
    const r = await cluster.request('GET', `/apis/networking.k8s.io/v1/ingressclasses/${encodeURIComponent(name)}`, { ...(signal && { signal }) });
    if (r.status === 200) return [{ id: 'ingress-class', ok: true, severity: 'error', message: `IngressClass ${name} exists` }];
    if (r.status === 404) return [{ id: 'ingress-class', ok: false, severity: 'error', input: true, message: `IngressClass ${name} does not exist (named by ${by})` }];
    return [{ id: 'ingress-class', ok: false, severity: 'warning', message: `cannot read IngressClass ${name} (HTTP ${r.status})` }];
  }
}

/** Throws when an error-severity check failed, listing each (reason `preflightFailed`). */
export function assertPreflight(r: PreflightResult): void {
  const bad = r.checks.filter((c) => !c.ok && c.severity === 'error');
  if (bad.length === 0) return;
  const messages = bad.map((c) => c.message);
  // Only names the plan was given that do not exist: bad input (exit 2), nothing written.
  const e = bad.every((c) => c.input) ? new InputError(preflightFailure(r.context, messages)) : new OperationError(preflightFailure(r.context, messages), undefined, messages);
  throw withReason(e, { reason: 'preflightFailed', context: r.context, failed: bad });
}

/**
 * The type of a Secret (undefined: it does not exist; 'forbidden': not allowed to read
 * it), asked as a Table: the server answers with its columns (name, type, number of
 * keys, age) and no data at all.
 */
export async function secretType(cluster: Cluster, namespace: string, name: string, signal?: AbortSignal): Promise<string | undefined | 'forbidden'> {
  const r = await cluster.requestOk('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`, {
    okStatuses: [403, 404],
    accept: 'application/json;as=Table;g=meta.k8s.io;v=v1',
    what: `Secret/${namespace}/${name}`,
    ...(signal && { signal }),
  });
  if (r.status === 403) return 'forbidden';
  if (r.status === 404) return undefined;
  const table = rec(r.json());
  const column = arr(table.columnDefinitions).findIndex((c) => str(rec(c).name) === 'Type');
  return str(arr(rec(arr(table.rows)[0]).cells)[column]) ?? '(unknown)';
}

/**
 * The key names of a Secret (undefined: it does not exist; 'forbidden': not allowed to
 * read it). The values arrive with the object and are dropped here, unused.
 */
export async function secretKeyNames(cluster: Cluster, namespace: string, name: string, signal?: AbortSignal): Promise<string[] | undefined | 'forbidden'> {
  const r = await cluster.requestOk('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`, {
    okStatuses: [403, 404],
    what: `Secret/${namespace}/${name}`,
    ...(signal && { signal }),
  });
  if (r.status === 403) return 'forbidden';
  if (r.status === 404) return undefined;
  return Object.keys(rec(rec(r.json()).data)).sort();
}
