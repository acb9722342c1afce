// Field-level differences between a live object and what a server-side dry run says it
// would become. Server-owned noise (status, managedFields, resourceVersion, ...) is
// ignored. Secret values are never shown: only which keys change and their sizes.
import type { KubeObject } from '../k8s/types.js';

export interface Change {
  path: string;
  before?: unknown;
  after?: unknown;
}

const IGNORED_META = new Set(['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink']);

function normalise(o: KubeObject): Record<string, unknown> {
  const { status: _s, metadata, ...rest } = o;
  const meta = Object.fromEntries(Object.entries(metadata).filter(([k]) => !IGNORED_META.has(k)));
  const ann = meta.annotations as Record<string, string> | undefined;
  if (ann && 'deployment.kubernetes.io/revision' in ann) {
    const { 'deployment.kubernetes.io/revision': _r, ...others } = ann;
    meta.annotations = others;
  }
  return { ...rest, metadata: meta };
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function walk(a: unknown, b: unknown, path: string, out: Change[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => walk(x, b[i], `${path}[${i}]`, out));
    return;
  }
  out.push({ path, ...(a !== undefined && { before: a }), ...(b !== undefined && { after: b }) });
}

/** Secret `data` compared key by key; values replaced by their size. */
function secretChanges(live: KubeObject, next: KubeObject): Change[] {
  const size = (v: unknown) => (typeof v === 'string' ? `(${Buffer.from(v, 'base64').length} bytes)` : undefined);
  const a = (live.data ?? {}) as Record<string, string>;
  const b = (next.data ?? {}) as Record<string, string>;
  const out: Change[] = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[k] === b[k]) continue;
    out.push({ path: `data.${k}`, ...(a[k] !== undefined && { before: size(a[k]) }), ...(b[k] !== undefined && { after: size(b[k]) }) });
  }
  return out;
}

export function diffObjects(live: KubeObject, next: KubeObject): Change[] {
  const out: Change[] = [];
  const strip = (o: KubeObject) => {
    const n = normalise(o);
    if (o.kind === 'Secret') {
      delete n.data;
      delete n.stringData;
    }
    return n;
  };
  walk(strip(live), strip(next), '', out);
  if (next.kind === 'Secret') out.push(...secretChanges(live, next));
  return out;
}

const show = (v: unknown) => (typeof v === 'string' && /^\(\d+ bytes\)$/.test(v) ? v : JSON.stringify(v));

export function formatChanges(changes: Change[]): string[] {
  return changes.map((c) =>
    c.before === undefined ? `+ ${c.path}: ${show(c.after)}` : c.after === undefined ? `- ${c.path}: ${show(c.before)}` : `~ ${c.path}: ${show(c.before)} → ${show(c.after)}`,
  );
}
