// Fields the API server refuses to change on an existing object, found at plan time by
// comparing the plan with the live object (instead of a raw 422 "Forbidden: updates to
// statefulset spec for fields other than …" in the middle of a deploy). The remedy —
// delete the object orphaning its pods, create it anew — is the caller's (src/k8s/orphan.ts).
// Pure. Sources: kubernetes/kubernetes pkg/apis/apps/validation ValidateStatefulSetUpdate
// (only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy,
// minReadySeconds may change), ValidateDeploymentUpdate / ValidateDaemonSetUpdate
// (selector), pkg/apis/batch/validation ValidateJobUpdate (selector, template).
import { arr, keyOf, objectRef, rec, str, type KubeObject, type ObjectKey } from './types.js';
import { jobFailure, rerunsIfFailed } from './job-rerun.js';

export interface ImmutableChange {
  ref: string;
  key: ObjectKey;
  /** The field path, e.g. `spec.volumeClaimTemplates[data].resources.requests.storage`. */
  field: string;
  from: string;
  to: string;
  /** A volume claim template whose only change is a larger size (the claims can be expanded). */
  grow?: { template: string; from: string; to: string };
  /** A smaller size: claims never shrink, so this is refused even with a recreate. */
  shrink?: true;
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60, m: 1e-3 };

/** A Kubernetes quantity (`10Gi`, `500M`, `1e3`) in base units; undefined when it is not one. */
export function quantity(q: unknown): number | undefined {
  const s = typeof q === 'number' ? String(q) : str(q);
  const m = s === undefined ? null : /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[kMGTPEm])?$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * UNITS[m[2] ?? '']!;
  return Number.isFinite(n) ? n : undefined;
}

/** Claim spec fields the API server fills in when the template leaves them out. */
const SERVER_DEFAULTED = new Set(['volumeMode']);

const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Does the live value hold everything the plan asks for? Mappings: every planned key
 * (the server adds defaults of its own); lists: same length, item by item; scalars:
 * equal. So server defaults are no change, but a changed or dropped list item is.
 */
export function covers(live: unknown, planned: unknown): boolean {
  if (Array.isArray(planned)) return Array.isArray(live) && live.length === planned.length && planned.every((p, i) => covers(live[i], p));
  if (planned !== null && typeof planned === 'object') {
    const l = rec(live);
    return Object.entries(planned as Record<string, unknown>).every(([k, v]) => v === undefined || covers(l[k], v));
  }
  if (typeof planned === 'number' || typeof live === 'number') return String(planned) === String(live);
  // The server stores quantities in canonical form (cpu 0.5 → 500m, 1024Mi → 1Gi).
  if (typeof planned === 'string' && typeof live === 'string' && planned !== live) {
    const [p, l] = [quantity(planned), quantity(live)];
    return p !== undefined && p === l;
  }
  return planned === live;
}

/** A label selector changes when its labels or expressions differ (not a subset: exactly). */
function sameSelector(live: unknown, planned: unknown): boolean {
  const l = rec(live);
  const p = rec(planned);
  const labels = (x: Record<string, unknown>) => JSON.stringify(Object.entries(rec(x.matchLabels)).sort());
  return labels(l) === labels(p) && JSON.stringify(arr(l.matchExpressions)) === JSON.stringify(arr(p.matchExpressions));
}

/** Resources but the storage request (compared as a quantity: 10Gi is 10240Mi, as the API server's semantic equality says). */
function withoutStorage(resources: unknown): Record<string, unknown> {
  const r = rec(resources);
  const { storage: _s, ...requests } = rec(r.requests);
  return { ...r, requests };
}

