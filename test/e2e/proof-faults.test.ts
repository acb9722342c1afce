/// <reference path="../cluster/inject.d.ts" />
// Proof, part 3 (issue 6): faults with real processes and real signals, each bounded.
// test/cluster/fault.sh kills kube-apiserver or etcd (SIGKILL: a crash) and starts it
// again with the same command line. "In the middle of an apply" is made exact with
// SIGSTOP/SIGCONT on the CLI: it is frozen right after announcing a group, the component
// is killed, and the CLI resumes against a dead server. "In the middle of a wait" holds
// the rollout with a ResourceQuota of 0 pods in the test's namespace (the ReplicaSet
// cannot create pods) and lifts it after the fault, so the rollout can only finish if
// the CLI's watches were re-established. Outcome rule: the command completes (by
// retrying) or exits 1 saying how to resume; a re-run converges with nothing lost or
// duplicated. Ctrl-C (SIGINT) exits 130 with the stack's Lease released and the
// revision marked.
//
// These tests stop the control plane for a few seconds: other suites using the same
// cluster at the same moment see it too (vitest runs e2e files one at a time).
import { afterEach, describe, expect, inject, it } from 'vitest';
import { apiRequest, loadKubeConfig, waitFor, namespaceNames } from '../cluster/e2e-helpers.js';
import { runCli, type CliResult } from './support/cli.js';
import { fault, NODE_WARNING, startCli, STACK_FRAME } from './support/proof.js';
import { getJson, snapshot } from './support/snapshot.js';

const kubeconfig = inject('kubeconfig');
const kc = loadKubeConfig(kubeconfig);
const nsName = namespaceNames(kc);

/** Whatever happens in a test, the control plane is running again afterwards. */
afterEach(async () => {
  for (const c of ['etcd', 'kube-apiserver']) await fault('start', c).catch(() => undefined);
  await waitFor('the API server', async () => (await apiRequest(kc, 'GET', '/readyz', undefined, 3_000)).status === 200, { timeoutMs: 60_000 });
});

const DB_PASSWORD = 'fault-db-password-7';
const KEY = 'phc_faultFAULTfault0123456789';
const env = { VH_DEPLOY_DB_PASSWORD: DB_PASSWORD, VH_DEPLOY_POSTHOG_API_KEY: KEY };
const routerArgs = (ns: string, extra: string[] = []) => [
  'model-router', '-n', ns, '--yes', '--image', 'registry.example.com/model-router:1.4.2', '--db-host', 'pg.data.svc', '--db-user', 'router',
  '--redis-addr', 'redis.data.svc:6379', '--posthog-host', 'https://eu.i.posthog.com', '--timeout', '90s', ...extra,
];

/** The objects one model-router deploy owns; anything more is a duplicate, anything less a loss. */
const EXPECTED = [
  'ConfigMap/model-router-config',
  'ConfigMap/model-router-posthog',
  'Deployment/model-router',
  'HorizontalPodAutoscaler/model-router',
  'NetworkPolicy/model-router',
  'PodDisruptionBudget/model-router',
  'Secret/model-router-posthog',
  'Secret/model-router-secrets',
  'Service/model-router',
  'ServiceAccount/model-router',
];

interface Revision {
  revision: number;
  status: string;
  error?: string;
}
async function revisions(ns: string, stack = 'model-router'): Promise<Revision[]> {
  const { gunzipSync } = await import('node:zlib');
  const list = (await getJson<{ items: Array<{ data?: Record<string, string> }> }>(kc, `/api/v1/namespaces/${ns}/secrets?labelSelector=${encodeURIComponent(`vh-deploy.io/revision-of=${stack}`)}`))!;
  return list.items
    .flatMap((s) => Object.values(s.data ?? {}).map((v) => JSON.parse(gunzipSync(Buffer.from(v, 'base64')).toString('utf8')) as Revision))
    .sort((a, b) => a.revision - b.revision);
}

/**
 * The lock's holder, or undefined when there is no Lease. getJson maps only 404 to
 * undefined (any other status throws); a 404 counts as "no holder" only when the
 * namespace exists, so a wrong namespace cannot read as "the lock was released".
 */
async function leaseHolder(ns: string, stack = 'model-router'): Promise<string | undefined> {
  const l = await getJson<{ spec?: { holderIdentity?: string } }>(kc, `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/vh-deploy-lock-${stack}`);
  if (!l && !(await getJson(kc, `/api/v1/namespaces/${ns}`))) throw new Error(`leaseHolder: namespace ${ns} does not exist`);
  return l?.spec?.holderIdentity;
}

