/// <reference path="../cluster/inject.d.ts" />
// Proof, part 1 against the real API server (issue 6): bad credentials, bad cluster
// states, RBAC, and a replay of the input corpus with a working kubeconfig. Each case:
// the exit code of docs/architecture.md rule 8, one `error: ` line naming the culprit, no stack
// trace, and - read back from the API server - nothing written.
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiRequest, loadKubeConfig, waitFor, namespaceNames } from '../cluster/e2e-helpers.js';
import { BAD_INPUTS, KEY, materialize, setsNamespace } from './support/bad-inputs.js';
import { runCli, type CliResult } from './support/cli.js';
import { caData, certUser, clientCert, makeCa, mergedKubeconfig, pkiDirOf, serverCert, variantKubeconfig } from './support/kubeconfigs.js';
import { apiPatch, errorLine, STACK_FRAME } from './support/proof.js';

const kubeconfig = inject('kubeconfig');
const limitedKubeconfig = inject('limitedKubeconfig');
const kc = loadKubeConfig(kubeconfig);
const tmp = mkdtempSync(join(tmpdir(), 'vh-proof-bad-e2e-'));
const nsName = namespaceNames(kc);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MR_ARGS = ['--image', 'registry.example.com/model-router:1.4.2', '--db-host', 'pg.data', '--db-user', 'router', '--redis-addr', 'redis.data:6379', '--posthog-host', 'https://eu.i.posthog.com', '--timeout', '60s'];
const MR_ENV = { VH_DEPLOY_DB_PASSWORD: 'proof-bad-db-password', VH_DEPLOY_POSTHOG_API_KEY: KEY };
const CLOUD_ENV = { VH_DEPLOY_POSTHOG_API_KEY: KEY };

async function status(path: string): Promise<number> {
  return (await apiRequest(kc, 'GET', path)).status;
}

/** The common assertions: exit code, the culprit on the first error line, no trace. */
function refused(r: CliResult, code: number, culprit: RegExp): void {
  expect({ code: r.code, line: errorLine(r.err) }, r.err).toEqual({ code, line: expect.stringMatching(culprit) });
  expect(r.err + r.out).not.toMatch(STACK_FRAME);
}

async function nothingIn(ns: string): Promise<void> {
  expect(await status(`/api/v1/namespaces/${ns}`), `namespace ${ns} must not exist`).toBe(404);
}

