// Plain-JSON shapes shared by the engine. The engine works on untyped manifests on
// purpose: templates may carry fields the typed client models do not know, and
// server-side apply must see them verbatim (client-node's serializer drops them).

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

/** Identifies one object in the cluster (namespace resolved or cluster-scoped). */
export interface ObjectKey {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Display string used in every message: `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
export function objectRef(o: KubeObject | ObjectKey): string {
  const name = 'metadata' in o ? o.metadata.name : o.name;
  const ns = 'metadata' in o ? o.metadata.namespace : o.namespace;
  return ns ? `${o.kind}/${ns}/${name}` : `${o.kind}/${name}`;
}

export function keyOf(o: KubeObject): ObjectKey {
  const key: ObjectKey = { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name };
  if (o.metadata.namespace) key.namespace = o.metadata.namespace;
  return key;
}

/** `apps/v1` -> { group: 'apps', version: 'v1' }; `v1` -> core group ''. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Small typed accessors for untyped JSON, so status rules read cleanly under strict mode. */
export function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
/** The string-valued ones of `keys` in `r`; absent or non-string ones are left out (not set to undefined). */
export function strFields<K extends string>(r: Record<string, unknown>, keys: readonly K[]): { [P in K]?: string } {
  const out: { [P in K]?: string } = {};
  for (const k of keys) {
    const v = str(r[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export function conditions(obj: unknown): Condition[] {
  return arr(rec(rec(obj).status).conditions)
    .map(rec)
    .filter((c) => typeof c.type === 'string')
    .map((c) => {
      const og = num(c.observedGeneration);
      return {
        type: c.type as string,
        status: str(c.status) ?? 'Unknown',
        ...strFields(c, ['reason', 'message', 'lastTransitionTime']),
        ...(og !== undefined && { observedGeneration: og }),
      };
    });
}

export function condition(obj: unknown, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}
