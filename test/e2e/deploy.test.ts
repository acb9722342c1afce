/// <reference path="../cluster/inject.d.ts" />
// The deploy commands end to end on the real control plane (apiserver, controller-
// manager, scheduler, etcd, kwok nodes, fake pod HTTP server behind the pod IPs).
import * as k8s from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { apiRequest, loadKubeConfig, namespaceNames } from '../cluster/e2e-helpers.js';
import { runCli } from './support/cli.js';

const kubeconfig = inject('kubeconfig');
const kc = loadKubeConfig(kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);

const KEY = 'phc_e2eE2Ee2eE2Ee2eE2E0123456789';
const DB_PASSWORD = 'e2e-db-p@ss:word/1';
const nsName = namespaceNames(kc);

const routerArgs = (ns: string, image = 'registry.example.com/model-router:1.4.2') => [
  'model-router', '-n', ns, '--yes', '--image', image, '--db-host', 'pg.data.svc', '--db-user', 'router', '--redis-addr', 'redis.data.svc:6379', '--timeout', '90s',
];
const routerEnv = { VH_DEPLOY_DB_PASSWORD: DB_PASSWORD, VH_DEPLOY_OPENAI_API_KEY: 'sk-e2eopenaikeyopenaikey0000' };

async function resourceVersions(ns: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const add = (kind: string, items: Array<{ metadata?: { name?: string; resourceVersion?: string } }>) => {
    for (const i of items) out[`${kind}/${i.metadata!.name}`] = i.metadata!.resourceVersion!;
  };
  add('ConfigMap', (await core.listNamespacedConfigMap({ namespace: ns })).items.filter((c) => c.metadata?.name !== 'kube-root-ca.crt'));
  // Revision records are bookkeeping, written by every run on purpose; the stack's own objects must not move.
  add('Secret', (await core.listNamespacedSecret({ namespace: ns })).items.filter((s) => !s.metadata?.labels?.['vh-deploy.io/revision-of']));
  add('Service', (await core.listNamespacedService({ namespace: ns })).items);
  add('Deployment', (await apps.listNamespacedDeployment({ namespace: ns })).items);
  add('StatefulSet', (await apps.listNamespacedStatefulSet({ namespace: ns })).items);
  return out;
}

function noSecretsIn(text: string, secrets: string[]) {
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('cloud then model-router', () => {
  const ns = nsName('e2e-mr');
  it('cloud writes the connection the Model Router reads (creating the namespace)', async () => {
    const r = await runCli(['cloud', '-n', ns, '--region', 'eu', '--yes'], { kubeconfig, env: { VH_DEPLOY_POSTHOG_API_KEY: KEY } });
    expect(r.out).toContain('posthog-connection ready in namespace');
    expect(r.code).toBe(0);
    noSecretsIn(r.out + r.err, [KEY]);
    const cm = await core.readNamespacedConfigMap({ name: 'model-router-posthog', namespace: ns });
    expect(cm.data).toEqual({ POSTHOG_ENABLED: 'true', POSTHOG_HOST: 'https://eu.i.posthog.com' });
    const secret = await core.readNamespacedSecret({ name: 'model-router-posthog', namespace: ns });
    expect(Buffer.from(secret.data!.POSTHOG_API_KEY!, 'base64').toString()).toBe(KEY);
  });

  it('model-router deploys, waits for every replica, and checks /health, /ready, /metrics through the API proxy', async () => {
    const r = await runCli([...routerArgs(ns)], { kubeconfig, env: routerEnv });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/✓ Model Router \/health: HTTP 200/);
    expect(r.out).toMatch(/✓ Model Router \/ready: HTTP 200/);
    expect(r.out).toMatch(/✓ Model Router \/metrics: HTTP 200/);
    noSecretsIn(r.out + r.err, [KEY, DB_PASSWORD, encodeURIComponent(DB_PASSWORD), 'sk-e2eopenaikeyopenaikey0000']);
    const d = await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns });
    // No --replicas: the HorizontalPodAutoscaler's floor (3), raised to before the wait, every one available.
    expect(d.spec?.replicas).toBe(3);
    expect(d.status?.availableReplicas).toBe(3);
    expect(d.spec?.template.metadata?.annotations?.['vh-deploy.io/config-checksum']).toMatch(/^[a-f0-9]{64}$/);
    const managers = (d.metadata?.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toContain('vh-deploy/Apply');
  });

  it('a second run changes nothing: no resourceVersion moves, secrets byte-identical', async () => {
    const before = await resourceVersions(ns);
    const secretBefore = (await core.readNamespacedSecret({ name: 'model-router-secrets', namespace: ns })).data;
    const r = await runCli(['-o', 'json', ...routerArgs(ns)], { kubeconfig, env: routerEnv });
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { ok: boolean; objects: Array<{ ref: string; action: string }> };
    expect(doc.ok).toBe(true);
    expect(doc.objects.filter((o) => o.action !== 'unchanged')).toEqual([]);
    expect(await resourceVersions(ns)).toEqual(before);
    expect((await core.readNamespacedSecret({ name: 'model-router-secrets', namespace: ns })).data).toEqual(secretBefore);
  });

  it('an unpullable image fails fast (not at the timeout) with the reason, the pod, exit 1', async () => {
    const r = await runCli([...routerArgs(ns, 'e2e.invalid/fail-imagepull:1.0.0'), '--timeout', '5m'], { kubeconfig, env: routerEnv });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(30_000);
    expect(r.err).toMatch(/ImagePullBackOff|ErrImagePull/);
    expect(r.err).toMatch(/model-router-[a-z0-9]+-[a-z0-9]+/); // the pod is named
  });
});

