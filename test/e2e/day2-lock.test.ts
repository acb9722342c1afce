/// <reference path="../cluster/inject.d.ts" />
// The stack lock on the real control plane: two concurrent model-router deploys never
// interleave (one waits, one with --lock-wait 0 exits 1 naming the holder); a stale
// lease is taken over; a live foreign one is refused unless --force-unlock; Ctrl-C
// (of a deploy or an upgrade) releases the lock and records the revision as failed
// (exit 130); `history` tells a live lock from a stale one, also before any revision.
import * as k8s from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { apiRequest, deleteNamespaces, waitFor } from '../cluster/e2e-helpers.js';
import { setPodBehaviour } from '../cluster/pod-server-control.js';
import { cli, coord, core, created, deployRouter, historyJson, kc, KEY, noSecrets, nsName, podIPs, routerArgs } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

const LEASE = 'vh-deploy-lock-model-router';

/**
 * The lock's holder, or undefined when there is no Lease. Only a 404 for the Lease in a
 * namespace that exists means "no holder": any other failure (403, connection refused, a
 * wrong namespace) is rethrown, so "the lock was released" cannot pass on a read that failed.
 */
async function holder(ns: string): Promise<string | undefined> {
  try {
    return (await coord.readNamespacedLease({ name: LEASE, namespace: ns })).spec?.holderIdentity ?? undefined;
  } catch (e) {
    if (!(e instanceof k8s.ApiException && e.code === 404)) throw e;
    await core.readNamespace({ name: ns }); // throws (404) when the namespace itself is missing
    return undefined;
  }
}

async function putLease(ns: string, holderIdentity: string, renewedMsAgo: number, leaseDurationSeconds: number, name = LEASE): Promise<void> {
  // MicroTime wants six fractional digits (the generated client sends three).
  const t = new Date(Date.now() - renewedMsAgo).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity, leaseDurationSeconds, acquireTime: t, renewTime: t } };
  const r = await apiRequest(kc, 'POST', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, body);
  expect(r.status, r.body).toBe(201);
}

describe('two concurrent deploys of one stack', () => {
  it('never interleave: the second waits for the first, a third with --lock-wait 0 exits 1 naming the holder', async () => {
    const ns = await deployRouter('e2e-d2-lock', ['--replicas', '2']);
    const args = routerArgs(ns, { extra: ['--replicas', '2'] });
    // Slow the first run's health checks, so it holds the lock for a few seconds.
    const ips = await podIPs(ns);
    for (const p of ips) await setPodBehaviour(p.ip, { path: '/health', delayMs: 4000 });
    try {
      let pidA = 0;
      const a = cli(args, {}, { onSpawn: (pid) => (pidA = pid) });
      await waitFor('the first deploy to hold the lock', async () => (await holder(ns))?.endsWith(` pid ${pidA}`), { timeoutMs: 20_000, intervalMs: 100 });
      const [b, c] = [cli(args), cli([...args, '--lock-wait', '0'])];
      const [ra, rb, rc] = await Promise.all([a, b, c]);
      expect(ra.code, ra.err).toBe(0);
      expect(rc.code).toBe(1);
      expect(rc.err).toMatch(new RegExp(`^error: Lease/${ns}/${LEASE} is held by \\S+@\\S+ pid ${pidA} \\(renewed \\d+s ago, expires in \\d+s unless renewed\\): another vh-deploy operation on this stack is running$`, 'm'));
      expect(rc.err).toMatch(/^hint: .*--force-unlock$/m);
      expect(rb.code, rb.err).toBe(0);
      expect(rb.err).toMatch(new RegExp(`waiting for the lock Lease/${ns}/${LEASE}: held by \\S+@\\S+ pid ${pidA}`));
      noSecrets(ra, rb, rc);
      // One revision each, strictly one after the other; the refused run wrote nothing.
      const h = await historyJson(ns);
      expect(h.map((x) => `${x.revision} ${x.status}`)).toEqual(['1 superseded', '2 superseded', '3 deployed']);
      // B's revision started only after A had finished (A's health checks alone took 4 s).
      expect(Date.parse(h[2]!.time) - Date.parse(h[1]!.time)).toBeGreaterThanOrEqual(3500);
      expect(await holder(ns)).toBeUndefined(); // released
    } finally {
      for (const p of ips) await setPodBehaviour(p.ip, { path: '/health' });
    }
  });
});

