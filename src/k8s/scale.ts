// Scaling, HPA-aware, through the /scale subresource as `kubectl scale` does. An HPA
// owns the replica count of its target: setting replicas under it only starts a fight
// with the autoscaler, so the decision is to refuse, or to move the HPA's range
// instead. Pure decisions first, then I/O.
import { InputError } from '../errors.js';
import type { Cluster } from './client.js';
import { listObjects, targetOf } from './discovery.js';
import { scaleRefusalMessage, withReason, type ScaleRefusal } from './reasons.js';
import { num, objectRef, rec, str, type KubeObject, type ObjectKey } from './types.js';

export interface ScaleRequest {
  replicas?: number | undefined;
  min?: number | undefined;
  max?: number | undefined;
}

export interface HpaRange {
  name: string;
  min: number;
  max: number;
}

export type ScalePlan =
  | { kind: 'replicas'; from: number; to: number }
  | { kind: 'hpa'; hpa: string; from: { min: number; max: number }; to: { min: number; max: number } };

const refuse = (refusal: ScaleRefusal) => withReason(new InputError(scaleRefusalMessage(refusal)), { reason: 'scaleRefused', refusal });

/**
 * Decides what `scale` does. Pure. Throws InputError (exit 2, nothing written; reason
 * `scaleRefused`) when the request does not fit the workload: replicas under an HPA, a
 * range without one, min above max, or nothing asked.
 */
export function planScale(ref: string, req: ScaleRequest, current: { replicas: number; hpa?: HpaRange | undefined }): ScalePlan {
  const wantsRange = req.min !== undefined || req.max !== undefined;
  if (req.replicas === undefined && !wantsRange) throw refuse({ kind: 'nothingAsked' });
  if (req.replicas !== undefined && wantsRange) throw refuse({ kind: 'replicasAndRange' });
  const hpa = current.hpa;
  if (req.replicas !== undefined) {
    if (hpa) throw refuse({ kind: 'replicasUnderHpa', ref, hpa: { name: hpa.name, min: hpa.min, max: hpa.max } });
    return { kind: 'replicas', from: current.replicas, to: req.replicas };
  }
  if (!hpa) throw refuse({ kind: 'rangeWithoutHpa', ref });
  const to = { min: req.min ?? hpa.min, max: req.max ?? hpa.max };
  if (to.min > to.max) throw refuse({ kind: 'minAboveMax', min: to.min, max: to.max, maxFromHpa: req.max === undefined });
  return { kind: 'hpa', hpa: hpa.name, from: { min: hpa.min, max: hpa.max }, to };
}

export const planChanges = (p: ScalePlan) => (p.kind === 'replicas' ? p.from !== p.to : p.from.min !== p.to.min || p.from.max !== p.to.max);

export function describeScale(p: ScalePlan): string {
  return p.kind === 'replicas' ? `replicas ${p.from} → ${p.to}` : `HPA ${p.hpa} range ${p.from.min}–${p.from.max} → ${p.to.min}–${p.to.max}`;
}

/** The HPA range and status, from a live HPA object. Pure. */
export function hpaRange(h: KubeObject): HpaRange {
  const spec = rec(h.spec);
  return { name: h.metadata.name, min: num(spec.minReplicas) ?? 1, max: num(spec.maxReplicas) ?? 1 };
}

/**
 * Whether an HPA has brought its target inside its range: the workload's spec.replicas
 * is within min..max. Pure. (The HPA controller corrects out-of-range counts even
 * without metrics.)
 */
export function withinRange(replicas: number, r: { min: number; max: number }): boolean {
  return replicas >= r.min && replicas <= r.max;
}

/** The HPA that targets a workload, if any (autoscaling/v2 scaleTargetRef kind + name). */
export async function findHpaFor(cluster: Cluster, key: ObjectKey, signal?: AbortSignal): Promise<KubeObject | undefined> {
  if (!key.namespace) return undefined;
  const { items } = await listObjects(cluster, 'autoscaling/v2', 'HorizontalPodAutoscaler', { namespace: key.namespace, ...(signal && { signal }) });
  return items.find((h) => {
    const t = rec(rec(h.spec).scaleTargetRef);
    return str(t.kind) === key.kind && str(t.name) === key.name;
  });
}

export interface ScaleState {
  replicas: number;
  resourceVersion: string;
}

async function scalePath(cluster: Cluster, key: ObjectKey): Promise<string> {
  return `${(await targetOf(cluster, key)).path}/scale`;
}

export async function readScale(cluster: Cluster, key: ObjectKey): Promise<ScaleState | undefined> {
  const res = await cluster.requestOk('GET', await scalePath(cluster, key), { okStatuses: [404], what: `${objectRef(key)} (scale)` });
  if (res.status === 404) return undefined;
  const s = rec(res.json());
  return { replicas: num(rec(s.spec).replicas) ?? 0, resourceVersion: str(rec(s.metadata).resourceVersion) ?? '' };
}

/**
 * Sets replicas through the /scale subresource. With the resourceVersion read before
 * deciding, a concurrent change makes this fail (409) instead of silently winning.
 */
export async function writeScale(cluster: Cluster, key: ObjectKey, replicas: number, resourceVersion?: string): Promise<void> {
  const path = await scalePath(cluster, key);
  await cluster.requestOk('PUT', path, {
    body: {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: key.name, ...(key.namespace && { namespace: key.namespace }), ...(resourceVersion && { resourceVersion }) },
      spec: { replicas },
    },
    query: { fieldManager: 'vh-deploy' },
    what: `${objectRef(key)} (scale)`,
  });
}