describe('self-hosted PostHog', () => {
  const ns = nsName('e2e-ph');
  it('deploys data stores, then the migration Job, then web/worker/plugins, and checks PostHog health', async () => {
    const r = await runCli(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--yes', '--timeout', '2m'], { kubeconfig });
    expect(r.code, r.err).toBe(0);
    // Order: every StatefulSet is ready before the Job is applied; the Job completes before any Deployment is applied.
    // (Lines saying what waits for what come first and are not applies: left out.)
    const log = r.err.split('\n').filter((l) => !l.includes(' waits for ')).join('\n');
    const at = (s: string) => log.indexOf(s);
    // Every position is looked up, not assumed: a line that is missing (-1) must fail, not
    // count as "before" (a Job that was never waited for prints no completion line).
    const lastStoreReady = log.lastIndexOf('✓ StatefulSet/');
    const jobComplete = log.search(/✓ Job\/[^/]+\/posthog-migrate-[a-f0-9]{10}: complete \(1 succeeded\)/);
    expect(lastStoreReady).toBeGreaterThan(0);
    expect(at('Job/')).toBeGreaterThan(lastStoreReady);
    expect(jobComplete).toBeGreaterThan(at('Job/'));
    expect(at('Deployment/')).toBeGreaterThan(jobComplete);
    for (const h of ['/_livez', '/_readyz?role=web', '/_preflight']) expect(r.out).toContain(`✓ PostHog ${h}: HTTP 200`);
    const pvcs = await core.listNamespacedPersistentVolumeClaim({ namespace: ns });
    // PostgreSQL, Redis, ClickHouse, Kafka and ZooKeeper (docs/compatibility.md).
    expect(pvcs.items.map((p) => p.metadata?.name).sort()).toEqual(['data-posthog-clickhouse-0', 'data-posthog-kafka-0', 'data-posthog-postgres-0', 'data-posthog-redis-0', 'data-posthog-zookeeper-0']);
    for (const p of pvcs.items) expect(p.status?.phase).toBe('Bound');
  });
  it('a re-run never rotates the generated passwords and changes nothing', async () => {
    const before = await resourceVersions(ns);
    const secret = (await core.readNamespacedSecret({ name: 'posthog-secrets', namespace: ns })).data;
    const r = await runCli(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--yes'], { kubeconfig });
    expect(r.code, r.err).toBe(0);
    expect((await core.readNamespacedSecret({ name: 'posthog-secrets', namespace: ns })).data).toEqual(secret);
    expect(await resourceVersions(ns)).toEqual(before);
    const values = Object.values(secret!).map((b64) => Buffer.from(b64, 'base64').toString());
    noSecretsIn(r.out + r.err, values);
  });
  it('a failing migration Job fails the deploy, names the Job, and no PostHog Deployment is rolled', async () => {
    const ns2 = nsName('e2e-ph-mig');
    const base = ['self-hosted', '-n', ns2, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--yes', '--posthog-image', 'e2e.invalid/fail-job', '--posthog-version', '1.0.0'];
    // 1.0.0 is no row of the compatibility table: refused (exit 2, nothing written) ...
    const refused = await runCli(base, { kubeconfig });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^error: --posthog-version: "1\.0\.0" is not a PostHog version .*supported: release-1\.43\.0, release-1\.42\.0/m);
    expect((await core.listNamespacedConfigMap({ namespace: ns2 }).catch(() => ({ items: [] }))).items.filter((c) => c.metadata?.name === 'posthog-config')).toEqual([]);
    // ... unless the user allows it: then every PostHog pod is told to skip PostHog's own version check.
    const r = await runCli([...base, '--allow-untested-versions'], { kubeconfig });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: Job\/e2e-ph-mig-[a-z0-9]+\/posthog-migrate-[a-f0-9]{10} failed/m);
    expect((await apps.listNamespacedDeployment({ namespace: ns2 })).items).toEqual([]);
    expect((await core.readNamespacedConfigMap({ name: 'posthog-config', namespace: ns2 })).data?.SKIP_SERVICE_VERSION_REQUIREMENTS).toBe('1');
  });
});

describe('cloud --check-key (PostHog stand-in on loopback)', () => {
  it('a rejected key exits 2 before anything is written; a good key deploys', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        const ok = req.url === '/flags?v=2' && (JSON.parse(raw || '{}') as { api_key?: string }).api_key === KEY;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"flags":{}}' : '{"detail":"invalid"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const ns = nsName('e2e-key');
      const bad = await runCli(['cloud', '-n', ns, '--host', host, '--check-key', '--yes'], { kubeconfig, env: { VH_DEPLOY_POSTHOG_API_KEY: 'phc_wrongWRONGwrongWRONG000' } });
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/^error: --posthog-api-key: PostHog at http:\/\/127\.0\.0\.1:\d+ rejected the key \(HTTP 401\)/);
      expect((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}`)).status).toBe(404);
      const good = await runCli(['cloud', '-n', ns, '--host', host, '--check-key', '--yes'], { kubeconfig, env: { VH_DEPLOY_POSTHOG_API_KEY: KEY } });
      expect(good.code, good.err).toBe(0);
      expect(good.err).toContain('PostHog accepted the project API key');
      expect((await core.readNamespacedConfigMap({ name: 'model-router-posthog', namespace: ns })).data?.POSTHOG_HOST).toBe(host);
    } finally {
      server.close();
    }
  });
});

describe('model-router without a connection', () => {
  it('exits 2 naming the missing connection, and writes nothing', async () => {
    const ns = nsName('e2e-noconn');
    const r = await runCli(routerArgs(ns), { kubeconfig, env: routerEnv });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --posthog-host: no PostHog connection in namespace/m);
    const res = await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}`);
    expect(res.status).toBe(404);
  });
});

