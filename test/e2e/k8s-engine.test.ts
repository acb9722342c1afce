/// <reference path="../cluster/inject.d.ts" />
// The generic Kubernetes engine (src/k8s) against the real control plane of
// test/cluster (kube-apiserver, controller-manager, scheduler, kwok fake nodes).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inCliTerms } from '../../src/commands/engine-errors.js';
import { ClusterAccessError, OperationError } from '../../src/errors.js';
import { applyObjects, dryRunObjects } from '../../src/k8s/apply.js';
import { connect, type Cluster } from '../../src/k8s/client.js';
import { deploy, type DeployEvent } from '../../src/k8s/deploy.js';
import { hasGroupVersion, readObject, serverVersion } from '../../src/k8s/discovery.js';
import { proxyGet } from '../../src/k8s/health.js';
import { preflight } from '../../src/k8s/preflight.js';
import { readSecretData } from '../../src/k8s/secrets.js';
import { reasonOf } from '../../src/k8s/reasons.js';
import { objectRef, type KubeObject } from '../../src/k8s/types.js';
import { waitForObjects, type WaitProgress } from '../../src/k8s/wait.js';
import { startWatch } from '../../src/k8s/watch.js';
import { setPodBehaviour } from '../cluster/pod-server-control.js';

let cluster: Cluster;
const namespaces: string[] = [];
const GOOD_IMAGE = 'registry.example/app:1.0';

const uid = () => randomBytes(3).toString('hex');

