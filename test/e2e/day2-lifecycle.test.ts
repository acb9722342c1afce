/// <reference path="../cluster/inject.d.ts" />
// The revision lifecycle and the day-2 preflight on the real control plane (issue 9,
// "Bugs to fix on the way"):
// - a run killed with SIGKILL while it waits leaves its revision `pending`; the next run
//   takes over the dead holder's lock and records that revision as failed (interrupted);
// - a run killed between the two writes of its success (the new record, then the older
//   one superseded) leaves two records stored as `deployed`: history, rollback and
//   upgrade read one. The kill is exact: the CLI talks to the API server through a small
//   proxy that holds the supersede request, and the test kills the CLI while it is held;
// - upgrade, rollback and scale check every verb they need before their first write: a
//   user without `delete` (a rollback prunes) or without `watch pods` gets exit 3 naming
//   it, and nothing is written.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { apiRequest, deleteNamespaces, uniqueName } from '../cluster/e2e-helpers.js';
import { runCli } from './support/cli.js';
import { apps, cli, configValue, coord, core, created, deployRouter, historyJson, kc, KEY, kubeconfig, routerArgs, routerEnv, routerImage, storedRevisions } from './support/day2.js';
import { errorLine, startCli, STACK_FRAME } from './support/proof.js';

const limitedKubeconfig = inject('limitedKubeconfig');
const asLimited = (args: string[]) => runCli(args, { kubeconfig: limitedKubeconfig, env: routerEnv });
const tmp = mkdtempSync(join(tmpdir(), 'vh-d2-lifecycle-'));
afterAll(async () => {
  await deleteNamespaces(kc, created);
  rmSync(tmp, { recursive: true, force: true });
});

const statusesOf = (revs: ReadonlyArray<{ revision: number; status: string }>) => revs.map((r) => `${r.revision} ${r.status}`);