/**
 * Starts a stopped component. After an API server restart, kube-controller-manager and
 * kube-scheduler are restarted too: their informers otherwise sit in client-go's
 * reconnect backoff for up to a minute before a Deployment is seen or a pod scheduled (a
 * harness delay, not what is under test: the CLI's own watches are). kwok is left alone:
 * a restarted kwok waits out its 40 s node leases.
 */
async function bringBack(component: string): Promise<void> {
  await fault('start', component);
  if (component === 'kube-apiserver') {
    for (const c of ['kube-controller-manager', 'kube-scheduler']) await fault('restart', c, '0', 'TERM');
  }
}

/** "Completes by retrying, or exits 1 saying how to resume", without a stack trace. */
function completedOrResumable(r: CliResult): 'completed' | 'resumable' {
  expect(r.err + r.out).not.toMatch(STACK_FRAME);
  expect(r.err).not.toMatch(NODE_WARNING);
  if (r.code === 0) return 'completed';
  expect(r.code, r.err).toBe(1);
  expect(r.err).toMatch(/^error: .*(lost the API server|cannot reach|API server)/m);
  expect(r.err).toMatch(/re-run the same command to resume/);
  return 'resumable';
}

/** A re-run converges: exit 0, exactly the expected objects, one ReplicaSet, the data intact, the lock free. */
async function converges(ns: string, expected: readonly string[] = EXPECTED): Promise<void> {
  const r = await runCli(routerArgs(ns), { kubeconfig, env, timeoutMs: 120_000 });
  expect(r.code, r.err).toBe(0);
  const snap = await snapshot(kc, ns);
  const kinds = Object.keys(snap.objects).filter((k) => !k.startsWith('ReplicaSet/') && !k.startsWith('Namespace/') && k !== 'ConfigMap/kube-root-ca.crt');
  expect(kinds.filter((k) => !k.startsWith('ServiceAccount/default')).sort()).toEqual(expected);
  expect(Object.keys(snap.objects).filter((k) => k.startsWith('ReplicaSet/'))).toHaveLength(1);
  const secret = (await getJson<{ data: Record<string, string> }>(kc, `/api/v1/namespaces/${ns}/secrets/model-router-secrets`))!;
  expect(Buffer.from(secret.data.DB_PASSWORD!, 'base64').toString()).toBe(DB_PASSWORD);
  const revs = await revisions(ns);
  expect(revs.at(-1)?.status).toBe('deployed');
  expect(new Set(revs.map((x) => x.revision)).size).toBe(revs.length); // no revision number twice
  expect(await leaseHolder(ns)).toBeUndefined();
  // and it is stable: a third run changes nothing
  const again = await runCli(['-o', 'json', ...routerArgs(ns)], { kubeconfig, env });
  expect((JSON.parse(again.out) as { objects: Array<{ action: string }> }).objects.filter((o) => o.action !== 'unchanged')).toEqual([]);
}

/** A namespace whose ResourceQuota admits no pod: a rollout there waits until the quota goes. */
async function heldNamespace(prefix: string): Promise<{ ns: string; release: () => Promise<void> }> {
  const ns = nsName(prefix);
  expect((await apiRequest(kc, 'POST', '/api/v1/namespaces', { metadata: { name: ns, labels: { 'vh-e2e': 'true' } } })).status).toBe(201);
  const quota = { metadata: { name: 'hold-pods' }, spec: { hard: { pods: '0' } } };
  expect((await apiRequest(kc, 'POST', `/api/v1/namespaces/${ns}/resourcequotas`, quota)).status).toBe(201);
  return {
    ns,
    release: async () => {
      await waitFor('the quota to be deleted', async () => [200, 404].includes((await apiRequest(kc, 'DELETE', `/api/v1/namespaces/${ns}/resourcequotas/hold-pods`)).status), { timeoutMs: 30_000 });
    },
  };
}

describe('kube-apiserver and etcd killed in the middle of an apply', () => {
  it.each(['kube-apiserver', 'etcd'])('%s: SIGKILL while the CLI applies a group, restarted 2 s later', async (component) => {
    const ns = nsName(`proof-fault-apply-${component === 'etcd' ? 'etcd' : 'api'}`);
    const cli = startCli(routerArgs(ns), { kubeconfig, env, timeoutMs: 150_000 });
    await cli.waitForLine(/^==> applying \d+ objects/);
    cli.child.kill('SIGSTOP'); // frozen between announcing the group and applying it
    try {
      await fault('stop', component, 'KILL');
    } finally {
      cli.child.kill('SIGCONT');
    }
    await new Promise((r) => setTimeout(r, 2_000));
    await bringBack(component);
    const r = await cli.done;
    const outcome = completedOrResumable(r);
    console.log(`${component} killed mid-apply: the first run ${outcome === 'completed' ? 'completed by retrying' : 'exited 1 with the resume hint'} (${r.ms} ms)`);
    await converges(ns);
  });
});

