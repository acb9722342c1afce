// The stack lock: expiry and dead-holder logic (pure), and acquire / wait / take over /
// force / renew / release against a tiny fake API server that keeps Leases with
// resourceVersion preconditions like the real one (test/unit/support/fake-api.ts).
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { acquireLease, holderIdentity, leaseState, localProcessAlive, LockHeldError, microTime, parseHolder, type LeaseSpec } from '../../src/k8s/lease.js';
import { reasonOf } from '../../src/k8s/reasons.js';
import { inCliTerms } from '../../src/commands/engine-errors.js';
import { useFakeApi } from './support/fake-api.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();

describe('leaseState (pure)', () => {
  const spec = (s: Partial<LeaseSpec>): LeaseSpec => ({ holderIdentity: 'bob@ci-3 pid 77', leaseDurationSeconds: 60, renewTime: at(10_000), ...s });
  it('no holder: free; my own: mine', () => {
    expect(leaseState({}, 'me', NOW)).toEqual({ kind: 'free' });
    expect(leaseState(spec({ holderIdentity: '' }), 'me', NOW)).toEqual({ kind: 'free' });
    expect(leaseState(spec({ holderIdentity: 'me' }), 'me', NOW)).toEqual({ kind: 'mine' });
  });
  it('renewed within its duration: held, with the time left', () => {
    expect(leaseState(spec({}), 'me', NOW)).toEqual({ kind: 'held', holder: 'bob@ci-3 pid 77', renewedAgoMs: 10_000, expiresInMs: 50_000 });
  });
  it('not renewed for longer than its duration: stale (expired)', () => {
    expect(leaseState(spec({ renewTime: at(61_000) }), 'me', NOW)).toMatchObject({ kind: 'stale', reason: 'expired', renewedAgoMs: 61_000 });
    expect(leaseState(spec({ renewTime: at(59_000) }), 'me', NOW).kind).toBe('held');
    // acquireTime counts when never renewed; no time at all is stale.
    expect(leaseState(spec({ renewTime: undefined, acquireTime: at(120_000) }), 'me', NOW).kind).toBe('stale');
    expect(leaseState(spec({ renewTime: undefined }), 'me', NOW)).toMatchObject({ kind: 'stale', reason: 'expired' });
  });
  it('a holder known to be dead is stale at once; unknown liveness keeps it held', () => {
    expect(leaseState(spec({}), 'me', NOW, () => false)).toMatchObject({ kind: 'stale', reason: 'dead' });
    expect(leaseState(spec({}), 'me', NOW, () => undefined).kind).toBe('held');
    expect(leaseState(spec({}), 'me', NOW, () => true).kind).toBe('held');
  });
  it('uses the lease duration, default 60 s', () => {
    expect(leaseState(spec({ leaseDurationSeconds: 5, renewTime: at(6_000) }), 'me', NOW).kind).toBe('stale');
    expect(leaseState(spec({ leaseDurationSeconds: undefined, renewTime: at(59_000) }), 'me', NOW).kind).toBe('held');
  });
});

describe('holder identity', () => {
  it('is user@host pid N and parses back', () => {
    const id = holderIdentity(1234);
    expect(id).toMatch(new RegExp(`^.+@${hostname().replace(/[.]/g, '\\.')} pid 1234$`));
    expect(parseHolder(id)).toMatchObject({ host: hostname(), pid: 1234 });
    expect(parseHolder('something else')).toBeUndefined();
  });
  it('a process on this host is alive or dead; elsewhere unknown', () => {
    expect(localProcessAlive(holderIdentity(process.pid))).toBe(true);
    expect(localProcessAlive(holderIdentity(2 ** 22 + 12345))).toBe(false);
    expect(localProcessAlive('alice@some-other-host.invalid pid 1')).toBeUndefined();
  });
  it('MicroTime has six fractional digits', () => {
    expect(microTime(new Date('2025-06-01T12:00:00.123Z'))).toBe('2025-06-01T12:00:00.123000Z');
  });
});

// ---- a fake API server that keeps Leases like the real one --------
const api = useFakeApi();

const lease = () => api.get('leases', 'ns', 'lock');
const put = (holder: string, renewedMsAgo: number, duration = 60) =>
  api.put('leases', { metadata: { name: 'lock', namespace: 'ns' }, spec: { holderIdentity: holder, leaseDurationSeconds: duration, renewTime: new Date(Date.now() - renewedMsAgo).toISOString() } });

