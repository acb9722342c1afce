// A lock per stack (docs/architecture.md rule 7): a coordination.k8s.io/v1 Lease held for the
// whole of a mutating command, renewed in the background, released at the end.
// Unlike Helm's `pending-*` status (helm/helm#10549) it names its
// holder, expires when the holder stops renewing, is taken over at once when the
// holder is a dead process on this host, and can be forced (AcquireOptions.force).
// Generic: the caller chooses the Lease's name and namespace.
import { hostname, userInfo } from 'node:os';
import { OperationError } from '../errors.js';
import { KubeApiError } from './api-error.js';
import { withReason } from './reasons.js';
import { sleep, type Cluster } from './client.js';
import { num, rec, str } from './types.js';

export const LEASE_DURATION_SECONDS = 60;

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface LeaseObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: LeaseSpec;
}

/** `user@host pid N`: who holds a lock, as people read it. */
export function holderIdentity(pid = process.pid): string {
  let user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    /* no passwd entry (containers): keep the env value */
  }
  return `${user}@${hostname()} pid ${pid}`;
}

export function parseHolder(id: string): { user: string; host: string; pid: number } | undefined {
  const m = /^(.*)@(\S+) pid (\d+)$/.exec(id);
  return m ? { user: m[1]!, host: m[2]!, pid: Number(m[3]) } : undefined;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Whether a process on this host is alive; undefined when the holder is elsewhere. */
export function localProcessAlive(holder: string): boolean | undefined {
  const h = parseHolder(holder);
  if (!h || h.host !== hostname()) return undefined;
  if (h.pid === process.pid) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type LeaseState =
  | { kind: 'free' }
  | { kind: 'mine' }
  | { kind: 'held'; holder: string; renewedAgoMs: number; expiresInMs: number }
  | { kind: 'stale'; holder: string; reason: 'expired' | 'dead'; renewedAgoMs: number };

/**
 * What a Lease means to `me` at `now`. Pure. A lease nobody holds is free; one whose
 * holder stopped renewing for longer than its duration is stale (expired), as is one
 * whose holder is a process on this host that no longer exists (dead).
 */
export function leaseState(spec: LeaseSpec, me: string, now: number, alive: (holder: string) => boolean | undefined = () => undefined): LeaseState {
  const holder = spec.holderIdentity ?? '';
  if (!holder) return { kind: 'free' };
  if (holder === me) return { kind: 'mine' };
  const last = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  const renewedAgoMs = Number.isFinite(last) ? Math.max(now - last, 0) : Number.POSITIVE_INFINITY;
  const durationMs = (spec.leaseDurationSeconds ?? LEASE_DURATION_SECONDS) * 1000;
  if (renewedAgoMs > durationMs) return { kind: 'stale', holder, reason: 'expired', renewedAgoMs };
  if (alive(holder) === false) return { kind: 'stale', holder, reason: 'dead', renewedAgoMs };
  return { kind: 'held', holder, renewedAgoMs, expiresInMs: durationMs - renewedAgoMs };
}

export function ago(ms: number): string {
  if (!Number.isFinite(ms)) return 'never';
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

export interface AcquireOptions {
  namespace: string;
  name: string;
  /** Default: holderIdentity(). */
  holder?: string;
  durationSeconds?: number;
  /** How long to wait for another holder to finish (0: fail at once). */
  waitMs: number;
  /** Take the lease whoever holds it. */
  force?: boolean;
  /** Called once when the lease is held by someone else and we start waiting. */
  onWait?: (s: Extract<LeaseState, { kind: 'held' }>) => void;
  /** Called when a stale or forced lease is taken over. */
  onTakeOver?: (previous: string, why: 'expired' | 'dead' | 'forced', renewedAgoMs: number) => void;
  labels?: Record<string, string>;
  signal?: AbortSignal;
  /** Poll interval while waiting (default 1 s). */
  pollMs?: number;
  /** Renewal interval (default a third of the duration). */
  renewMs?: number;
}

export interface HeldLease {
  readonly name: string;
  readonly namespace: string;
  readonly holder: string;
  /** True when another holder had it and we waited for them. */
  readonly waited: boolean;
  /** Aborted when the lease is lost (someone forced it away, or renewals failed past expiry). */
  readonly lost: AbortSignal;
  /**
   * Set when the lease was taken from another holder: whatever that holder left unfinished
   * under it (a `pending` revision record) will not be finished by it.
   */
  readonly tookOver?: TakeOver;
  release(): Promise<void>;
}

export interface TakeOver {
  holder: string;
  why: 'expired' | 'dead' | 'forced';
  /** When that holder last renewed it. */
  renewedAgoMs: number;
}

export class LockHeldError extends OperationError {
  constructor(
    readonly lease: string,
    readonly holderId: string,
    message: string,
    hint: string,
  ) {
    super(message, hint);
    withReason(this, { reason: 'lockHeld', lease, holder: holderId });
  }
}

const leasePath = (ns: string, name?: string) => `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/leases${name ? `/${encodeURIComponent(name)}` : ''}`;


/**
 * Acquires the Lease: creates it, or takes it when free, ours, stale or forced;
 * otherwise polls until `waitMs` has passed and throws LockHeldError naming the holder.
 * Every write carries the resourceVersion it read, so two acquirers never both win.
 */
export async function acquireLease(cluster: Cluster, o: AcquireOptions): Promise<HeldLease> {
  const me = o.holder ?? holderIdentity();
  const duration = o.durationSeconds ?? LEASE_DURATION_SECONDS;
  const deadline = Date.now() + o.waitMs;
  const ref = `Lease/${o.namespace}/${o.name}`;
  let waited = false;
  let announced = false;
  for (;;) {
    if (o.signal?.aborted) throw o.signal.reason;
    let tookOver: TakeOver | undefined;
    const res = await cluster.requestOk('GET', leasePath(o.namespace, o.name), { okStatuses: [404], what: ref, ...(o.signal && { signal: o.signal }) });
    const now = new Date();
    const fresh: LeaseSpec = { holderIdentity: me, leaseDurationSeconds: duration, acquireTime: microTime(now), renewTime: microTime(now) };
    let rv: string | undefined;
    try {
      if (res.status === 404) {
        const body: LeaseObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: o.name, namespace: o.namespace, ...(o.labels && { labels: o.labels }) }, spec: { ...fresh, leaseTransitions: 0 } };
        const created = await cluster.requestOk('POST', leasePath(o.namespace), { body, what: ref });
        rv = str(rec(rec(created.json()).metadata).resourceVersion);
      } else {
        const live = res.json<LeaseObject>();
        const spec = rec(live.spec) as LeaseSpec;
        const state = leaseState(spec, me, now.getTime(), localProcessAlive);
        if (state.kind === 'held' && !o.force) {
          if (Date.now() >= deadline) {
            throw new LockHeldError(
              o.name,
              state.holder,
              `${ref} is held by ${state.holder} (renewed ${ago(state.renewedAgoMs)}, expires in ${Math.ceil(state.expiresInMs / 1000)}s unless renewed): another vh-deploy operation on this stack is running`,
              'wait for it to finish; if that process is gone, the lock expires by itself, or take it over by force',
            );
          }
          if (!announced) {
            announced = true;
            o.onWait?.(state);
          }
          waited = true;
          await sleep(Math.min(o.pollMs ?? 1000, Math.max(deadline - Date.now(), 50)), o.signal);
          continue;
        }
        if (state.kind === 'stale' || (state.kind === 'held' && o.force)) {
          tookOver = { holder: state.holder, why: state.kind === 'stale' ? state.reason : 'forced', renewedAgoMs: state.renewedAgoMs };
          o.onTakeOver?.(tookOver.holder, tookOver.why, state.renewedAgoMs);
        }
        const transitions = (num(spec.leaseTransitions) ?? 0) + (state.kind === 'mine' || state.kind === 'free' ? 0 : 1);
        const body: LeaseObject = { ...live, metadata: { ...live.metadata }, spec: { ...fresh, leaseTransitions: transitions } };
        const updated = await cluster.requestOk('PUT', leasePath(o.namespace, o.name), { body, what: ref });
        rv = str(rec(rec(updated.json()).metadata).resourceVersion);
      }
    } catch (e) {
      // Someone else created or updated it between our read and write: read again.
      if (e instanceof KubeApiError && e.status === 409) continue;
      throw e;
    }
    return startRenewing(cluster, { ...o, holder: me, durationSeconds: duration }, rv ?? '', waited, tookOver);
  }
}

function startRenewing(cluster: Cluster, o: AcquireOptions & { holder: string; durationSeconds: number }, resourceVersion: string, waited: boolean, tookOver: TakeOver | undefined): HeldLease {
  const ctl = new AbortController();
  const ref = `Lease/${o.namespace}/${o.name}`;
  let rv = resourceVersion;
  let lastRenew = Date.now();
  let released = false;
  let inFlight: Promise<void> = Promise.resolve();

  const renew = async () => {
    if (released || ctl.signal.aborted) return;
    try {
      const res = await cluster.requestOk('GET', leasePath(o.namespace, o.name), { okStatuses: [404], what: ref, timeoutMs: 10_000 });
      const live = res.status === 404 ? undefined : res.json<LeaseObject>();
      if (!live || live.spec?.holderIdentity !== o.holder) {
        const lost = new OperationError(`lost the lock ${ref}: ${live ? `it is now held by ${live.spec?.holderIdentity ?? 'nobody'}` : 'it was deleted'}`, 'another run took it over by force; check what it changed');
        ctl.abort(withReason(lost, { reason: 'lockLost', lease: ref, takenOver: true }));
        return;
      }
      if (released) return;
      const body: LeaseObject = { ...live, spec: { ...live.spec, renewTime: microTime(new Date()), leaseDurationSeconds: o.durationSeconds } };
      const updated = await cluster.requestOk('PUT', leasePath(o.namespace, o.name), { body, what: ref, timeoutMs: 10_000 });
      rv = str(rec(rec(updated.json()).metadata).resourceVersion) ?? rv;
      lastRenew = Date.now();
    } catch (e) {
      // Transient failures are retried at the next tick, until the lease would have expired.
      if (Date.now() - lastRenew > o.durationSeconds * 1000) {
        ctl.abort(withReason(new OperationError(`lost the lock ${ref}: could not renew it for ${o.durationSeconds}s (${(e as Error).message})`), { reason: 'lockLost', lease: ref, takenOver: false }));
      }
    }
  };
  const timer = setInterval(() => {
    inFlight = inFlight.then(renew);
  }, o.renewMs ?? Math.max(Math.floor((o.durationSeconds * 1000) / 3), 200));
  timer.unref();

  return {
    name: o.name,
    namespace: o.namespace,
    holder: o.holder,
    waited,
    lost: ctl.signal,
    ...(tookOver && { tookOver }),
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await inFlight.catch(() => undefined);
      if (ctl.signal.aborted) return; // not ours any more
      // Delete only the lease we hold: the precondition fails (409) if it changed hands.
      await cluster
        .request('DELETE', leasePath(o.namespace, o.name), {
          body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: rv } },
          timeoutMs: 10_000,
        })
        .catch(() => undefined);
    },
  };
}

/** The current holder of a Lease, for messages (`history`, `verify`). */
export async function readLease(cluster: Cluster, namespace: string, name: string): Promise<LeaseSpec | undefined> {
  const res = await cluster.requestOk('GET', leasePath(namespace, name), { okStatuses: [404], what: `Lease/${namespace}/${name}` });
  return res.status === 404 ? undefined : (rec(res.json<LeaseObject>().spec) as LeaseSpec);
}
