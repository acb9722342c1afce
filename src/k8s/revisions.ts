// Revisions (docs/architecture.md rule 7): one Secret per revision in the stack's namespace,
// `vh-deploy.<stack>.v<N>`, holding gzipped JSON: what was applied (Secret data
// removed), the non-secret values it was rendered from, images, status and time.
// Like Helm's `sh.helm.release.v1.*` Secrets, but a rollback's default target is the
// last *successful* revision (Helm: `current-1`, helm/helm#1796), and history is capped.
// Generic: nothing here knows which stacks exist. Pure helpers first, then cluster I/O.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Cluster } from './client.js';
import { KubeApiError } from './api-error.js';
import { arr, rec, str, type KubeObject } from './types.js';

export const REVISION_TYPE = 'vh-deploy.io/revision';
export const REVISION_OF_LABEL = 'vh-deploy.io/revision-of';
export const REVISION_NUMBER_LABEL = 'vh-deploy.io/revision';
export const REVISION_STATUS_LABEL = 'vh-deploy.io/status';
export const OWNER_LABEL = 'owner';
export const OWNER = 'vh-deploy';
/** How many revisions are kept per stack. */
export const KEEP_REVISIONS = 10;
const DATA_KEY = 'revision';

/**
 * - pending: the operation is running (or its process died: the next run that takes over
 *   its lock marks it failed, see failPendingRevisions);
 * - deployed: succeeded, and is what the cluster runs now;
 * - superseded: succeeded, later replaced by another successful revision;
 * - failed: the operation failed and was left in place;
 * - rolled-back: its changes were undone by a later rollback (automatic or manual);
 * - uninstalled: the stack's objects were deleted (its data may be kept); like
 *   `deployed`, it supersedes what ran before it.
 */
export type RevisionStatus = 'pending' | 'deployed' | 'superseded' | 'failed' | 'rolled-back' | 'uninstalled';
export const REVISION_STATUSES: readonly RevisionStatus[] = ['pending', 'deployed', 'superseded', 'failed', 'rolled-back', 'uninstalled'];

export interface Revision {
  revision: number;
  stack: string;
  namespace: string;
  status: RevisionStatus;
  /** When the operation started (ISO 8601). */
  time: string;
  /** When the status last changed. */
  updated: string;
  vhDeployVersion: string;
  /** The command that made it: cloud, self-hosted, model-router, upgrade, scale, rollback. */
  command: string;
  /** One line for `history`, e.g. `upgrade to 1.5.0`, `rollback to 3`. */
  description: string;
  /** The stack's version label (image tag), when it has one. */
  version?: string;
  images: string[];
  /** Non-secret input values the manifests were rendered from. */
  values: Record<string, unknown>;
  /** The objects applied, Secret data removed. */
  manifests: KubeObject[];
  /** For an uninstall: the objects it deleted, and those it kept (data), as `Kind/ns/name`. */
  removed?: string[];
  kept?: string[];
  /** Why it failed (first line, secrets redacted). */
  error?: string;
  /** For a rollback: the revision whose manifests it re-applied. */
  rollbackTo?: number;
  /**
   * `adopt`: this revision took over objects another tool made (docs/adopt.md). Their
   * state before it was never recorded, so no rollback can return to it.
   */
  kind?: 'adopt';
}

export const revisionSecretName = (stack: string, n: number) => `vh-deploy.${stack}.v${n}`;

export const isSuccessful = (r: Pick<Revision, 'status'>) => r.status === 'deployed' || r.status === 'superseded';

/** A copy without Secret values: `data` and `stringData` removed, keys kept out too. */
export function stripSecretData(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o) => {
    const c = structuredClone(o);
    if (c.kind === 'Secret') {
      delete c.data;
      delete c.stringData;
    }
    return c;
  });
}

/** Container images of every pod template (init containers included), in order, unique. */
export function imagesOf(objects: readonly KubeObject[]): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    const spec = rec(rec(rec(o.spec).template).spec);
    for (const c of [...arr(spec.initContainers), ...arr(spec.containers)].map(rec)) {
      const image = str(c.image);
      if (image) out.add(image);
    }
  }
  return [...out];
}

/**
 * Values safe to record: secret fields and their `…File` twins are dropped, and so is
 * anything undefined. `secretKeys` comes from the stack's field table (Field.secret).
 */
export function nonSecretValues(values: Record<string, unknown>, secretKeys: readonly string[]): Record<string, unknown> {
  const drop = new Set(secretKeys.flatMap((k) => [k, `${k}File`]));
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== undefined && !drop.has(k)));
}