describe('credentials the API server refuses (exit 3, nothing written)', () => {
  const pki = pkiDirOf(kubeconfig);
  const dir = join(tmp, 'creds');
  let otherCa: { crt: string; key: string };
  beforeAll(() => {
    otherCa = makeCa(dir);
  });

  it('a client certificate from another CA', async () => {
    const ns = nsName('proof-cert-ca');
    const cert = clientCert(dir, 'foreign-admin', otherCa, '/O=system:masters/CN=foreign-admin');
    const file = variantKubeconfig(kubeconfig, join(dir, 'foreign.kubeconfig'), { user: certUser(cert), contextName: 'foreign-ca' });
    const r = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us'], { kubeconfig: file, env: CLOUD_ENV });
    refused(r, 3, /^error: .*(Unauthorized|unauthori[sz]ed|401).*context "foreign-ca"|^error: .*context "foreign-ca".*(Unauthorized|unauthori[sz]ed|401)/i);
    await nothingIn(ns);
  });

  it('an expired client certificate from the cluster CA', async () => {
    const ns = nsName('proof-cert-exp');
    const cert = clientCert(dir, 'expired-admin', { crt: join(pki, 'ca.crt'), key: join(pki, 'ca.key') }, '/O=system:masters/CN=expired-admin', { start: '20200101000000Z', end: '20200201000000Z' });
    const file = variantKubeconfig(kubeconfig, join(dir, 'expired.kubeconfig'), { user: certUser(cert), contextName: 'expired-cert' });
    const r = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us'], { kubeconfig: file, env: CLOUD_ENV });
    refused(r, 3, /^error: .*context "expired-cert"/);
    expect(errorLine(r.err)).toMatch(/Unauthorized|unauthori[sz]ed|401/i);
    await nothingIn(ns);
  });

  it('a bearer token the server does not know (never echoed)', async () => {
    const ns = nsName('proof-token');
    const token = 'proof-bogus-token-0123456789abcdef';
    const file = variantKubeconfig(kubeconfig, join(dir, 'token.kubeconfig'), { user: { token }, contextName: 'bad-token' });
    const r = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us'], { kubeconfig: file, env: CLOUD_ENV });
    refused(r, 3, /^error: .*context "bad-token"/);
    expect(errorLine(r.err)).toMatch(/Unauthorized|unauthori[sz]ed|401/i);
    expect(r.err + r.out).not.toContain(token);
    await nothingIn(ns);
  });

  it("a CA that did not sign the server's certificate: TLS verification fails, never skipped", async () => {
    const ns = nsName('proof-tls');
    const file = variantKubeconfig(kubeconfig, join(dir, 'wrong-ca.kubeconfig'), { caData: caData(otherCa), contextName: 'wrong-ca' });
    const r = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us'], { kubeconfig: file, env: CLOUD_ENV });
    refused(r, 3, /^error: TLS verification of the API server at https:\/\/127\.0\.0\.1:\d+ \(context "wrong-ca"\) failed/);
    await nothingIn(ns);
  });

  it('a server that is not a Kubernetes API server (HTTPS, trusted certificate, HTML answers)', async () => {
    const ns = nsName('proof-notk8s');
    const tls = serverCert(dir, 'web-server', otherCa);
    const server = createHttpsServer({ cert: readFileSync(tls.crt), key: readFileSync(tls.key) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>It works!</body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const file = join(dir, 'not-k8s.kubeconfig');
      writeFileSync(file, `apiVersion: v1\nkind: Config\nclusters: [{name: web, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${caData(otherCa)}}}]\nusers: [{name: u, user: {token: t0k3n-not-used}}]\ncontexts: [{name: web-server, context: {cluster: web, user: u}}]\ncurrent-context: web-server\n`, { mode: 0o600 });
      const r = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us'], { kubeconfig: file, env: CLOUD_ENV });
      refused(r, 3, new RegExp(`^error: .*127\\.0\\.0\\.1:${port}.*context "web-server"|^error: .*context "web-server".*127\\.0\\.0\\.1:${port}`));
    } finally {
      server.close();
    }
    await nothingIn(ns);
  });

  it('a plain http:// server with credentials: refused before any request', async () => {
    const ns = nsName('proof-http');
    const file = join(dir, 'http.kubeconfig');
    writeFileSync(file, `apiVersion: v1\nkind: Config\nclusters: [{name: web, cluster: {server: "http://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: plain-http-token-123}}]\ncontexts: [{name: plain-http, context: {cluster: web, user: u}}]\ncurrent-context: plain-http\n`, { mode: 0o600 });
    const r = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us'], { kubeconfig: file, env: CLOUD_ENV });
    refused(r, 3, /^error: .*context "plain-http"/);
    expect(r.err).not.toContain('plain-http-token-123');
    await nothingIn(ns);
  });

  it('the wrong context of a kubeconfig with several: --context picks a user without rights', async () => {
    const ns = nsName('proof-ctx');
    const file = mergedKubeconfig(join(dir, 'two.kubeconfig'), [{ from: kubeconfig, context: 'admin' }, { from: limitedKubeconfig, context: 'ci-readonly' }], 'admin');
    const r = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us', '--context', 'ci-readonly'], { kubeconfig: file, env: CLOUD_ENV });
    refused(r, 3, /^error: missing permissions for user "e2e-limited" \(context "ci-readonly"/);
    await nothingIn(ns);
  });
});

describe('RBAC (exit 3, every missing permission named, nothing written)', () => {
  it.each([
    ['cloud', ['cloud', '--yes', '--region', 'us'], CLOUD_ENV, /create namespaces|patch namespaces/],
    ['model-router', ['model-router', '--yes', ...MR_ARGS], MR_ENV, /deployments\.apps/],
    ['model-router --dry-run=server', ['model-router', '--yes', '--dry-run=server', ...MR_ARGS], MR_ENV, /deployments\.apps/],
    ['self-hosted --dry-run=server', ['self-hosted', '--yes', '--dry-run=server', '--domain', 'posthog.example.com', '--insecure-http', '--storage-class', 'standard'], {}, /statefulsets\.apps/],
  ] as const)('%s as a user with no rights', async (_name, args, env, denied) => {
    const ns = nsName('proof-rbac');
    const r = await runCli([...args, '-n', ns], { kubeconfig: limitedKubeconfig, env });
    refused(r, 3, /^error: missing permissions for user "e2e-limited" \(context "vh-e2e", server https:\/\/127\.0\.0\.1:\d+\); nothing was written/);
    expect(r.err).toMatch(denied);
    await nothingIn(ns);
  });

  it('a user who may write ConfigMaps but not Secrets in the namespace: the Secret is named, the ConfigMap not written', async () => {
    const ns = nsName('proof-rbac-part');
    expect((await apiRequest(kc, 'POST', '/api/v1/namespaces', { metadata: { name: ns, labels: { 'vh-e2e': 'true' } } })).status).toBe(201);
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'configmaps-only', namespace: ns }, rules: [{ apiGroups: [''], resources: ['configmaps', 'namespaces'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update'] }] };
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'configmaps-only', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmaps-only' }, subjects: [{ kind: 'User', name: 'e2e-limited', apiGroup: 'rbac.authorization.k8s.io' }] };
    expect((await apiRequest(kc, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, role)).status).toBe(201);
    expect((await apiRequest(kc, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, binding)).status).toBe(201);
    const r = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us'], { kubeconfig: limitedKubeconfig, env: CLOUD_ENV });
    refused(r, 3, /^error: missing permissions for user "e2e-limited"/);
    expect(r.err).toMatch(new RegExp(`create secrets in namespace ${ns}`));
    expect(r.err).not.toMatch(/configmaps in namespace/);
    expect(await status(`/api/v1/namespaces/${ns}/configmaps/model-router-posthog`)).toBe(404);
    expect(await status(`/api/v1/namespaces/${ns}/secrets/model-router-posthog`)).toBe(404);
  });
});

describe('cluster access: the lock and the revision records', () => {
  it('a user who may write the whole plan but not the lock Lease: exit 3 naming the Lease verbs, nothing written; a server dry run needs no lock', async () => {
    const ns = nsName('proof-rbac-lease');
    expect((await apiRequest(kc, 'POST', '/api/v1/namespaces', { metadata: { name: ns, labels: { 'vh-e2e': 'true' } } })).status).toBe(201);
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    const subjects = [{ kind: 'User', name: 'e2e-limited', apiGroup: 'rbac.authorization.k8s.io' }];
    // The plan's Namespace is cluster-scoped: a ClusterRole for it, removed at the end.
    const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `vh-e2e-${ns}` }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'create', 'patch'] }] };
    const clusterBinding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `vh-e2e-${ns}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `vh-e2e-${ns}` }, subjects };
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'no-leases', namespace: ns }, rules: [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['*'] }] };
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'no-leases', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'no-leases' }, subjects };
    try {
      expect((await apiRequest(kc, 'POST', `${rbac}/clusterroles`, clusterRole)).status).toBe(201);
      expect((await apiRequest(kc, 'POST', `${rbac}/clusterrolebindings`, clusterBinding)).status).toBe(201);
      expect((await apiRequest(kc, 'POST', `${rbac}/namespaces/${ns}/roles`, role)).status).toBe(201);
      expect((await apiRequest(kc, 'POST', `${rbac}/namespaces/${ns}/rolebindings`, binding)).status).toBe(201);
      const r = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us'], { kubeconfig: limitedKubeconfig, env: CLOUD_ENV });
      refused(r, 3, /^error: missing permissions for user "e2e-limited"/);
      const denied = r.err.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
      expect(denied).toEqual(['get', 'create', 'update', 'delete'].map((verb) => `${verb} leases.coordination.k8s.io in namespace ${ns}`));
      expect(await status(`/api/v1/namespaces/${ns}/configmaps/model-router-posthog`)).toBe(404);
      expect(await status(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/vh-deploy-lock-posthog-connection`)).toBe(404);
      // A server dry run writes nothing, so it needs neither the lock nor the records.
      const dry = await runCli(['cloud', '-n', ns, '--yes', '--region', 'us', '--dry-run=server'], { kubeconfig: limitedKubeconfig, env: CLOUD_ENV });
      expect(dry.code, dry.err).toBe(0);
      expect(await status(`/api/v1/namespaces/${ns}/configmaps/model-router-posthog`)).toBe(404);
    } finally {
      await apiRequest(kc, 'DELETE', `${rbac}/clusterrolebindings/vh-e2e-${ns}`);
      await apiRequest(kc, 'DELETE', `${rbac}/clusterroles/vh-e2e-${ns}`);
    }
  });
});