function claimTemplateChanges(o: KubeObject, live: KubeObject): ImmutableChange[] {
  const ref = objectRef(o);
  const key = keyOf(o);
  const planned = arr(rec(o.spec).volumeClaimTemplates).map(rec);
  const current = arr(rec(live.spec).volumeClaimTemplates).map(rec);
  const name = (t: Record<string, unknown>) => str(rec(t.metadata).name) ?? '?';
  const out: ImmutableChange[] = [];
  const names = (l: Array<Record<string, unknown>>) => l.map(name).sort().join(', ') || '(none)';
  if (names(planned) !== names(current)) {
    return [{ ref, key, field: 'spec.volumeClaimTemplates', from: names(current), to: names(planned) }];
  }
  for (const p of planned) {
    const l = current.find((c) => name(c) === name(p))!;
    const ps = rec(p.spec);
    const ls = rec(l.spec);
    const at = `spec.volumeClaimTemplates[${name(p)}]`;
    const size = (s: Record<string, unknown>) => rec(rec(s.resources).requests).storage;
    const [from, to] = [quantity(size(ls)), quantity(size(ps))];
    const { resources: _pr, ...pRest } = ps;
    const { resources: _lr, ...lRest } = ls;
    // Everything but the size: class, access modes, selector, labels, annotations. A key
    // the plan leaves out is a change too (its removal), except what the server defaults.
    for (const k of new Set([...Object.keys(pRest), ...Object.keys(lRest)])) {
      const same = pRest[k] === undefined ? lRest[k] === undefined || SERVER_DEFAULTED.has(k) : covers(lRest[k], pRest[k]);
      if (!same) out.push({ ref, key, field: `${at}.spec.${k}`, from: show(lRest[k]), to: show(pRest[k]) });
    }
    if (!covers(rec(l.metadata), rec(p.metadata))) out.push({ ref, key, field: `${at}.metadata`, from: show(l.metadata), to: show(p.metadata) });
    if (from !== to) {
      const change: ImmutableChange = { ref, key, field: `${at}.resources.requests.storage`, from: show(size(ls)), to: show(size(ps)) };
      if (from !== undefined && to !== undefined && to > from) change.grow = { template: name(p), from: show(size(ls)), to: show(size(ps)) };
      if (from !== undefined && to !== undefined && to < from) change.shrink = true;
      out.push(change);
    } else if (!covers(withoutStorage(ls.resources), withoutStorage(ps.resources))) {
      out.push({ ref, key, field: `${at}.resources`, from: show(ls.resources), to: show(ps.resources) });
    }
  }
  return out;
}

/**
 * vh-deploy's own annotations (vh-deploy.io/*) on the live pod template that the plan no
 * longer sets: the apply would remove them, which is a change too (e.g. a Job made by an
 * earlier vh-deploy that put a config checksum on Jobs). Pure.
 */
function droppedOwnAnnotations(liveTemplate: unknown, plannedTemplate: unknown): string[] {
  const own = (t: unknown) => Object.keys(rec(rec(rec(t).metadata).annotations)).filter((k) => k.startsWith('vh-deploy.io/'));
  const planned = new Set(own(plannedTemplate));
  return own(liveTemplate).filter((k) => !planned.has(k));
}

/**
 * The immutable fields the plan would change on the live object: StatefulSet
 * volumeClaimTemplates, serviceName, podManagementPolicy and selector; the selector of
 * a Deployment, DaemonSet or ReplicaSet; a Job's selector (when the plan sets one) and
 * pod template. Empty when nothing immutable changes. Pure.
 */
export function immutableChanges(planned: KubeObject, live: KubeObject | undefined): ImmutableChange[] {
  if (!live || live.kind !== planned.kind) return [];
  const ref = objectRef(planned);
  const key = keyOf(planned);
  const p = rec(planned.spec);
  const l = rec(live.spec);
  const out: ImmutableChange[] = [];
  const selector = () => {
    if (p.selector !== undefined && !sameSelector(l.selector, p.selector)) out.push({ ref, key, field: 'spec.selector', from: show(l.selector), to: show(p.selector) });
  };
  switch (planned.kind) {
    case 'StatefulSet': {
      selector();
      if ((str(p.serviceName) ?? '') !== (str(l.serviceName) ?? '')) out.push({ ref, key, field: 'spec.serviceName', from: show(l.serviceName), to: show(p.serviceName) });
      const policy = (x: Record<string, unknown>) => str(x.podManagementPolicy) ?? 'OrderedReady';
      if (policy(p) !== policy(l)) out.push({ ref, key, field: 'spec.podManagementPolicy', from: policy(l), to: policy(p) });
      out.push(...claimTemplateChanges(planned, live));
      break;
    }
    case 'Deployment':
    case 'DaemonSet':
    case 'ReplicaSet':
      selector();
      break;
    case 'Job':
      // A failed Job the plan runs again is deleted and created anew (src/k8s/job-rerun.ts).
      if (rerunsIfFailed(planned) && jobFailure(live)) break;
      selector();
      if (!covers(l.template, p.template) || droppedOwnAnnotations(l.template, p.template).length) {
        out.push({ ref, key, field: 'spec.template', from: '(the live pod template)', to: '(the planned one)' });
      }
      break;
  }
  return out;
}
