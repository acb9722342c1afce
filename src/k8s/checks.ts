// Generic verification of applied objects: do they exist, are workloads
// ready by the wait rules (status.ts), do Services have ready endpoints (EndpointSlices),
// are claims bound, is an HPA inside its range, does an Ingress have an address, and do
// the pods behind a Service answer (through the API server's pod proxy). Judges are
// pure; the I/O helpers return data, never throw for an unhealthy object.
import { ClusterAccessError } from '../errors.js';
import type { Cluster } from './client.js';
import { listObjects, readObject } from './discovery.js';
import { objectStatus } from './status.js';
import { arr, condition, num, objectRef, rec, str, type KubeObject, type ObjectKey } from './types.js';

export type CheckStatus = 'pass' | 'fail' | 'warn';

export interface Judgement {
  status: CheckStatus;
  detail: string;
}

export interface CheckResult extends Judgement {
  stack: string;
  check: string;
  ms: number;
}

export const pass = (detail: string): Judgement => ({ status: 'pass', detail });
export const fail = (detail: string): Judgement => ({ status: 'fail', detail });
export const warn = (detail: string): Judgement => ({ status: 'warn', detail });

/** Runs one check, timing it; an exception is a failed check (access errors propagate: exit 3). */
export async function timedCheck(stack: string, check: string, fn: () => Promise<Judgement>): Promise<CheckResult> {
  const started = performance.now();
  try {
    const j = await fn();
    return { stack, check, ...j, ms: Math.round(performance.now() - started) };
  } catch (e) {
    if (e instanceof ClusterAccessError) throw e;
    return { stack, check, status: 'fail', detail: (e instanceof Error ? e.message : String(e)).split('\n')[0]!, ms: Math.round(performance.now() - started) };
  }
}

/** A workload judged by the same readiness rules the deploy waits with. Pure. */
export function judgeWorkload(live: KubeObject): Judgement {
  const s = objectStatus(live);
  return s.state === 'ready' ? pass(s.message) : fail(s.state === 'failed' ? `failed: ${s.message}` : `not ready: ${s.message}`);
}

/** A claim must be Bound. Pure. */
export function judgePvc(live: KubeObject | undefined, name: string): Judgement {
  if (!live) return fail(`PersistentVolumeClaim ${name} does not exist`);
  const phase = str(rec(live.status).phase) ?? 'Pending';
  return phase === 'Bound' ? pass(`bound${str(rec(live.spec).volumeName) ? ` to ${str(rec(live.spec).volumeName)}` : ''}`) : fail(`phase ${phase}, not Bound`);
}

/**
 * An HPA: its target's replica count (the workload's, which is current; the HPA's own
 * status lags by a sync period) must be inside min..max. An HPA that cannot read
 * metrics (ScalingActive=False) cannot scale: a warning, not a failure. Pure.
 */
export function judgeHpa(live: KubeObject, targetReplicas?: number): Judgement {
  const spec = rec(live.spec);
  const st = rec(live.status);
  const min = num(spec.minReplicas) ?? 1;
  const max = num(spec.maxReplicas) ?? 1;
  const current = targetReplicas ?? num(st.currentReplicas);
  const desired = num(st.desiredReplicas);
  if (current === undefined) return fail(`range ${min}–${max}: its target has no replica count yet`);
  if (current < min || current > max) return fail(`${current} replicas, outside its range ${min}–${max}${desired !== undefined ? ` (HPA desires ${desired})` : ''}`);
  const active = condition(live, 'ScalingActive');
  if (active && active.status !== 'True') {
    return warn(`${current} replicas within ${min}–${max}, but it cannot scale: ScalingActive=${active.status} (${active.reason ?? ''}${active.message ? `: ${active.message.split('\n')[0]}` : ''})`);
  }
  return pass(`${current} replicas within ${min}–${max}${active ? ', metrics available' : ''}`);
}