export function encodeRevision(r: Revision): string {
  return gzipSync(Buffer.from(JSON.stringify(r), 'utf8')).toString('base64');
}

export function decodeRevision(b64: string): Revision {
  return JSON.parse(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8')) as Revision;
}

/** Newest first. */
export function sortRevisions(revs: readonly Revision[]): Revision[] {
  return [...revs].sort((a, b) => b.revision - a.revision);
}

export function nextRevisionNumber(revs: readonly Revision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
}

/**
 * The revision that describes what the cluster runs: the newest one that was not
 * undone by a rollback. (A failed revision left in place is current.)
 */
export function currentRevision(revs: readonly Revision[]): Revision | undefined {
  return sortRevisions(revs).find((r) => r.status !== 'rolled-back');
}

/** The newest successful revision (deployed or superseded). */
export function lastSuccessful(revs: readonly Revision[]): Revision | undefined {
  return sortRevisions(revs).find(isSuccessful);
}

/** The newest `uninstalled` revision when it is the current one: the stack is not deployed now. */
export function uninstalledNow(revs: readonly Revision[]): Revision | undefined {
  const current = currentRevision(revs);
  return current?.status === 'uninstalled' ? current : undefined;
}

/**
 * The revisions recorded after the newest uninstall (all of them when there was none):
 * what values persist and upgrades start from. After an uninstall a deploy starts
 * afresh, as `helm install` does after an uninstall that kept Helm's history; a rollback can
 * still return to an older revision. Pure.
 */
export function sinceUninstall(revs: readonly Revision[]): Revision[] {
  const last = revs.reduce<number | undefined>((m, r) => (r.status === 'uninstalled' && (m === undefined || r.revision > m) ? r.revision : m), undefined);
  return last === undefined ? [...revs] : revs.filter((r) => r.revision > last);
}

export type RollbackChoice = { ok: true; target: Revision; current: Revision } | { ok: false; message: string };

/**
 * Which revision `rollback` returns to. With `to`, exactly that one (it must exist and
 * have been successful, or be named explicitly). Without, the last *successful*
 * revision before the current one — and when the current one is itself a rollback to
 * N, before N, so repeated rollbacks step further back instead of flipping between two.
 */
export function chooseRollbackTarget(revs: readonly Revision[], to?: number): RollbackChoice {
  const sorted = sortRevisions(revs);
  const current = sorted[0];
  if (!current) return { ok: false, message: 'no revisions are recorded' };
  if (to !== undefined) {
    const target = sorted.find((r) => r.revision === to);
    if (!target) return { ok: false, message: `revision ${to} is not in the history (kept: ${sorted.map((r) => r.revision).reverse().join(', ')})` };
    if (target.manifests.length === 0) return { ok: false, message: `revision ${to} recorded no manifests` };
    return { ok: true, target, current };
  }
  const bound = current.rollbackTo ?? current.revision;
  // A re-run that changed nothing still records a revision: returning to one that applied
  // exactly what runs now would change nothing, so those are passed over.
  const same = JSON.stringify(current.manifests);
  const target = sorted.find((r) => r.revision < bound && r.revision !== current.revision && isSuccessful(r) && r.manifests.length > 0 && JSON.stringify(r.manifests) !== same);
  if (!target) {
    const adopted = sorted.find((r) => r.kind === 'adopt' && r.revision <= bound);
    // docs/adopt.md: what the take-over replaced was never recorded.
    const before = adopted ? `; revision ${adopted.revision} took over objects another tool made, and their state before it was never recorded: no rollback restores them` : '';
    return { ok: false, message: `no successful revision before revision ${bound} to roll back to (history: ${describeHistory(sorted)})${before}` };
  }
  return { ok: true, target, current };
}

function describeHistory(sortedNewestFirst: readonly Revision[]): string {
  return [...sortedNewestFirst].reverse().map((r) => `${r.revision} ${r.status}`).join(', ');
}

/**
 * Revisions to delete so that `keep` remain: the oldest go first, but the newest
 * successful revision is never deleted (it is what a rollback needs).
 */
export function revisionsToPrune(revs: readonly Revision[], keep = KEEP_REVISIONS): number[] {
  const sorted = sortRevisions(revs);
  if (sorted.length <= keep) return [];
  const protectedN = lastSuccessful(sorted)?.revision;
  const kept = new Set(sorted.slice(0, keep).map((r) => r.revision));
  if (protectedN !== undefined && !kept.has(protectedN)) {
    // Keep it in place of the oldest of the newest `keep`.
    const newest = sorted.slice(0, keep - 1).map((r) => r.revision);
    kept.clear();
    for (const n of [...newest, protectedN]) kept.add(n);
  }
  return sorted.filter((r) => !kept.has(r.revision)).map((r) => r.revision).sort((a, b) => a - b);
}

/** Statuses that end what ran before: a success, or an uninstall. */
const replacesDeployed = (s: RevisionStatus) => s === 'deployed' || s === 'uninstalled';

/** Status changes once revision `n` has succeeded (or uninstalled the stack): older `deployed` ones become `superseded`. */
export function supersededBy(revs: readonly Revision[], n: number): Revision[] {
  return revs.filter((r) => r.revision !== n && r.status === 'deployed').map((r) => ({ ...r, status: 'superseded' as const }));
}

/**
 * The records as they are to be read. A success is two writes (the new record, then the
 * older `deployed` ones superseded), and a process killed between them leaves two
 * `deployed`: the newest one is what the cluster runs, so the older ones read as
 * `superseded`, as the second write would have made them. Pure; the input is not changed.
 */
export function resolveRevisions(revs: readonly Revision[]): Revision[] {
  const newest = lastDeployed(revs);
  return revs.map((r) => (r.status === 'deployed' && r.revision !== newest ? { ...r, status: 'superseded' as const } : r));
}

/** The newest revision that is deployed or uninstalled: what the cluster holds now. */
function lastDeployed(revs: readonly Revision[]): number | undefined {
  return revs.reduce<number | undefined>((m, r) => (replacesDeployed(r.status) && (m === undefined || r.revision > m) ? r.revision : m), undefined);
}

// ---- cluster I/O ------------------------------------------------------------------------

const secretsPath = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets`;

export function revisionSecret(r: Revision): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: REVISION_TYPE,
    metadata: {
      name: revisionSecretName(r.stack, r.revision),
      namespace: r.namespace,
      labels: {
        [REVISION_OF_LABEL]: r.stack,
        [OWNER_LABEL]: OWNER,
        [REVISION_NUMBER_LABEL]: String(r.revision),
        [REVISION_STATUS_LABEL]: r.status,
        'app.kubernetes.io/managed-by': 'vh-deploy',
      },
    },
    data: { [DATA_KEY]: encodeRevision(r) },
  };
}

/**
 * Every recorded revision of a stack in a namespace (any order), as read (see
 * resolveRevisions): the one reader of history, rollback, upgrade, scale and verify.
 * Unreadable records are skipped.
 */
export async function listRevisions(cluster: Cluster, namespace: string, stack: string, signal?: AbortSignal): Promise<Revision[]> {
  return resolveRevisions((await readRecords(cluster, namespace, stack, signal)).map((x) => x.revision));
}

/** The records as stored, with the resourceVersion of each (for writes that must not overwrite a newer outcome). */
async function readRecords(cluster: Cluster, namespace: string, stack: string, signal?: AbortSignal): Promise<Array<{ revision: Revision; resourceVersion: string | undefined }>> {
  const res = await cluster.requestOk('GET', secretsPath(namespace), {
    query: { labelSelector: `${REVISION_OF_LABEL}=${stack},${OWNER_LABEL}=${OWNER}` },
    what: `revisions of ${stack} in ${namespace}`,
    ...(signal && { signal }),
  });
  const out: Array<{ revision: Revision; resourceVersion: string | undefined }> = [];
  for (const item of arr(rec(res.json()).items).map(rec)) {
    if (item.type !== REVISION_TYPE) continue;
    const data = str(rec(item.data)[DATA_KEY]);
    if (!data) continue;
    try {
      out.push({ revision: decodeRevision(data), resourceVersion: str(rec(item.metadata).resourceVersion) });
    } catch {
      /* a damaged record is not fatal for the others */
    }
  }
  return out;
}

/** Creates the record; fails with 409 when the number is taken (the caller picks the next). */
export async function createRevision(cluster: Cluster, r: Revision): Promise<void> {
  await cluster.requestOk('POST', secretsPath(r.namespace), { body: revisionSecret(r), what: `Secret/${r.namespace}/${revisionSecretName(r.stack, r.revision)}` });
}

/** Rewrites a record (its status changed); with `resourceVersion`, only if nobody changed it since (409 otherwise). */
export async function updateRevision(cluster: Cluster, r: Revision, resourceVersion?: string): Promise<void> {
  const name = revisionSecretName(r.stack, r.revision);
  const body = revisionSecret(r);
  if (resourceVersion !== undefined) body.metadata.resourceVersion = resourceVersion;
  await cluster.requestOk('PUT', `${secretsPath(r.namespace)}/${encodeURIComponent(name)}`, { body, what: `Secret/${r.namespace}/${name}` });
}

export async function deleteRevision(cluster: Cluster, namespace: string, stack: string, n: number): Promise<void> {
  const name = revisionSecretName(stack, n);
  await cluster.requestOk('DELETE', `${secretsPath(namespace)}/${encodeURIComponent(name)}`, { okStatuses: [404], what: `Secret/${namespace}/${name}` });
}

export type RevisionDraft = Omit<Revision, 'revision' | 'status' | 'time' | 'updated'>;

/** Records a new `pending` revision with the next free number. */
export async function startRevision(cluster: Cluster, draft: RevisionDraft, now = new Date()): Promise<Revision> {
  return (await beginRevision(cluster, draft, now)).revision;
}

/** startRevision, also returning the other records it read (for finishRevision's `known`). */
export async function beginRevision(cluster: Cluster, draft: RevisionDraft, now = new Date()): Promise<{ revision: Revision; others: Revision[] }> {
  for (let attempt = 0; ; attempt++) {
    // As stored, not as read: finishing supersedes every record still stored as deployed.
    const revs = (await readRecords(cluster, draft.namespace, draft.stack)).map((x) => x.revision);
    const r: Revision = { ...draft, revision: nextRevisionNumber(revs), status: 'pending', time: now.toISOString(), updated: now.toISOString() };
    try {
      await createRevision(cluster, r);
      return { revision: r, others: revs };
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 409 && attempt < 5) continue;
      throw e;
    }
  }
}

/**
 * Sets a revision's final status. On success older `deployed` revisions become
 * `superseded`; then the history is pruned to KEEP_REVISIONS. `known` is the other
 * records as beginRevision read them: a caller that held the stack's Lease since then
 * knows nothing else changed them, and spares a list of every record.
 */
export async function finishRevision(
  cluster: Cluster,
  r: Revision,
  status: RevisionStatus,
  extra: Partial<Pick<Revision, 'error' | 'manifests' | 'images' | 'values' | 'description' | 'removed' | 'kept'>> = {},
  known?: readonly Revision[],
): Promise<Revision> {
  const done: Revision = { ...r, ...extra, status, updated: new Date().toISOString() };
  await updateRevision(cluster, done);
  const revs = known ? [...known.filter((x) => x.revision !== r.revision), done] : (await readRecords(cluster, r.namespace, r.stack)).map((x) => x.revision);
  await Promise.all([
    ...(replacesDeployed(status) ? supersededBy(revs, r.revision).map((s) => updateRevision(cluster, { ...s, updated: done.updated })) : []),
    ...revisionsToPrune(revs).map((n) => deleteRevision(cluster, r.namespace, r.stack, n)),
  ]);
  return done;
}

/** Sets the status of an existing revision (e.g. a failed upgrade that was rolled back). */
export async function markRevision(cluster: Cluster, r: Revision, status: RevisionStatus, extra: Partial<Pick<Revision, 'error'>> = {}): Promise<Revision> {
  const done: Revision = { ...r, ...extra, status, updated: new Date().toISOString() };
  await updateRevision(cluster, done);
  return done;
}

/**
 * Marks every `pending` revision of a stack `failed` with `error`. For a caller that has
 * just taken the stack's lock from a holder that ended: every operation records its
 * revision under the lock, so a pending one is an outcome nobody will write any more.
 * Each write carries the resourceVersion read, so an outcome written meanwhile (a holder
 * that was slow, not dead) is kept. Returns the revisions marked.
 */
export async function failPendingRevisions(cluster: Cluster, namespace: string, stack: string, error: string, now = new Date()): Promise<Revision[]> {
  const pending = (await readRecords(cluster, namespace, stack)).filter((x) => x.revision.status === 'pending');
  const marked = await Promise.all(
    pending.map(async ({ revision, resourceVersion }) => {
      const failed: Revision = { ...revision, status: 'failed', error, updated: now.toISOString() };
      try {
        await updateRevision(cluster, failed, resourceVersion);
        return failed;
      } catch (e) {
        if (e instanceof KubeApiError && (e.status === 409 || e.status === 404)) return undefined; // changed or pruned meanwhile
        throw e;
      }
    }),
  );
  return marked.filter((r): r is Revision => r !== undefined);
}