async function namespace(prefix: string): Promise<string> {
  const name = `${prefix}-${uid()}`;
  namespaces.push(name);
  await cluster.requestOk('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'vh-e2e': 'true' } } } });
  // Pods are admitted only once kube-controller-manager has made the default ServiceAccount.
  const end = Date.now() + 30_000;
  while ((await cluster.request('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status !== 200) {
    if (Date.now() > end) throw new Error(`no default ServiceAccount in ${name}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return name;
}

function deployment(ns: string, name: string, image: string, replicas = 2, extraPodSpec: Record<string, unknown> = {}): KubeObject {
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'vh-deploy' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image, ports: [{ name: 'http', containerPort: 8080 }] }], ...extraPodSpec },
      },
    },
  };
}

function service(ns: string, name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'vh-deploy' } },
    spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
  };
}

function configMap(ns: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'vh-deploy' } }, data };
}

function job(ns: string, name: string, image: string): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image }] } } },
  };
}

beforeAll(async () => {
  cluster = await connect({ kubeconfig: inject('kubeconfig'), env: {} });
});

afterAll(async () => {
  await Promise.allSettled(namespaces.map((n) => cluster.request('DELETE', `/api/v1/namespaces/${n}`)));
  cluster.close();
});

describe('apply and wait', () => {
  it('deploys Namespace + ConfigMap + Service + Deployment, waits ready, and a second apply changes nothing', async () => {
    const ns = `e2e-apply-${uid()}`;
    namespaces.push(ns);
    const plan: KubeObject[] = [
      // Labelled like every rendered object (docs/architecture.md rule 2). An apply that owns no field at
      // all is not idempotent on the API server: the second one records "before-first-apply".
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'app.kubernetes.io/managed-by': 'vh-deploy' } } },
      deployment(ns, 'web', GOOD_IMAGE, 3),
      service(ns, 'web'),
      configMap(ns, 'web-config', { LOG_LEVEL: 'info' }),
    ];
    const events: DeployEvent[] = [];
    const res = await deploy(cluster, plan, { timeoutMs: 120_000, onEvent: (e) => events.push(e) });

    // The namespace does not exist yet: what lives in it is validated in the stand-in
    // namespace (docs/cli.md, "Server dry run into a new namespace"), not skipped.
    expect(res.dryRun.map((r) => [r.ref, r.action, r.validatedIn])).toEqual([
      [`Namespace/${ns}`, 'created', undefined],
      [`ConfigMap/${ns}/web-config`, 'created', 'default'],
      [`Service/${ns}/web`, 'created', 'default'],
      [`Deployment/${ns}/web`, 'created', 'default'],
    ]);
    expect(res.applied.map((r) => [r.ref, r.action])).toEqual([
      [`Namespace/${ns}`, 'created'],
      [`ConfigMap/${ns}/web-config`, 'created'],
      [`Service/${ns}/web`, 'created'],
      [`Deployment/${ns}/web`, 'created'],
    ]);
    // Applied by dependencies: the namespace first; the Deployment once its ConfigMap and
    // Service exist; nothing waited to be *ready* (no data store, no Job in this plan).
    const appliedOrder = events.filter((e): e is Extract<DeployEvent, { type: 'applied' }> => e.type === 'applied').map((e) => e.result.ref);
    expect(appliedOrder[0]).toBe(`Namespace/${ns}`);
    expect(appliedOrder.indexOf(`Deployment/${ns}/web`)).toBeGreaterThan(Math.max(appliedOrder.indexOf(`ConfigMap/${ns}/web-config`), appliedOrder.indexOf(`Service/${ns}/web`)));
    expect(events.filter((e) => e.type === 'blocked')).toEqual([]);
    const progress = events.filter((e): e is Extract<DeployEvent, { type: 'progress' }> => e.type === 'progress').map((e) => e.progress);
    expect(progress.at(-1)).toEqual({ ref: `Deployment/${ns}/web`, state: 'ready', message: '3 of 3 replicas available' });
    // One line per change: never the same line twice in a row for an object.
    for (let i = 1; i < progress.length; i++) {
      const prev = progress.slice(0, i).reverse().find((p) => p.ref === progress[i]!.ref);
      expect(prev && `${prev.state}|${prev.message}`).not.toBe(`${progress[i]!.state}|${progress[i]!.message}`);
    }

    const live = await readObject(cluster, plan[1]!);
    const status = live!.status as Record<string, number>;
    expect(status.availableReplicas).toBe(3);
    expect(status.updatedReplicas).toBe(3);

    // Re-apply: every object unchanged, resourceVersions unchanged. (The Deployment's own
    // resourceVersion moved since the first apply: controllers wrote its status.)
    const before = Object.fromEntries(await Promise.all(plan.map(async (o) => [objectRef(o), (await readObject(cluster, o))!.metadata.resourceVersion])));
    const again = await applyObjects(cluster, plan);
    expect(again.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(Object.fromEntries(again.map((r) => [r.ref, r.resourceVersion]))).toEqual(before);
    // And the dry run now sees the objects too, and reports them unchanged.
    const dry = await dryRunObjects(cluster, plan);
    expect(dry.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);

    // A change is reported as configured.
    const changed = await applyObjects(cluster, [configMap(ns, 'web-config', { LOG_LEVEL: 'debug' })]);
    expect(changed[0]!.action).toBe('configured');
  });

  // Event-driven, not polled: the wait resolves well inside any polling interval of a
  // second or more. The latency figure itself is measured by `npm run bench` (no timed goals here).
  it('resolves on the watch event after the last pod turns Ready, not on a poll', async () => {
    const ns = await namespace('e2e-latency');
    const dep = deployment(ns, 'fast', GOOD_IMAGE, 3);
    // Our own pod watch records when the last pod's Ready=True arrives.
    let lastReadyAt = 0;
    const readyPods = new Set<string>();
    const podWatch = startWatch(cluster, { apiVersion: 'v1', kind: 'Pod', collection: `/api/v1/namespaces/${ns}/pods` }, {
      onSync: () => {},
      onEvent: (_t, pod) => {
        const ready = ((pod.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
        if (ready && !readyPods.has(pod.metadata.name)) {
          readyPods.add(pod.metadata.name);
          lastReadyAt = performance.now();
        }
      },
      onFatal: () => {},
    });
    try {
      await new Promise((r) => setTimeout(r, 300)); // let the watch start
      await applyObjects(cluster, [dep]);
      await waitForObjects(cluster, [dep], { timeoutMs: 60_000 });
      const resolvedAt = performance.now();
      const gap = resolvedAt - lastReadyAt;
      console.log(`[k8s-engine] last pod Ready -> waitForObjects resolved: ${gap.toFixed(0)} ms (3 replicas)`);
      expect(readyPods.size).toBe(3);
      expect(gap).toBeLessThan(1_000);
    } finally {
      podWatch.stop();
    }
  });
});

describe('fail fast', () => {
  it('an unpullable image fails within 30 s naming the reason and the pod', async () => {
    const ns = await namespace('e2e-pull');
    const dep = deployment(ns, 'broken', 'e2e.invalid/fail-imagepull:1', 1);
    await applyObjects(cluster, [dep]);
    const t0 = Date.now();
    const err = await waitForObjects(cluster, [dep], { timeoutMs: 120_000 }).catch((e: unknown) => e);
    const took = Date.now() - t0;
    console.log(`[k8s-engine] ImagePullBackOff detected after ${took} ms`);
    expect(took).toBeLessThan(30_000);
    expect(err).toBeInstanceOf(OperationError);
    const msg = (err as Error).message;
    expect(msg).toContain(`Deployment/${ns}/broken failed: pod broken-`);
    expect(msg).toContain('ImagePullBackOff');
    expect((err as OperationError).hint).toMatch(/image/);
  });

  it('CrashLoopBackOff fails fast with the last exit code', async () => {
    const ns = await namespace('e2e-crash');
    const dep = deployment(ns, 'crashy', 'e2e.invalid/fail-crashloop:1', 1);
    await applyObjects(cluster, [dep]);
    const err = await waitForObjects(cluster, [dep], { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toMatch(/CrashLoopBackOff: .*last exit code 1/);
  });

  it('an Unschedulable pod fails after the grace period', async () => {
    const ns = await namespace('e2e-sched');
    const dep = deployment(ns, 'nowhere', GOOD_IMAGE, 1, { nodeSelector: { 'vh-e2e/no-such-node': 'true' } });
    await applyObjects(cluster, [dep]);
    const t0 = Date.now();
    const err = await waitForObjects(cluster, [dep], { timeoutMs: 60_000, unschedulableGraceMs: 2_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toMatch(/Unschedulable/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('a failing Job fails naming the Job and its reason', async () => {
    const ns = await namespace('e2e-job');
    const j = job(ns, 'migrate', 'e2e.invalid/fail-job:1');
    await applyObjects(cluster, [j]);
    const err = await waitForObjects(cluster, [j], { timeoutMs: 90_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    const msg = (err as Error).message;
    expect(msg).toContain(`Job/${ns}/migrate failed: Job failed: BackoffLimitExceeded`);
    expect(msg).toMatch(/exited with code 1/);
  });

  it('a successful Job completes', async () => {
    const ns = await namespace('e2e-jobok');
    const j = job(ns, 'migrate', GOOD_IMAGE);
    await applyObjects(cluster, [j]);
    const res = await waitForObjects(cluster, [j], { timeoutMs: 60_000 });
    expect(res[0]!.message).toMatch(/complete/);
  });

  it('a never-ready Deployment times out saying what it still waits for', async () => {
    const ns = await namespace('e2e-never');
    const dep = deployment(ns, 'slow', 'e2e.invalid/never-ready:1', 1);
    await applyObjects(cluster, [dep]);
    const err = await waitForObjects(cluster, [dep], { timeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toMatch(new RegExp(`timed out after 3 s waiting for 1 of 1 objects:\\n  - Deployment/${ns}/slow: 0 of 1 updated replicas available \\(pod slow-.*: running, not ready\\)`));
  });
});

describe('conflicts and dry run', () => {
  it('a conflict with another field manager names the manager and the field', async () => {
    const ns = await namespace('e2e-conflict');
    await applyObjects(cluster, [configMap(ns, 'settings', { mode: 'a' })]);
    // Someone edits the field by hand (kubectl edit's field manager).
    const edit = await cluster.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/settings`, {
      query: { fieldManager: 'kubectl-edit' },
      body: { data: { mode: 'b' } },
      contentType: 'application/merge-patch+json',
    });
    expect(edit.status).toBe(200);

    const plan = [configMap(ns, 'settings', { mode: 'c' })];
    // Caught by the dry run, before any write ...
    const dryErr = await dryRunObjects(cluster, plan).catch((e: unknown) => e);
    expect(dryErr).toBeInstanceOf(OperationError);
    expect((dryErr as Error).message).toBe(`ConfigMap/${ns}/settings: field conflict with another field manager: "kubectl-edit" owns .data.mode`);
    // The engine names the reason; the CLI words the remedy (--force-conflicts).
    expect(reasonOf(dryErr)).toEqual({ reason: 'conflict' });
    expect(inCliTerms(dryErr as OperationError).hint).toContain('--force-conflicts');
    // ... and by the apply itself.
    await expect(applyObjects(cluster, plan)).rejects.toThrow(/"kubectl-edit" owns \.data\.mode/);
    const live = await readObject(cluster, plan[0]!);
    expect((live!.data as Record<string, string>).mode).toBe('b');
    // Forced, we take the field over.
    const forced = await applyObjects(cluster, plan, { forceConflicts: true });
    expect(forced[0]!.action).toBe('configured');
  });

  it('a server-side dry-run rejection reports every problem and writes nothing', async () => {
    const ns = await namespace('e2e-dry');
    const bad = deployment(ns, 'bad', GOOD_IMAGE, 1);
    (bad.spec as Record<string, unknown>).replicas = -1; // invalid value
    const typo = configMap(ns, 'typo', { a: '1' });
    typo.dataa = { b: '2' }; // unknown field: rejected by fieldValidation=Strict
    const fine = configMap(ns, 'fine', { ok: 'yes' });
    const err = await dryRunObjects(cluster, [fine, bad, typo]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    const msg = (err as Error).message;
    expect(msg).toContain('server-side dry run: 2 of 3 objects failed');
    expect(msg).toContain(`Deployment/${ns}/bad: rejected by the API server:`);
    expect(msg).toMatch(/spec\.replicas/);
    expect(msg).toContain(`ConfigMap/${ns}/typo: rejected by the API server:`);
    expect(msg).toContain('unknown field: .dataa: field not declared in schema');
    for (const name of ['fine', 'typo']) {
      expect((await cluster.request('GET', `/api/v1/namespaces/${ns}/configmaps/${name}`)).status).toBe(404);
    }
    expect((await cluster.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/bad`)).status).toBe(404);
  });

  it('a Secret rejection never echoes its values', async () => {
    const ns = await namespace('e2e-secret');
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: ns }, stringData: { password: 's3cr3t-value-xyz' }, bogus: 'field' };
    const err = await dryRunObjects(cluster, [secret]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect(JSON.stringify({ m: (err as Error).message, d: (err as OperationError).details })).not.toContain('s3cr3t-value-xyz');
    // And reading an existing one gives Buffers back.
    const { bogus: _b, ...clean } = secret;
    await applyObjects(cluster, [clean as KubeObject]);
    const data = await readSecretData(cluster, ns, 'creds');
    expect(data?.password?.toString()).toBe('s3cr3t-value-xyz');
    expect(await readSecretData(cluster, ns, 'missing')).toBeUndefined();
  });
});

describe('cluster access', () => {
  it('preflight with a user without RBAC rights throws ClusterAccessError listing the denials, before writing', async () => {
    const limited = await connect({ kubeconfig: inject('limitedKubeconfig'), env: {} });
    const ns = `e2e-limited-${uid()}`;
    const plan = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, configMap(ns, 'c', { a: '1' }), deployment(ns, 'web', GOOD_IMAGE, 1)];
    try {
      const err = await preflight(limited, { objects: plan }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterAccessError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/missing permissions|cannot check permissions|forbidden/);
      if (/missing permissions/.test(msg)) {
        expect(msg).toContain('for user "e2e-limited"');
        expect(msg).toContain('create namespaces (cluster-wide)');
        expect(msg).toContain(`patch deployments.apps in namespace ${ns}`);
        expect(msg).toContain(`watch pods in namespace ${ns}`);
      }
      expect(msg).toContain('e2e');
      expect((await cluster.request('GET', `/api/v1/namespaces/${ns}`)).status).toBe(404);
    } finally {
      limited.close();
    }
  });

  it('preflight with the admin reports version, RBAC ok, optional groups and missing classes', async () => {
    const ns = await namespace('e2e-pre');
    const r = await preflight(cluster, {
      objects: [configMap(ns, 'c', { a: '1' }), deployment(ns, 'web', GOOD_IMAGE, 1)],
      requireDefaultStorageClass: true,
      ingressClassName: 'nginx-e2e-missing',
      optionalGroups: ['monitoring.coreos.com/v1', 'apps/v1'],
    });
    expect(r.version.gitVersion).toMatch(/^v1\.\d+/);
    expect(r.checks.find((c) => c.id === 'rbac')?.ok).toBe(true);
    expect(r.optionalGroups).toEqual({ 'monitoring.coreos.com/v1': false, 'apps/v1': true });
    expect(r.checks.find((c) => c.id === 'ingress-class')).toMatchObject({ ok: false, severity: 'error' });
    // The harness serves a default StorageClass (hostPath provisioner); the IngressClass is missing.
    expect(r.checks.find((c) => c.id === 'default-storage-class')?.ok).toBe(true);
    expect(r.defaultStorageClass).toBe('standard');
    expect(r.ok).toBe(false);
    expect(await hasGroupVersion(cluster, 'batch/v1')).toBe(true);
    expect((await serverVersion(cluster)).major).toBe('1');
  });

  it('an unreachable server is a ClusterAccessError naming context and server', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const f = join(mkdtempSync(join(tmpdir(), 'vh-kc-')), 'kc');
    // Same CA and user as the admin kubeconfig, but a port nothing listens on.
    const text = (await import('node:fs')).readFileSync(inject('kubeconfig'), 'utf8').replace(/server: *https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1');
    writeFileSync(f, text);
    const dead = await connect({ kubeconfig: f, env: {} });
    const err = await preflight(dead, { objects: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterAccessError);
    expect((err as Error).message).toContain('https://127.0.0.1:1');
    expect((err as Error).message).toContain(dead.contextName);
    dead.close();
  });
});

describe('health through the service proxy', () => {
  it('proxyGet reads /health and returns an upstream 503 as a status', async () => {
    const ns = await namespace('e2e-proxy');
    const plan = [deployment(ns, 'api', GOOD_IMAGE, 1), service(ns, 'api')];
    await deploy(cluster, plan, { timeoutMs: 60_000 });
    const pods = (await cluster.requestOk('GET', `/api/v1/namespaces/${ns}/pods`)).json<{ items: Array<{ status?: { podIP?: string } }> }>().items;
    const ip = pods[0]?.status?.podIP;
    expect(ip).toMatch(/^10\.244\.\d+\.\d+$/);
    // Rules for this pod only, undone with later neutral rules: the pod server is shared by
    // every run on the cluster, so no '*' rule and no reset.
    const paths: string[] = [];
    const setRule = async (b: { path: string; status?: number; body?: unknown; delayMs?: number }) => {
      await setPodBehaviour(ip!, b);
      paths.push(b.path);
    };
    const timed = async (o: Parameters<typeof proxyGet>[1]) => {
      const t0 = performance.now();
      const r = await proxyGet(cluster, o);
      return { r, wall: performance.now() - t0 };
    };
    try {
      // The endpoints controller publishes the pod shortly after it is Ready.
      let { r, wall } = await timed({ namespace: ns, service: 'api', port: 8080, path: '/health', timeoutMs: 5_000 });
      for (let i = 0; i < 50 && r.status !== 200; i++) {
        await new Promise((res) => setTimeout(res, 200));
        ({ r, wall } = await timed({ namespace: ns, service: 'api', port: 8080, path: '/health', timeoutMs: 5_000 }));
      }
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ status: 'healthy' });
      expect(Number.isInteger(r.ms)).toBe(true);
      expect(r.ms).toBeLessThanOrEqual(Math.ceil(wall));

      // A known delay: ms is the time the answer took, not a constant.
      await setRule({ path: '/health', delayMs: 400 });
      ({ r, wall } = await timed({ namespace: ns, service: 'api', port: 8080, path: '/health', timeoutMs: 5_000 }));
      expect(r.status).toBe(200);
      expect(r.ms).toBeGreaterThanOrEqual(400);
      expect(r.ms).toBeLessThanOrEqual(Math.ceil(wall));

      await setRule({ path: '/ready', status: 503, body: { status: 'not ready' } });
      const notReady = await proxyGet(cluster, { namespace: ns, service: 'api', port: 'http', path: '/ready?verbose=1', timeoutMs: 5_000 });
      expect(notReady.status).toBe(503);
      expect(JSON.parse(notReady.body)).toEqual({ status: 'not ready' });
      expect(notReady.proxyError).toBeUndefined(); // the app's answer, not the API server's

      const missing = await proxyGet(cluster, { namespace: ns, service: 'nope', port: 8080, path: '/health', timeoutMs: 5_000 });
      expect(missing.status).toBe(404);
      expect(missing.proxyError).toBe('services "nope" not found');

      await setRule({ path: '/health', delayMs: 3_000 });
      const slow = await proxyGet(cluster, { namespace: ns, service: 'api', port: 8080, path: '/health', timeoutMs: 500 });
      expect(slow.status).toBe(0);
      expect(slow.error).toBe('no answer within 500 ms');
    } finally {
      for (const path of new Set(paths)) await setPodBehaviour(ip!, { path });
    }
  });
});

describe('watch resilience', () => {
  it('waitForObjects re-lists after the server ends each watch, and still sees the rollout finish', async () => {
    const ns = await namespace('e2e-relist');
    const dep = deployment(ns, 'later', 'e2e.invalid/never-ready:1', 1);
    await applyObjects(cluster, [dep]);
    const traces: string[] = [];
    const progress: WaitProgress[] = [];
    const waiting = waitForObjects(cluster, [dep], {
      timeoutMs: 60_000,
      watchTimeoutSeconds: 1,
      onProgress: (p) => progress.push(p),
      onTrace: (t) => traces.push(`${t.resource} ${t.what}`),
    });
    // Let several 1 s watches end and be replaced, then fix the image.
    await new Promise((r) => setTimeout(r, 3_500));
    await applyObjects(cluster, [deployment(ns, 'later', GOOD_IMAGE, 1)]);
    const res = await waiting;
    expect(res[0]!.state).toBe('ready');
    const lists = traces.filter((t) => t === `deployments in ${ns} list`).length;
    expect(lists).toBeGreaterThanOrEqual(3);
    expect(traces).toContain(`deployments in ${ns} closed`);
    expect(progress.at(-1)?.state).toBe('ready');
  });
});