/** An Ingress without an address is only a warning: load balancers are outside vh-deploy. Pure. */
export function judgeIngress(live: KubeObject): Judgement {
  const lb = arr(rec(rec(live.status).loadBalancer).ingress).map(rec);
  const addr = lb.map((i) => str(i.hostname) ?? str(i.ip)).filter(Boolean);
  const hosts = arr(rec(live.spec).rules).map((r) => str(rec(r).host)).filter(Boolean);
  if (addr.length === 0) return warn(`no address yet${hosts.length ? ` for ${hosts.join(', ')}` : ''} (is an ingress controller running?)`);
  return pass(`${hosts.join(', ') || 'default'} → ${addr.join(', ')}`);
}

/** Which of the given objects are missing in the cluster. */
export async function missingObjects(cluster: Cluster, objects: readonly (KubeObject | ObjectKey)[]): Promise<string[]> {
  const results = await Promise.all(objects.map(async (o) => ((await readObject(cluster, o)) ? undefined : objectRef(o))));
  return results.filter((r): r is string => r !== undefined);
}

export interface Endpoint {
  pod?: string;
  ip: string;
  ready: boolean;
  /** The pod is shutting down (scale-down, rollout, eviction): listed, but never ready again. */
  terminating?: boolean;
  /** Port numbers by (service) port name. */
  ports: Record<string, number>;
}

/** The endpoints of a Service from its EndpointSlices (discovery.k8s.io/v1). */
export async function serviceEndpoints(cluster: Cluster, namespace: string, service: string): Promise<Endpoint[]> {
  const { items } = await listObjects(cluster, 'discovery.k8s.io/v1', 'EndpointSlice', { namespace, labelSelector: `kubernetes.io/service-name=${service}` });
  const out: Endpoint[] = [];
  for (const slice of items) {
    const ports: Record<string, number> = {};
    for (const p of arr(slice.ports).map(rec)) {
      const n = num(p.port);
      if (n !== undefined) ports[str(p.name) ?? ''] = n;
    }
    for (const e of arr(slice.endpoints).map(rec)) {
      // A nil `ready` means unknown, which consumers must treat as ready.
      const conditions = rec(e.conditions);
      const ready = conditions.ready !== false;
      const terminating = conditions.terminating === true;
      const ref = rec(e.targetRef);
      for (const ip of arr(e.addresses).filter((a): a is string => typeof a === 'string')) {
        out.push({ ...(str(ref.kind) === 'Pod' && str(ref.name) ? { pod: str(ref.name)! } : {}), ip, ready, ...(terminating && { terminating }), ports });
      }
    }
  }
  return out;
}

/** Endpoints of a Service: at least one must be ready. Pure. */
export function judgeEndpoints(endpoints: readonly Endpoint[]): Judgement {
  const ready = endpoints.filter((e) => e.ready).length;
  if (endpoints.length === 0) return fail('no endpoints (no pod matches the selector, or none is running)');
  // Terminating endpoints stay in the slice until their pods are gone (right after a
  // scale-down or during a rollout); saying so explains "0 ready" without a second look.
  const terminating = endpoints.filter((e) => e.terminating).length;
  const note = terminating ? ` (${terminating} terminating)` : '';
  if (ready === 0) return fail(`0 of ${endpoints.length} endpoints ready${note}`);
  return pass(`${ready} of ${endpoints.length} endpoints ready${note}`);
}

/** The container port behind a Service port, for one endpoint (named target ports resolved by the slice). Pure. */
export function targetPortFor(service: KubeObject, servicePort: number, endpoint: Endpoint): number | undefined {
  const ports = arr(rec(service.spec).ports).map(rec);
  const sp = ports.find((p) => num(p.port) === servicePort);
  if (!sp) return undefined;
  const fromSlice = endpoint.ports[str(sp.name) ?? ''];
  if (fromSlice !== undefined) return fromSlice;
  const tp = sp.targetPort;
  return typeof tp === 'number' ? tp : servicePort;
}

