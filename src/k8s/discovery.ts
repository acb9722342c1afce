// Maps (apiVersion, kind) to a REST path. Cached per cluster and group-version, but a
// miss is re-fetched once: a CRD applied earlier in the same run adds kinds.
import type { Cluster } from './client.js';
import { OperationError } from '../errors.js';
import { arr, rec, splitApiVersion, str, type KubeObject, type ObjectKey } from './types.js';

export interface ResourceInfo {
  /** Plural resource name, e.g. `deployments`. */
  plural: string;
  namespaced: boolean;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

interface Cache {
  byGroupVersion: Map<string, Promise<Map<string, ResourceInfo> | undefined>>;
  groupVersions?: Promise<Set<string>>;
  version?: Promise<ServerVersion>;
}

const caches = new WeakMap<Cluster, Cache>();

function cacheFor(cluster: Cluster): Cache {
  let c = caches.get(cluster);
  if (!c) {
    c = { byGroupVersion: new Map() };
    caches.set(cluster, c);
  }
  return c;
}

export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

async function fetchGroupVersion(cluster: Cluster, apiVersion: string): Promise<Map<string, ResourceInfo> | undefined> {
  const res = await cluster.requestOk('GET', groupVersionPath(apiVersion), { okStatuses: [404, 503] });
  // 503: an aggregated API that is registered but unavailable; treat as absent for now.
  if (res.status === 404 || res.status === 503) return undefined;
  const { group, version } = splitApiVersion(apiVersion);
  const out = new Map<string, ResourceInfo>();
  for (const r of arr(rec(res.json()).resources).map(rec)) {
    const name = str(r.name);
    const kind = str(r.kind);
    if (!name || !kind || name.includes('/')) continue; // subresources (deployments/scale) share the kind
    out.set(kind, {
      plural: name,
      namespaced: r.namespaced === true,
      group,
      version,
      kind,
      verbs: arr(r.verbs).filter((v): v is string => typeof v === 'string'),
    });
  }
  return out;
}

/** The resource for a kind, or undefined when the server does not serve it. */
export async function findResource(cluster: Cluster, apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
  const cache = cacheFor(cluster);
  let p = cache.byGroupVersion.get(apiVersion);
  if (!p) {
    p = fetchGroupVersion(cluster, apiVersion);
    cache.byGroupVersion.set(apiVersion, p);
    p.catch(() => cache.byGroupVersion.delete(apiVersion));
  }
  const hit = (await p)?.get(kind);
  if (hit) return hit;
  // Re-fetch once: the kind may have been added by a CRD since we looked.
  const fresh = fetchGroupVersion(cluster, apiVersion);
  cache.byGroupVersion.set(apiVersion, fresh);
  fresh.catch(() => cache.byGroupVersion.delete(apiVersion));
  return (await fresh)?.get(kind);
}

export async function resolveResource(cluster: Cluster, apiVersion: string, kind: string): Promise<ResourceInfo> {
  const r = await findResource(cluster, apiVersion, kind);
  if (!r) {
    throw new OperationError(
      `the cluster does not serve kind ${kind} in ${apiVersion}`,
      'is the CustomResourceDefinition installed (and Established)?',
    );
  }
  return r;
}

/** Forgets cached discovery (after applying CRDs). */
export function invalidateDiscovery(cluster: Cluster): void {
  caches.delete(cluster);
}

/** Every served group/version, e.g. `apps/v1`, `v1`, `monitoring.coreos.com/v1`. */
export async function groupVersions(cluster: Cluster): Promise<Set<string>> {
  const cache = cacheFor(cluster);
  if (!cache.groupVersions) {
    cache.groupVersions = (async () => {
      const out = new Set<string>();
      const core = await cluster.requestOk('GET', '/api');
      for (const v of arr(rec(core.json()).versions)) if (typeof v === 'string') out.add(v);
      const apis = await cluster.requestOk('GET', '/apis');
      for (const g of arr(rec(apis.json()).groups).map(rec)) {
        for (const v of arr(g.versions).map(rec)) {
          const gv = str(v.groupVersion);
          if (gv) out.add(gv);
        }
      }
      return out;
    })();
    cache.groupVersions.catch(() => (cache.groupVersions = undefined));
  }
  return cache.groupVersions;
}

export async function hasGroupVersion(cluster: Cluster, groupVersion: string): Promise<boolean> {
  return (await groupVersions(cluster)).has(groupVersion);
}

export async function serverVersion(cluster: Cluster): Promise<ServerVersion> {
  const cache = cacheFor(cluster);
  if (!cache.version) {
    cache.version = (async () => {
      const v = rec((await cluster.requestOk('GET', '/version', { timeoutMs: 15_000 })).json());
      return { major: str(v.major) ?? '', minor: str(v.minor) ?? '', gitVersion: str(v.gitVersion) ?? '' };
    })();
    cache.version.catch(() => (cache.version = undefined));
  }
  return cache.version;
}

/** Collection path, e.g. `/apis/apps/v1/namespaces/prod/deployments`. */
export function collectionPath(apiVersion: string, info: Pick<ResourceInfo, 'plural' | 'namespaced'>, namespace?: string): string {
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(apiVersion)}${ns}/${info.plural}`;
}

export function objectPath(apiVersion: string, info: Pick<ResourceInfo, 'plural' | 'namespaced'>, name: string, namespace?: string): string {
  return `${collectionPath(apiVersion, info, namespace)}/${encodeURIComponent(name)}`;
}

export interface Target {
  key: ObjectKey;
  info: ResourceInfo;
  /** Path of the object itself. */
  path: string;
  /** Path of its collection (for list/watch). */
  collection: string;
}

/**
 * Resolves where an object lives: its resource, its namespace (the default namespace
 * when a namespaced manifest has none; dropped for cluster-scoped kinds) and paths.
 */
export async function targetOf(cluster: Cluster, obj: KubeObject | ObjectKey, defaultNamespace = cluster.defaultNamespace): Promise<Target> {
  const name = 'metadata' in obj ? obj.metadata.name : obj.name;
  const ns0 = 'metadata' in obj ? obj.metadata.namespace : obj.namespace;
  const info = await resolveResource(cluster, obj.apiVersion, obj.kind);
  const key: ObjectKey = { apiVersion: obj.apiVersion, kind: obj.kind, name };
  if (info.namespaced) key.namespace = ns0 ?? defaultNamespace;
  return {
    key,
    info,
    path: objectPath(obj.apiVersion, info, name, key.namespace),
    collection: collectionPath(obj.apiVersion, info, key.namespace),
  };
}

/** GET one object; undefined when it does not exist. */
export async function readObject(cluster: Cluster, obj: KubeObject | ObjectKey, signal?: AbortSignal): Promise<KubeObject | undefined> {
  const t = await targetOf(cluster, obj);
  const res = await cluster.requestOk('GET', t.path, { okStatuses: [404], ...(signal && { signal }) });
  return res.status === 404 ? undefined : res.json<KubeObject>();
}

/** List objects of a kind (one page loop), optionally filtered by selectors. */
export async function listObjects(
  cluster: Cluster,
  apiVersion: string,
  kind: string,
  opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; signal?: AbortSignal } = {},
): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const info = await resolveResource(cluster, apiVersion, kind);
  const path = collectionPath(apiVersion, info, opts.namespace);
  return listCollection(cluster, path, apiVersion, kind, opts);
}

/** Every page of a collection path, items with apiVersion and kind set. */
export async function listCollection(
  cluster: Cluster,
  path: string,
  apiVersion: string,
  kind: string,
  opts: { labelSelector?: string | undefined; fieldSelector?: string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const items: KubeObject[] = [];
  let cont: string | undefined;
  let rv = '';
  do {
    const res = await cluster.requestOk('GET', path, {
      query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: 500, continue: cont },
      ...(opts.signal && { signal: opts.signal }),
    });
    const body = rec(res.json());
    for (const it of arr(body.items)) {
      // List items omit apiVersion/kind; restore them so callers can use objectRef.
      const o = rec(it) as unknown as KubeObject;
      o.apiVersion = apiVersion;
      o.kind = kind;
      items.push(o);
    }
    const meta = rec(body.metadata);
    cont = str(meta.continue) || undefined;
    rv = str(meta.resourceVersion) ?? rv;
  } while (cont);
  return { items, resourceVersion: rv };
}