async function leaseHolder(ns: string, stack = 'model-router'): Promise<string | undefined> {
  const r = await apiRequest(kc, 'GET', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/vh-deploy-lock-${stack}`);
  return r.status === 404 ? undefined : (JSON.parse(r.body) as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
}

describe('a run killed with SIGKILL', () => {
  it('while waiting: its revision stays pending until the next run takes over the dead lock and records it failed (interrupted)', async () => {
    // A namespace whose quota admits no pod: the rollout waits until the quota goes.
    const ns = uniqueName('e2e-d2-sigkill');
    created.push(ns);
    expect((await apiRequest(kc, 'POST', '/api/v1/namespaces', { metadata: { name: ns, labels: { 'vh-e2e': 'true' } } })).status).toBe(201);
    expect((await apiRequest(kc, 'POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'hold-pods' }, spec: { hard: { pods: '0' } } })).status).toBe(201);
    const cloud = await cli(['cloud', '-n', ns, '--region', 'eu', '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(cloud.code, cloud.err).toBe(0);

    const run = startCli(routerArgs(ns, { extra: ['--replicas', '2'] }), { kubeconfig, env: routerEnv, timeoutMs: 150_000 });
    await run.waitForLine(/Deployment\/.*model-router: 0 of 2 new replicas updated/);
    const pid = run.child.pid!;
    run.child.kill('SIGKILL');
    expect((await run.done).code).toBeNull(); // killed: no handler ran
    expect(statusesOf((await storedRevisions(ns, 'model-router')).revisions)).toEqual(['1 pending']);
    expect(await leaseHolder(ns)).toMatch(new RegExp(` pid ${pid}$`));

    await apiRequest(kc, 'DELETE', `/api/v1/namespaces/${ns}/resourcequotas/hold-pods`);
    const next = await cli(routerArgs(ns, { extra: ['--replicas', '2'] }));
    expect(next.code, next.err).toBe(0);
    expect(next.err).toMatch(new RegExp(`taking over the stale lock of model-router held by \\S+ pid ${pid}: that process no longer exists`));
    expect(next.err).toMatch(new RegExp(`revision 1 of model-router was left pending by \\S+ pid ${pid}: recorded as failed \\(interrupted\\)`));
    const { revisions } = await storedRevisions(ns, 'model-router');
    expect(statusesOf(revisions)).toEqual(['1 failed', '2 deployed']);
    expect(revisions[0]!.error).toMatch(new RegExp(`^interrupted: the process holding the lock \\(\\S+ pid ${pid}\\) ended before it recorded an outcome$`));
    expect(statusesOf(await historyJson(ns))).toEqual(['1 failed', '2 deployed']);
    expect(await leaseHolder(ns)).toBeUndefined();
  });
});

/**
 * A plain-HTTP proxy in front of the API server (it authenticates as the admin), that
 * holds — never forwards — the first request matching `hold`, and reports it.
 */
async function holdingProxy(hold: (method: string, path: string) => boolean): Promise<{ kubeconfig: string; held: Promise<string>; close: () => Promise<void> }> {
  const upstream = new URL(kc.getCurrentCluster()!.server);
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  let report!: (what: string) => void;
  const held = new Promise<string>((r) => (report = r));
  let holding = false;
  const server = http.createServer((req, res) => {
    const path = req.url!;
    if (!holding && hold(req.method!, new URL(path, 'http://x').pathname)) {
      holding = true;
      report(`${req.method} ${path}`);
      return; // no answer, ever: the CLI is killed while it waits for one
    }
    const headers = { ...req.headers, host: upstream.host };
    delete headers.authorization;
    const up = https.request({ ...tls, host: upstream.hostname, port: upstream.port, method: req.method, path, headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const file = join(tmp, `proxy-${(server.address() as AddressInfo).port}.kubeconfig`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: proxy, cluster: { server: "http://127.0.0.1:${(server.address() as AddressInfo).port}", insecure-skip-tls-verify: true } }]
users: [{ name: via-proxy, user: { token: the-proxy-authenticates } }]
contexts: [{ name: via-proxy, context: { cluster: proxy, user: via-proxy } }]
current-context: via-proxy
`,
    { mode: 0o600 },
  );
  return {
    kubeconfig: file,
    held,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('a run killed between the two writes of its success', () => {
  it('two records stored as deployed read as one: history, rollback and upgrade agree on the newest; the next success repairs the store', async () => {
    const ns = await deployRouter('e2e-d2-halfwritten');
    // The second deploy succeeds; its last step supersedes revision 1, and that request is held.
    const proxy = await holdingProxy((method, path) => method === 'PUT' && path === `/api/v1/namespaces/${ns}/secrets/vh-deploy.model-router.v1`);
    try {
      const run = startCli(routerArgs(ns, { redis: 'redis-b.data.svc:6380' }), { kubeconfig: proxy.kubeconfig, env: routerEnv, timeoutMs: 150_000 });
      const held = await Promise.race([proxy.held, run.done.then((r) => Promise.reject(new Error(`the run ended before superseding revision 1 (exit ${r.code}):\n${r.err}`)))]);
      expect(held).toMatch(/^PUT /);
      run.child.kill('SIGKILL');
      expect((await run.done).code).toBeNull();
    } finally {
      await proxy.close();
    }
    // What the kill left: both stored as deployed (and the lock of a dead process).
    const stored = await storedRevisions(ns, 'model-router');
    expect(statusesOf(stored.revisions)).toEqual(['1 deployed', '2 deployed']);
    expect(await configValue(ns, 'REDIS_ADDR')).toBe('redis-b.data.svc:6380');

    // Read as one outcome: revision 2 is what runs, revision 1 is superseded.
    expect(statusesOf(await historyJson(ns))).toEqual(['1 superseded', '2 deployed']);
    const text = await cli(['history', 'model-router', '-n', ns]);
    expect(text.out.split('\n').filter((l) => / deployed /.test(l)).map((l) => l.split(/\s+/)[0])).toEqual(['2']);
    const preview = await cli(['rollback', 'model-router', '-n', ns, '--dry-run', '-o', 'json']);
    expect(preview.code, preview.err).toBe(0);
    expect(JSON.parse(preview.out)).toMatchObject({ from: 2, to: 1 });
    const upgradePreview = await cli(['upgrade', 'model-router', '-n', ns, '--image-tag', '1.5.0', '--dry-run', '-o', 'json']);
    expect(upgradePreview.code, upgradePreview.err).toBe(0);
    expect(JSON.parse(upgradePreview.out)).toMatchObject({ from: { revision: 2 } });

    // The next success writes what the killed run could not: only one record stored as deployed.
    const next = await cli(routerArgs(ns));
    expect(next.code, next.err).toBe(0);
    const after = await storedRevisions(ns, 'model-router');
    expect(statusesOf(after.revisions)).toEqual(['1 superseded', '2 superseded', '3 deployed']);
    const labels = await core.listNamespacedSecret({ namespace: ns, labelSelector: 'vh-deploy.io/revision-of=model-router,vh-deploy.io/status=deployed' });
    expect(labels.items.map((s) => s.metadata?.name)).toEqual(['vh-deploy.model-router.v3']);
  });
});

// ---- RBAC: the day-2 commands check every verb before their first write ----------------

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const SUBJECTS = [{ kind: 'User', name: 'e2e-limited', apiGroup: 'rbac.authorization.k8s.io' }];
const ALL_BUT_DELETE = ['get', 'list', 'watch', 'create', 'update', 'patch'];
const GROUPS = ['', 'apps', 'autoscaling', 'policy', 'networking.k8s.io', 'coordination.k8s.io', 'monitoring.coreos.com'];

/** Grants e2e-limited `rules` in `ns`, and the plan's cluster-scoped Namespace verbs (removed after the test). */
async function grant(ns: string, rules: unknown[]): Promise<() => Promise<void>> {
  const name = `vh-e2e-${ns}`;
  const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'create', 'patch'] }] };
  const clusterBinding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: SUBJECTS };
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'limited', namespace: ns }, rules };
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'limited', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'limited' }, subjects: SUBJECTS };
  expect((await apiRequest(kc, 'POST', `${RBAC}/clusterroles`, clusterRole)).status).toBe(201);
  expect((await apiRequest(kc, 'POST', `${RBAC}/clusterrolebindings`, clusterBinding)).status).toBe(201);
  expect((await apiRequest(kc, 'POST', `${RBAC}/namespaces/${ns}/roles`, role)).status).toBe(201);
  expect((await apiRequest(kc, 'POST', `${RBAC}/namespaces/${ns}/rolebindings`, binding)).status).toBe(201);
  return async () => {
    await apiRequest(kc, 'DELETE', `${RBAC}/clusterrolebindings/${name}`);
    await apiRequest(kc, 'DELETE', `${RBAC}/clusterroles/${name}`);
  };
}