describe('cluster states (nothing written)', () => {
  it('a namespace that is being deleted (a finalizer holds it in Terminating): exit 1 naming the namespace', async () => {
    const ns = nsName('proof-terminating');
    expect((await apiRequest(kc, 'POST', '/api/v1/namespaces', { metadata: { name: ns, labels: { 'vh-e2e': 'true' } } })).status).toBe(201);
    const held = { metadata: { name: 'held', finalizers: ['vh-e2e.io/hold'] }, data: { a: 'b' } };
    expect((await apiRequest(kc, 'POST', `/api/v1/namespaces/${ns}/configmaps`, held)).status).toBe(201);
    await apiRequest(kc, 'DELETE', `/api/v1/namespaces/${ns}`);
    try {
      await waitFor('namespace Terminating', async () => JSON.parse((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}`)).body).status?.phase === 'Terminating', { timeoutMs: 10_000 });
      for (const args of [
        ['cloud', '-n', ns, '--yes', '--region', 'us'],
        ['model-router', '-n', ns, '--yes', ...MR_ARGS],
      ]) {
        const r = await runCli(args, { kubeconfig, env: MR_ENV });
        refused(r, 1, new RegExp(`^error: preflight failed \\(context "vh-e2e"\\); nothing was written: namespace ${ns} is being deleted \\(Terminating\\)`));
      }
      const cms = JSON.parse((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/configmaps`)).body) as { items: Array<{ metadata: { name: string } }> };
      expect(cms.items.map((c) => c.metadata.name).filter((n) => n !== 'kube-root-ca.crt')).toEqual(['held']);
      expect(await status(`/api/v1/namespaces/${ns}/secrets/model-router-posthog`)).toBe(404);
    } finally {
      await apiPatch(kc, `/api/v1/namespaces/${ns}/configmaps/held`, { metadata: { finalizers: null } });
    }
  });

  it('a kind whose CRD is missing (monitoring.coreos.com serves PodMonitor only, no ServiceMonitor): exit 1 naming the kind', async () => {
    const ns = nsName('proof-crd');
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'podmonitors.monitoring.coreos.com' },
      spec: {
        group: 'monitoring.coreos.com',
        scope: 'Namespaced',
        names: { plural: 'podmonitors', singular: 'podmonitor', kind: 'PodMonitor', listKind: 'PodMonitorList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    };
    // Other e2e files render a ServiceMonitor while this group exists: keep the window short.
    const made = await apiRequest(kc, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect([201, 409]).toContain(made.status);
    try {
      await waitFor('the monitoring.coreos.com/v1 group to be served', async () => (await apiRequest(kc, 'GET', '/apis/monitoring.coreos.com/v1')).status === 200, { timeoutMs: 15_000 });
      const r = await runCli(['model-router', '-n', ns, '--yes', ...MR_ARGS], { kubeconfig, env: MR_ENV });
      refused(r, 1, /ServiceMonitor/);
      expect(errorLine(r.err)).toMatch(/monitoring\.coreos\.com\/v1/);
    } finally {
      await apiRequest(kc, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/podmonitors.monitoring.coreos.com');
    }
    await nothingIn(ns);
  });

  it('model-router without a PostHog connection in the namespace: exit 2 naming --posthog-host', async () => {
    const ns = nsName('proof-noconn');
    const args = ['model-router', '-n', ns, '--yes', ...MR_ARGS.filter((a, i, all) => a !== '--posthog-host' && all[i - 1] !== '--posthog-host')];
    const r = await runCli(args, { kubeconfig, env: { VH_DEPLOY_DB_PASSWORD: 'x-password-1' } });
    refused(r, 2, /^error: --posthog-host: no PostHog connection in namespace/);
    await nothingIn(ns);
  });
});

describe('the input corpus replayed against the real API server (exit code unchanged, nothing written)', () => {
  // Every third case (the unit suite runs them all with an unreachable kubeconfig).
  const sample = BAD_INPUTS.filter((_, i) => i % 3 === 0);
  it.each(sample.map((c, i) => [c.id, c, i] as const))('%s', async (_id, c, i) => {
    const ns = nsName('proof-replay');
    const { args, env } = materialize(c, join(tmp, `replay-${i}`));
    const r = await runCli(setsNamespace(c) ? args : [...args, '-n', ns], { kubeconfig, env });
    refused(r, c.code, c.culprit);
    await nothingIn(ns);
  });
});