describe('stale and foreign locks', () => {
  it('a lease whose holder stopped renewing past its duration is taken over', async () => {
    const ns = await deployRouter('e2e-d2-stale', ['--replicas', '1']);
    await putLease(ns, 'ghost@gone-host.invalid pid 1', 10 * 60_000, 60);
    const r = await cli(routerArgs(ns, { extra: ['--replicas', '1'] }));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/warning: taking over the stale lock of model-router held by ghost@gone-host\.invalid pid 1: it stopped renewing 10m ago/);
    expect(await holder(ns)).toBeUndefined();
  });

  it('a live foreign holder is refused (exit 1, named); --force-unlock takes it', async () => {
    const ns = await deployRouter('e2e-d2-force', ['--replicas', '1']);
    await putLease(ns, 'alice@build-7.invalid pid 4242', 0, 300);
    const refused = await cli(['scale', 'model-router', '-n', ns, '--replicas', '2', '--lock-wait', '1s']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/is held by alice@build-7\.invalid pid 4242/);
    expect((await historyJson(ns)).length).toBe(1);
    const verify = await cli(['verify', 'model-router', '-n', ns]);
    expect(verify.out).toMatch(/an operation is running: locked by alice@build-7\.invalid pid 4242/);
    const forced = await cli(['scale', 'model-router', '-n', ns, '--replicas', '2', '--force-unlock']);
    expect(forced.code, forced.err).toBe(0);
    expect(forced.err).toMatch(/warning: --force-unlock: taking the lock of model-router from alice@build-7\.invalid pid 4242/);
    expect(await holder(ns)).toBeUndefined();
  });
});

/**
 * Runs the CLI with `args`, waits until that process holds the lock and is into its wait
 * for readiness, then sends it SIGINT (what Ctrl-C does): its result, and how long it took
 * to exit once signalled.
 */
async function interrupted(ns: string, what: string, args: string[]) {
  let pid = 0;
  const run = cli(args, {}, { onSpawn: (p) => (pid = p) });
  await waitFor(what, async () => (await holder(ns))?.endsWith(` pid ${pid}`), { timeoutMs: 20_000, intervalMs: 100 });
  await new Promise((r) => setTimeout(r, 1000)); // into the wait
  const sent = Date.now();
  process.kill(pid, 'SIGINT');
  const r = await run;
  return { r, afterSignalMs: Date.now() - sent };
}

describe('Ctrl-C', () => {
  it('stops the wait, releases the lock, records the revision as failed, exit 130', async () => {
    const ns = await deployRouter('e2e-d2-sigint', ['--replicas', '1']);
    const { r, afterSignalMs } = await interrupted(ns, 'the deploy to hold the lock', routerArgs(ns, { image: 'e2e.invalid/never-ready:1.0.0', extra: ['--replicas', '1', '--timeout', '90s'] }));
    expect(r.code, r.err).toBe(130);
    expect(afterSignalMs).toBeLessThan(10_000);
    expect(r.err).toMatch(/^error: interrupted: the model-router operation was stopped/m);
    expect(await holder(ns)).toBeUndefined();
    const last = (await historyJson(ns)).at(-1)!;
    expect(last).toMatchObject({ revision: 2, status: 'failed' });
    expect(last.error).toMatch(/^interrupted/);
  });
});