/** resourceVersion of every object in the namespace (revision records and Leases included): equal before and after means nothing was written. */
async function versions(ns: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const path of [
    `/api/v1/namespaces/${ns}/configmaps`,
    `/api/v1/namespaces/${ns}/secrets`,
    `/api/v1/namespaces/${ns}/services`,
    `/apis/apps/v1/namespaces/${ns}/deployments`,
    `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
    `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
    `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`,
    `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`,
    `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
  ]) {
    const list = JSON.parse((await apiRequest(kc, 'GET', path)).body) as { kind: string; items: Array<{ metadata: { name: string; resourceVersion: string } }> };
    for (const i of list.items) out[`${list.kind.replace(/List$/, '')}/${i.metadata.name}`] = i.metadata.resourceVersion;
  }
  return out;
}

/** Exit 3, the preflight's message, exactly `denied` listed, no stack trace. */
function refusedByPreflight(r: { code: number | null; err: string; out: string }, denied: string[]): void {
  expect({ code: r.code, line: errorLine(r.err) }, r.err).toEqual({ code: 3, line: expect.stringMatching(/^error: missing permissions for user "e2e-limited" \(context "vh-e2e", server https:\/\/127\.0\.0\.1:\d+\); nothing was written/) });
  expect(r.err.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4))).toEqual(denied);
  expect(r.err + r.out).not.toMatch(STACK_FRAME);
}

describe('RBAC preflight of the day-2 commands (exit 3, the missing verb named, nothing written)', () => {
  it('rollback as a user who may not delete Ingresses (the rollback would prune the one the current revision added)', async () => {
    const ns = await deployRouter('e2e-d2-rbac-rollback');
    const withIngress = await cli(routerArgs(ns, { extra: ['--domain', 'router.e2e.example.com'] }));
    expect(withIngress.code, withIngress.err).toBe(0);
    const revoke = await grant(ns, [
      { apiGroups: GROUPS, resources: ['*'], verbs: ALL_BUT_DELETE },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['delete'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['delete'] },
    ]);
    try {
      const before = await versions(ns);
      expect(Object.keys(before)).toContain('Ingress/model-router');
      const r = await asLimited(['rollback', 'model-router', '-n', ns, '--yes']);
      refusedByPreflight(r, [`delete ingresses.networking.k8s.io in namespace ${ns}`]);
      expect(await versions(ns)).toEqual(before);
      expect(statusesOf(await historyJson(ns))).toEqual(['1 superseded', '2 deployed']);
    } finally {
      await revoke();
    }
  });

  it('scale and upgrade as a user who may not watch pods (both wait for the rollout)', async () => {
    const ns = await deployRouter('e2e-d2-rbac-watch', ['--replicas', '2']);
    const revoke = await grant(ns, [
      { apiGroups: GROUPS.filter((g) => g !== ''), resources: ['*'], verbs: ['*'] },
      { apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'serviceaccounts', 'events', 'endpoints', 'pods/log'], verbs: ['*'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    ]);
    try {
      const before = await versions(ns);
      const scale = await asLimited(['scale', 'model-router/model-router', '-n', ns, '--replicas', '3']);
      refusedByPreflight(scale, [`watch pods in namespace ${ns}`]);
      const upgrade = await asLimited(['upgrade', 'model-router', '-n', ns, '--image-tag', '1.5.0', '--yes']);
      refusedByPreflight(upgrade, [`watch pods in namespace ${ns}`]);
      expect(await versions(ns)).toEqual(before);
      expect((await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns })).spec?.replicas).toBe(2);
      expect(await routerImage(ns)).toMatch(/:1\.4\.2$/);
      expect(statusesOf(await historyJson(ns))).toEqual(['1 deployed']);
      expect((await coord.listNamespacedLease({ namespace: ns })).items).toEqual([]);
    } finally {
      await revoke();
    }
  });
});