describe('acquireLease (fake API server)', () => {
  it('creates the Lease when there is none, and deletes it on release', async () => {
    const l = await acquireLease(api.cluster, { namespace: 'ns', name: 'lock', holder: 'me@h pid 1', waitMs: 0 });
    expect(lease()?.spec).toMatchObject({ holderIdentity: 'me@h pid 1', leaseDurationSeconds: 60, leaseTransitions: 0 });
    expect(lease()?.spec?.renewTime).toMatch(/\.\d{6}Z$/);
    expect(l.waited).toBe(false);
    await l.release();
    expect(lease()).toBeUndefined();
  });
  it('a live holder: fails after the wait, naming the holder (reason lockHeld; the CLI hint names --force-unlock)', async () => {
    put('alice@build-7 pid 4242', 1_000, 300);
    const started = Date.now();
    const err = await acquireLease(api.cluster, { namespace: 'ns', name: 'lock', holder: 'me@h pid 1', waitMs: 300, pollMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as Error).message).toMatch(/^Lease\/ns\/lock is held by alice@build-7 pid 4242 \(renewed 1s ago, expires in 29\ds unless renewed\)/);
    expect(reasonOf(err)).toEqual({ reason: 'lockHeld', lease: 'lock', holder: 'alice@build-7 pid 4242' });
    expect((err as LockHeldError).hint).not.toMatch(/--/);
    expect(inCliTerms(err as LockHeldError).hint).toBe('wait for it to finish; if that process is gone, the lock expires by itself, or re-run with --force-unlock');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(lease()?.spec?.holderIdentity).toBe('alice@build-7 pid 4242');
  });
  it('waits for a holder that releases, and says it waited', async () => {
    put('alice@build-7 pid 4242', 0);
    const waits: string[] = [];
    setTimeout(() => api.delete('leases', 'ns', 'lock'), 150);
    const l = await acquireLease(api.cluster, { namespace: 'ns', name: 'lock', holder: 'me@h pid 1', waitMs: 5_000, pollMs: 50, onWait: (s) => waits.push(s.holder) });
    expect(waits).toEqual(['alice@build-7 pid 4242']);
    expect(l.waited).toBe(true);
    await l.release();
  });
  it('takes over an expired lease, counting the transition', async () => {
    put('alice@build-7 pid 4242', 10 * 60_000, 60);
    const taken: string[] = [];
    const l = await acquireLease(api.cluster, { namespace: 'ns', name: 'lock', holder: 'me@h pid 1', waitMs: 0, onTakeOver: (prev, why) => taken.push(`${prev}:${why}`) });
    expect(taken).toEqual(['alice@build-7 pid 4242:expired']);
    expect(lease()?.spec).toMatchObject({ holderIdentity: 'me@h pid 1', leaseTransitions: 1 });
    await l.release();
  });
  it('takes over at once from a dead process on this host', async () => {
    put(holderIdentity(2 ** 22 + 4321), 1_000, 300);
    const taken: string[] = [];
    const l = await acquireLease(api.cluster, { namespace: 'ns', name: 'lock', holder: 'me@h pid 1', waitMs: 0, onTakeOver: (_p, why) => taken.push(why) });
    expect(taken).toEqual(['dead']);
    await l.release();
  });
  it('--force-unlock takes a live lease', async () => {
    put('alice@build-7 pid 4242', 0, 300);
    const taken: string[] = [];
    const l = await acquireLease(api.cluster, { namespace: 'ns', name: 'lock', holder: 'me@h pid 1', waitMs: 0, force: true, onTakeOver: (_p, why) => taken.push(why) });
    expect(taken).toEqual(['forced']);
    expect(lease()?.spec?.holderIdentity).toBe('me@h pid 1');
    await l.release();
  });
  it('renews in the background, and release does not delete a lease that changed hands', async () => {
    const l = await acquireLease(api.cluster, { namespace: 'ns', name: 'lock', holder: 'me@h pid 1', waitMs: 0, renewMs: 40 });
    const first = lease()!.spec!.renewTime!;
    await new Promise((r) => setTimeout(r, 200));
    expect(Date.parse(lease()!.spec!.renewTime!)).toBeGreaterThan(Date.parse(first));
    // Someone forces it away: the next renewal notices and aborts `lost`.
    put('thief@x pid 9', 0, 300);
    await new Promise((r) => setTimeout(r, 150));
    expect(l.lost.aborted).toBe(true);
    expect(String((l.lost.reason as Error).message)).toMatch(/lost the lock Lease\/ns\/lock: it is now held by thief@x pid 9/);
    expect(reasonOf(l.lost.reason)).toEqual({ reason: 'lockLost', lease: 'Lease/ns/lock', takenOver: true });
    expect(inCliTerms(l.lost.reason as Error & { hint?: string }).hint).toBe('another vh-deploy run took it over (--force-unlock); check what it changed');
    await l.release();
    expect(lease()?.spec?.holderIdentity).toBe('thief@x pid 9');
  });
  it('two acquirers racing: exactly one wins (resourceVersion preconditions)', async () => {
    const results = await Promise.allSettled([
      acquireLease(api.cluster, { namespace: 'ns', name: 'lock', holder: 'a@h pid 1', waitMs: 0 }),
      acquireLease(api.cluster, { namespace: 'ns', name: 'lock', holder: 'b@h pid 2', waitMs: 0 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as Error).constructor.name)).toEqual(['LockHeldError']);
    for (const r of results) if (r.status === 'fulfilled') await r.value.release();
  });
});