describe('Ctrl-C during upgrade', () => {
  it('stops without an automatic rollback: exit 130, one JSON document, lock released, the upgrade recorded as failed', async () => {
    const ns = await deployRouter('e2e-d2-sigint-up', ['--replicas', '1']);
    const { r, afterSignalMs } = await interrupted(ns, 'the upgrade to hold the lock', ['upgrade', 'model-router', '-n', ns, '--image', 'e2e.invalid/never-ready:1.0.0', '--timeout', '90s', '-o', 'json']);
    expect(r.code, r.err).toBe(130);
    expect(afterSignalMs).toBeLessThan(10_000);
    expect(r.err).toMatch(/^error: upgrade of model-router to 1\.0\.0 stopped \(revision 2, left in place; no automatic rollback\):$/m);
    expect(r.err).toMatch(/^ {2}interrupted: the model-router operation was stopped/m);
    expect(r.err).not.toMatch(/rolling back/);
    expect(JSON.parse(r.out)).toEqual({ ok: false, exitCode: 130, error: expect.stringMatching(/^upgrade of model-router to 1\.0\.0 stopped/) });
    noSecrets(r);
    expect(await holder(ns)).toBeUndefined();
    const h = await historyJson(ns);
    expect(h.map((x) => `${x.revision} ${x.status} ${x.command}`)).toEqual(['1 deployed model-router', '2 failed upgrade']);
    expect(h[1]!.error).toMatch(/^interrupted/);
  });
});

interface HistoryDoc {
  revisions: Array<{ revision: number }>;
  lockedBy?: string;
  lock?: { lease: string; holder: string; state: string; renewedSecondsAgo?: number; expiresInSeconds?: number; staleReason?: string };
}

async function history(ns: string): Promise<{ text: string; doc: HistoryDoc }> {
  const t = await cli(['history', 'model-router', '-n', ns]);
  expect(t.code, t.err).toBe(0);
  const j = await cli(['history', 'model-router', '-n', ns, '-o', 'json']);
  expect(j.code, j.err).toBe(0);
  return { text: t.out + t.err, doc: JSON.parse(j.out) as HistoryDoc };
}

describe('history shows the lock as what it is', () => {
  it('an expired Lease is a stale lock that the next operation takes over, not "locked by"; a live one is "locked by"', async () => {
    const ns = await deployRouter('e2e-d2-hist-lock', ['--replicas', '1']);
    await putLease(ns, 'ghost@gone-host.invalid pid 1', 10 * 60_000, 60);
    const stale = await history(ns);
    expect(stale.text).toContain(`Lease ${LEASE}: stale lock (ghost@gone-host.invalid pid 1 stopped renewing 10m ago; the next operation takes it over)`);
    expect(stale.text).not.toMatch(/locked by/);
    expect(stale.doc.lockedBy).toBeUndefined();
    expect(stale.doc.lock).toMatchObject({ lease: LEASE, holder: 'ghost@gone-host.invalid pid 1', state: 'stale', staleReason: 'expired' });
    expect(stale.doc.lock!.renewedSecondsAgo).toBeGreaterThanOrEqual(600);
    expect(stale.doc.lock!.renewedSecondsAgo).toBeLessThan(660);
    expect(stale.doc.revisions.map((r) => r.revision)).toEqual([1]);

    expect((await apiRequest(kc, 'DELETE', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${LEASE}`)).status).toBe(200);
    await putLease(ns, 'alice@build-7.invalid pid 4242', 2_000, 300);
    const live = await history(ns);
    expect(live.text).toMatch(new RegExp(`^Lease ${LEASE}: locked by alice@build-7\\.invalid pid 4242 \\(renewed [2-9]s ago\\); an operation is running$`, 'm'));
    expect(live.text).not.toMatch(/stale/);
    expect(live.doc.lockedBy).toBe('alice@build-7.invalid pid 4242');
    expect(live.doc.lock).toMatchObject({ lease: LEASE, holder: 'alice@build-7.invalid pid 4242', state: 'held' });
    expect(live.doc.lock!.expiresInSeconds).toBeGreaterThan(280);
    expect(live.doc.lock!.expiresInSeconds).toBeLessThanOrEqual(298);
  });

  it('no revision recorded yet but the lock held: history says both (exit 0); neither: not deployed (exit 1)', async () => {
    const ns = nsName('e2e-d2-hist-first');
    expect((await apiRequest(kc, 'POST', '/api/v1/namespaces', { metadata: { name: ns, labels: { 'vh-e2e': 'true' } } })).status).toBe(201);
    const none = await cli(['history', 'model-router', '-n', ns]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^error: no revision of model-router is recorded in namespace /m);

    await putLease(ns, 'carol@ci-9.invalid pid 99', 1_000, 300);
    const held = await history(ns);
    expect(held.text).toMatch(new RegExp(`^history of model-router: namespace ${ns}, context \\S+\\nno revision of model-router is recorded here yet$`, 'm'));
    expect(held.text).toMatch(new RegExp(`^Lease ${LEASE}: locked by carol@ci-9\\.invalid pid 99 \\(renewed \\d+s ago\\); an operation is running$`, 'm'));
    expect(held.doc).toMatchObject({ revisions: [], lockedBy: 'carol@ci-9.invalid pid 99', lock: { holder: 'carol@ci-9.invalid pid 99', state: 'held' } });

    expect((await apiRequest(kc, 'DELETE', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${LEASE}`)).status).toBe(200);
    await putLease(ns, 'carol@ci-9.invalid pid 99', 5 * 60_000, 60);
    const stale = await history(ns);
    expect(stale.text).toMatch(new RegExp(`^history of model-router: namespace ${ns}, context \\S+\\nno revision of model-router is recorded here yet$`, 'm'));
    expect(stale.text).toContain(`Lease ${LEASE}: stale lock (carol@ci-9.invalid pid 99 stopped renewing 5m ago; the next operation takes it over)`);
    expect(stale.doc).toMatchObject({ revisions: [], lock: { state: 'stale', staleReason: 'expired' } });
    expect(stale.doc.lockedBy).toBeUndefined();
  });
});