describe('an API server that stays down longer than the retry window (20 s)', () => {
  it('the apply gives up: exit 1 naming the lost API server and how to resume; a re-run converges', async () => {
    const ns = nsName('proof-fault-long');
    const cli = startCli(routerArgs(ns), { kubeconfig, env, timeoutMs: 150_000 });
    await cli.waitForLine(/^==> applying \d+ objects/);
    cli.child.kill('SIGSTOP');
    try {
      await fault('stop', 'kube-apiserver', 'KILL');
    } finally {
      cli.child.kill('SIGCONT');
    }
    await new Promise((r) => setTimeout(r, 24_000));
    await bringBack('kube-apiserver');
    const r = await cli.done;
    expect(completedOrResumable(r)).toBe('resumable');
    expect(r.err).toMatch(/^error: lost the API server during the deploy \(at least \d+ of \d+ objects were applied\): .*cannot reach the API server at https:\/\/127\.0\.0\.1:\d+/m);
    // The record of the interrupted run says so, and its lock is gone (released once the server was back).
    expect((await revisions(ns)).at(-1)).toMatchObject({ status: 'failed', error: expect.stringMatching(/lost the API server/) });
    expect(await leaseHolder(ns)).toBeUndefined();
    await converges(ns);
  });
});

describe('kube-apiserver and etcd killed in the middle of a wait (the watch stream is cut mid-rollout)', () => {
  it.each(['kube-apiserver', 'etcd'])('%s: SIGKILL while the CLI waits for a held rollout; the rollout finishes only after the restart', async (component) => {
    const { ns, release } = await heldNamespace(`proof-fault-wait-${component === 'etcd' ? 'etcd' : 'api'}`);
    const cli = startCli(routerArgs(ns, ['--replicas', '2']), { kubeconfig, env, timeoutMs: 150_000 });
    await cli.waitForLine(/Deployment\/.*model-router: 0 of 2 new replicas updated/);
    await fault('stop', component, 'KILL');
    await new Promise((r) => setTimeout(r, 1_000));
    await bringBack(component);
    await release(); // only now can the ReplicaSet create pods: the CLI must see it through new watches
    const r = await cli.done;
    expect(r.code, r.err).toBe(0);
    expect(r.ms).toBeLessThan(90_000); // well before the --timeout: not rescued by a deadline
    const tail = r.err.slice(r.err.lastIndexOf('0 of 2 new replicas updated'));
    expect(tail).toMatch(/✓ Deployment\/.*model-router: 2 of 2 replicas available/);
    console.log(`${component} killed mid-wait: completed in ${r.ms} ms`);
    // That run succeeded with --replicas 2, and a re-run keeps it (values persist): no HPA.
    await converges(ns, EXPECTED.filter((k) => !k.startsWith('HorizontalPodAutoscaler/')));
  });
});

describe('Ctrl-C', () => {
  it('SIGINT while waiting: exit 130 within seconds, Lease released, revision marked failed; a re-run converges', async () => {
    const { ns, release } = await heldNamespace('proof-sigint-wait');
    const cli = startCli(routerArgs(ns, ['--replicas', '2']), { kubeconfig, env, timeoutMs: 150_000 });
    await cli.waitForLine(/Deployment\/.*model-router: 0 of 2 new replicas updated/);
    // The lock is held while the operation runs.
    expect(await leaseHolder(ns)).toMatch(new RegExp(`${cli.child.pid}`));
    const sent = Date.now();
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code, r.err).toBe(130);
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(r.err).toMatch(/^error: interrupted/m);
    expect(await leaseHolder(ns)).toBeUndefined();
    const revs = await revisions(ns);
    expect(revs.at(-1)).toMatchObject({ status: 'failed', error: expect.stringMatching(/interrupted/) });
    await release();
    await converges(ns);
  });

  it('SIGINT in the middle of an apply: exit 130, Lease released; a re-run converges', async () => {
    const ns = nsName('proof-sigint-apply');
    const cli = startCli(routerArgs(ns), { kubeconfig, env, timeoutMs: 150_000 });
    await cli.waitForLine(/^==> applying \d+ objects/);
    cli.child.kill('SIGSTOP');
    cli.child.kill('SIGINT'); // delivered when it resumes, in the middle of the group
    cli.child.kill('SIGCONT');
    const r = await cli.done;
    expect(r.code, r.err).toBe(130);
    expect(r.err).not.toMatch(STACK_FRAME);
    expect(await leaseHolder(ns)).toBeUndefined();
    expect((await revisions(ns)).at(-1)?.status).toBe('failed');
    await converges(ns);
  });
});