describe('access and server-side validation', () => {
  it('a forbidden user gets exit 3 before anything is written', async () => {
    const ns = nsName('e2e-forbidden');
    const r = await runCli(['cloud', '-n', ns, '--region', 'us', '--yes'], { kubeconfig: inject('limitedKubeconfig'), env: { VH_DEPLOY_POSTHOG_API_KEY: KEY } });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/missing permissions/);
    expect(r.err).toMatch(/create namespaces|patch namespaces/);
    expect((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}`)).status).toBe(404);
  });
  it('an unreachable cluster is exit 3 naming the context and server', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'vh-kc-'));
    const bad = join(dir, 'kubeconfig');
    const cfg = kc.exportConfig().replace(/https:\/\/127\.0\.0\.1:\d+/, 'https://127.0.0.1:1');
    writeFileSync(bad, cfg, { mode: 0o600 });
    const r = await runCli(['cloud', '--yes', '--region', 'us'], { kubeconfig: bad, env: { VH_DEPLOY_POSTHOG_API_KEY: KEY } });
    expect(r.code).toBe(3);
    expect(r.err).toContain('127.0.0.1:1');
  });
  it('a plan that would change an immutable field is refused at plan time and writes nothing', async () => {
    const ns = nsName('e2e-reject');
    // An earlier vh-deploy left a Deployment whose immutable selector differs: found by
    // comparing the plan with the live object (exit 2, --recreate offered), not by a raw
    // server error from the dry run.
    await runCli(['cloud', '-n', ns, '--region', 'us', '--yes'], { kubeconfig, env: { VH_DEPLOY_POSTHOG_API_KEY: KEY } });
    const old = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'model-router', namespace: ns }, spec: { selector: { matchLabels: { app: 'old' } }, template: { metadata: { labels: { app: 'old' } }, spec: { containers: [{ name: 'c', image: 'old.example/x:1' }] } } } };
    const put = await apiRequest(kc, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, old);
    expect(put.status).toBe(201);
    const r = await runCli(routerArgs(ns), { kubeconfig, env: routerEnv });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Deployment\/\S*\/model-router spec.selector/);
    expect(r.err).toMatch(/selector/);
    expect(r.err).toMatch(/--recreate/);
    for (const cm of ['model-router-config']) expect((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/configmaps/${cm}`)).status).toBe(404);
  });
});