describe('the PostHog connection, written by `cloud` and by `model-router --posthog-host`', () => {
  it('model-router --posthog-host also holds the lock of `cloud`: a live holder of that lock is waited for and named', async () => {
    const ns = await deployRouter('e2e-d2-conn-lock', ['--replicas', '1']);
    await putLease(ns, 'bob@ci-3.invalid pid 77', 0, 300, 'vh-deploy-lock-posthog-connection');
    const withHost = await cli(routerArgs(ns, { extra: ['--replicas', '1', '--posthog-host', 'https://eu.i.posthog.com', '--lock-wait', '1s'] }), { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(withHost.code).toBe(1);
    expect(withHost.err).toMatch(/vh-deploy-lock-posthog-connection is held by bob@ci-3\.invalid pid 77/);
    expect((await historyJson(ns)).length).toBe(1); // nothing recorded, nothing written
    // Without --posthog-host the connection is only read: its lock is not needed.
    const plain = await cli(routerArgs(ns, { extra: ['--replicas', '1', '--lock-wait', '1s'] }));
    expect(plain.code, plain.err).toBe(0);
    expect(await holder(ns)).toBeUndefined(); // model-router's own lock released
    // Once a revision wrote the connection, upgrade (and rollback) hold that lock as well.
    expect((await apiRequest(kc, 'DELETE', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/vh-deploy-lock-posthog-connection`)).status).toBe(200);
    const writes = await cli(routerArgs(ns, { extra: ['--replicas', '1', '--posthog-host', 'https://eu.i.posthog.com'] }), { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(writes.code, writes.err).toBe(0);
    await putLease(ns, 'bob@ci-3.invalid pid 77', 0, 300, 'vh-deploy-lock-posthog-connection');
    const upgrade = await cli(['upgrade', 'model-router', '-n', ns, '--image-tag', '1.4.3', '--yes', '--lock-wait', '1s']);
    expect(upgrade.code).toBe(1);
    expect(upgrade.err).toMatch(/vh-deploy-lock-posthog-connection is held by bob@ci-3\.invalid pid 77/);
    expect((await historyJson(ns)).length).toBe(3);
  });
});
