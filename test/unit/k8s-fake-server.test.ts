// The engine's I/O paths (retries, error classification, the watch loop, fail-fast
// waiting) against a tiny fake API server on loopback: deterministic and fast. The
// same behaviour against a real control plane is in test/e2e/k8s-*.test.ts.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterAccessError, InputError, OperationError } from '../../src/errors.js';
import { connect, type Cluster } from '../../src/k8s/client.js';
import { startWatch } from '../../src/k8s/watch.js';
import { waitForObjects, type WaitProgress } from '../../src/k8s/wait.js';
import { reasonOf } from '../../src/k8s/reasons.js';
import type { KubeObject } from '../../src/k8s/types.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;
let handler: Handler = (_q, res) => res.writeHead(404).end();
let server: http.Server;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'vh-k8s-'));

function kubeconfig(server: string, extra = ''): string {
  const f = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    f,
    `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: { server: "${server}", insecure-skip-tls-verify: true }
users:
- name: u
  user: { token: abc }
contexts:
- name: fake-ctx
  context: { cluster: fake, user: u, namespace: team }
- name: other
  context: { cluster: fake, user: u }
current-context: fake-ctx
${extra}`,
  );
  return f;
}

beforeAll(async () => {
  server = http.createServer((req, res) => void handler(req, res, new URL(req.url!, 'http://x')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
let cluster: Cluster | undefined;
afterEach(() => cluster?.close());

const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

describe('connect', () => {
  it('refuses when there is no kubeconfig anywhere (no silent localhost:8080)', async () => {
    await expect(connect({ env: {}, homeDir: dir })).rejects.toBeInstanceOf(ClusterAccessError);
    await expect(connect({ env: { KUBECONFIG: join(dir, 'missing') }, homeDir: dir })).rejects.toThrow(/names no existing file/);
  });
  it('a --kubeconfig that does not exist is bad input', async () => {
    await expect(connect({ kubeconfig: join(dir, 'nope'), env: {} })).rejects.toBeInstanceOf(InputError);
  });
  it('an unknown --context is bad input listing the available ones', async () => {
    const err = await connect({ kubeconfig: kubeconfig(base), context: 'prod', env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain('available: fake-ctx, other');
  });
  it('takes the namespace from the flag, then the context, then default', async () => {
    const kc = kubeconfig(base);
    cluster = await connect({ env: { KUBECONFIG: kc } });
    expect(cluster).toMatchObject({ contextName: 'fake-ctx', server: base, defaultNamespace: 'team', insecureSkipTlsVerify: true });
    cluster.close();
    cluster = await connect({ kubeconfig: kc, context: 'other', env: {} });
    expect(cluster.defaultNamespace).toBe('default');
    cluster.close();
    cluster = await connect({ kubeconfig: kc, namespace: 'x', env: {} });
    expect(cluster.defaultNamespace).toBe('x');
  });
});

describe('request', () => {
  it('retries idempotent requests on 503 and 429, sends the bearer token', async () => {
    let hits = 0;
    let auth = '';
    handler = (req, res) => {
      hits++;
      auth = req.headers.authorization ?? '';
      if (hits === 1) return json(res, 503, { kind: 'Status', code: 503 });
      if (hits === 2) return res.writeHead(429, { 'Retry-After': '0' }).end();
      json(res, 200, { ok: true });
    };
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const r = await cluster.request('GET', '/api/v1/namespaces');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ ok: true });
    expect(hits).toBe(3);
    expect(auth).toBe('Bearer abc');
  });
  it('does not retry a POST, but retries server-side apply', async () => {
    let hits = 0;
    handler = (_req, res) => {
      hits++;
      json(res, 503, {});
    };
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    expect((await cluster.request('POST', '/x', { body: {} })).status).toBe(503);
    expect(hits).toBe(1);
    hits = 0;
    expect((await cluster.request('PATCH', '/x', { body: '{}', contentType: 'application/apply-patch+yaml' })).status).toBe(503);
    expect(hits).toBe(5);
  });
  it('classifies connection refused as ClusterAccessError naming context and server', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    cluster = await connect({ kubeconfig: kubeconfig(`http://127.0.0.1:${port}`), env: {} });
    const err = await cluster.request('GET', '/version').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterAccessError);
    expect((err as Error).message).toContain('connection refused');
    expect((err as Error).message).toContain('fake-ctx');
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });
  it('requestOk turns 403 into "forbidden: verb resource in namespace"', async () => {
    handler = (_req, res) => json(res, 403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'nope' });
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    await expect(cluster.requestOk('GET', '/api/v1/namespaces/team/secrets/s')).rejects.toThrow(/^forbidden: get secrets in namespace team/);
  });
});

/** A fake collection endpoint: list returns `items`, watch streams what the test pushes. */
class FakeCollection {
  items = new Map<string, KubeObject>();
  rv = 10;
  lists = 0;
  watches: http.ServerResponse[] = [];
  watchQueries: URLSearchParams[] = [];
  constructor(readonly kind: string) {}
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    if (url.searchParams.get('watch')) {
      this.watchQueries.push(url.searchParams);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      this.watches.push(res);
      req.on('close', () => (this.watches = this.watches.filter((w) => w !== res)));
      return;
    }
    this.lists++;
    json(res, 200, { kind: `${this.kind}List`, metadata: { resourceVersion: String(this.rv) }, items: [...this.items.values()] });
  }
  push(type: string, obj: unknown) {
    this.rv++;
    if (type !== 'BOOKMARK' && type !== 'ERROR') {
      const o = obj as KubeObject;
      o.metadata.resourceVersion = String(this.rv);
      if (type === 'DELETED') this.items.delete(o.metadata.name);
      else this.items.set(o.metadata.name, o);
    }
    for (const w of this.watches) w.write(`${JSON.stringify({ type, object: obj })}\n`);
  }
  closeWatches() {
    for (const w of this.watches) w.end();
    this.watches = [];
  }
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('startWatch', () => {
  it('lists, streams events, skips bookmarks, re-lists on 410 and after a disconnect', async () => {
    const cms = new FakeCollection('ConfigMap');
    cms.items.set('a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    handler = (req, res, url) => cms.handle(req, res, url);
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const syncs: string[][] = [];
    const events: string[] = [];
    const w = startWatch(cluster, { apiVersion: 'v1', kind: 'ConfigMap', collection: '/api/v1/namespaces/team/configmaps', timeoutSeconds: 5 }, {
      onSync: (items) => syncs.push(items.map((i) => i.metadata.name)),
      onEvent: (t, o) => events.push(`${t} ${o.metadata.name}`),
      onFatal: (e) => events.push(`fatal ${e.message}`),
    });
    try {
      await until(() => cms.watches.length === 1);
      expect(cms.watchQueries[0]!.get('resourceVersion')).toBe('10');
      expect(cms.watchQueries[0]!.get('allowWatchBookmarks')).toBe('true');
      expect(cms.watchQueries[0]!.get('timeoutSeconds')).toBe('5');
      cms.push('ADDED', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
      cms.push('BOOKMARK', { kind: 'ConfigMap', metadata: { resourceVersion: '99' } });
      await until(() => events.length === 1);
      cms.push('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
      await until(() => cms.lists === 2 && cms.watches.length === 1);
      cms.closeWatches();
      await until(() => cms.lists === 3 && cms.watches.length === 1);
      expect(syncs).toEqual([['a'], ['a', 'b'], ['a', 'b']]);
      expect(events).toEqual(['ADDED b']);
    } finally {
      w.stop();
      await w.done;
    }
  });

  it('reports 403 as fatal and stops', async () => {
    handler = (_req, res) => json(res, 403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'no' });
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const fatal: Error[] = [];
    const w = startWatch(cluster, { apiVersion: 'v1', kind: 'Pod', collection: '/api/v1/namespaces/team/pods' }, { onSync: () => {}, onEvent: () => {}, onFatal: (e) => fatal.push(e) });
    await w.done;
    expect(fatal[0]).toBeInstanceOf(ClusterAccessError);
    expect(fatal[0]!.message).toMatch(/forbidden: list pods in namespace team/);
  });
});

describe('waitForObjects (fake server)', () => {
  const appsV1 = { kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [{ name: 'deployments', namespaced: true, kind: 'Deployment', verbs: ['get', 'list', 'watch'] }, { name: 'replicasets', namespaced: true, kind: 'ReplicaSet', verbs: ['list'] }] };
  const dep = (status: Record<string, unknown>): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'team', generation: 1, uid: 'u1', labels: { app: 'web' }, annotations: { 'deployment.kubernetes.io/revision': '1' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } },
    status: { observedGeneration: 1, ...status },
  });
  function serve(deps: FakeCollection, pods: FakeCollection, events: unknown[] = []): Handler {
    return (req, res, url) => {
      if (url.pathname === '/apis/apps/v1') return json(res, 200, appsV1);
      if (url.pathname === '/apis/apps/v1/namespaces/team/deployments') return deps.handle(req, res, url);
      if (url.pathname === '/api/v1/namespaces/team/pods') return pods.handle(req, res, url);
      if (url.pathname === '/apis/apps/v1/namespaces/team/replicasets') return json(res, 200, { items: [] });
      if (url.pathname === '/api/v1/namespaces/team/events') return json(res, 200, { items: events });
      json(res, 404, { kind: 'Status', code: 404 });
    };
  }

  it('resolves on the event that makes the object ready, with one progress line per change', async () => {
    const deps = new FakeCollection('Deployment');
    const pods = new FakeCollection('Pod');
    deps.items.set('web', dep({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    handler = serve(deps, pods);
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const progress: WaitProgress[] = [];
    const p = waitForObjects(cluster, [dep({})], { timeoutMs: 5000, onProgress: (e) => progress.push(e) });
    await until(() => deps.watches.length === 1 && pods.watches.length === 1);
    expect(pods.watchQueries[0]!.get('labelSelector')).toBe('app=web');
    expect(deps.watchQueries[0]!.get('fieldSelector')).toBe('metadata.name=web');
    deps.push('MODIFIED', dep({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 })); // same line: not repeated
    const t0 = performance.now();
    deps.push('MODIFIED', dep({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }));
    const res = await p;
    const latency = performance.now() - t0;
    expect(latency).toBeLessThan(100);
    expect(res).toEqual([{ ref: 'Deployment/team/web', state: 'ready', message: '1 of 1 replicas available' }]);
    expect(progress).toEqual([
      { ref: 'Deployment/team/web', state: 'progressing', message: '0 of 1 updated replicas available' },
      { ref: 'Deployment/team/web', state: 'ready', message: '1 of 1 replicas available' },
    ]);
  });

  it('fails fast on a pod in ImagePullBackOff, naming workload, pod, reason and events', async () => {
    const deps = new FakeCollection('Deployment');
    const pods = new FakeCollection('Pod');
    deps.items.set('web', dep({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    const events = [{ type: 'Warning', reason: 'Failed', involvedObject: { kind: 'Pod', name: 'web-1' }, message: 'Failed to pull image "bad:1"', lastTimestamp: '2026-01-01T00:00:00Z' }];
    handler = serve(deps, pods, events);
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const p = waitForObjects(cluster, [dep({})], { timeoutMs: 10_000 });
    await until(() => pods.watches.length === 1);
    const t0 = Date.now();
    pods.push('MODIFIED', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'team', uid: 'p1', labels: { app: 'web' } },
      status: { phase: 'Pending', containerStatuses: [{ name: 'web', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "bad:1"' } } }] },
    });
    const err = await p.catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(OperationError);
    const m = (err as Error).message;
    expect(m).toContain('Deployment/team/web failed: pod web-1 (container web): ImagePullBackOff: Back-off pulling image "bad:1"');
    expect(m).toContain('Warning Failed Pod/web-1: Failed to pull image "bad:1"');
    expect((err as OperationError).hint).toMatch(/image/);
    expect(reasonOf(err)).toBeUndefined();
  });

  it('a pod runc cannot start (permission denied): the error carries the podSecurityContext reason for the workload; ImagePullBackOff does not', async () => {
    const deps = new FakeCollection('Deployment');
    const pods = new FakeCollection('Pod');
    deps.items.set('web', dep({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    handler = serve(deps, pods);
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const p = waitForObjects(cluster, [dep({})], { timeoutMs: 10_000 });
    await until(() => pods.watches.length === 1);
    const message = 'failed to create containerd task: exec: "./web": stat ./web: permission denied: unknown';
    pods.push('MODIFIED', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'team', uid: 'p1', labels: { app: 'web' } },
      status: { phase: 'Pending', containerStatuses: [{ name: 'web', state: { waiting: { reason: 'RunContainerError', message } } }] },
    });
    const err = (await p.catch((e: unknown) => e)) as OperationError;
    expect(reasonOf(err)).toEqual({ reason: 'podSecurityContext', kind: 'Deployment', name: 'web', hint: err.hint });
    expect(err.hint).toMatch(/^the user the pod runs as \(securityContext runAsUser\/runAsGroup\)/);
  });

  it('ignores a crashing pod of the old ReplicaSet, fails on one of the new', async () => {
    const deps = new FakeCollection('Deployment');
    const pods = new FakeCollection('Pod');
    const d = dep({ replicas: 2, updatedReplicas: 1, availableReplicas: 1 });
    d.metadata.annotations = { 'deployment.kubernetes.io/revision': '2' };
    deps.items.set('web', d);
    const rs = (hash: string, rev: string) => ({
      metadata: { name: `web-${hash}`, labels: { app: 'web', 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/revision': rev }, ownerReferences: [{ uid: 'u1' }] },
    });
    let rsLists = 0;
    const inner = serve(deps, pods);
    handler = (req, res, url) => {
      if (url.pathname === '/apis/apps/v1/namespaces/team/replicasets') {
        rsLists++;
        return json(res, 200, { items: [rs('old', '1'), rs('new', '2')] });
      }
      return inner(req, res, url);
    };
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const p = waitForObjects(cluster, [d], { timeoutMs: 10_000 });
    await until(() => pods.watches.length === 1);
    const crashing = (name: string, hash: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'team', uid: name, labels: { app: 'web', 'pod-template-hash': hash } },
      status: { phase: 'Running', containerStatuses: [{ name: 'web', restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } } }] },
    });
    pods.push('MODIFIED', crashing('web-old-1', 'old'));
    await until(() => rsLists === 1);
    await new Promise((r) => setTimeout(r, 100));
    let settled = false;
    void p.catch(() => undefined).finally(() => (settled = true));
    expect(settled).toBe(false);
    pods.push('MODIFIED', crashing('web-new-1', 'new'));
    const err = await p.catch((e: unknown) => e);
    expect((err as Error).message).toContain('pod web-new-1 (container web): CrashLoopBackOff');
    expect(rsLists).toBe(1); // the revision lookup is cached
  });

  it('DaemonSet: a pod of the current template fails the wait even when metadata.generation moved on without a template change', async () => {
    // A change outside the pod template (here minReadySeconds) bumps metadata.generation
    // to 2 but leaves the template generation, and so the pods' label, at 1.
    const dsV1 = { kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [{ name: 'daemonsets', namespaced: true, kind: 'DaemonSet', verbs: ['get', 'list', 'watch'] }] };
    const dss = new FakeCollection('DaemonSet');
    const pods = new FakeCollection('Pod');
    const ds: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'team', generation: 2, uid: 'd1', annotations: { 'deprecated.daemonset.template.generation': '1' } },
      spec: { minReadySeconds: 5, selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } } } },
      status: { observedGeneration: 2, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 0 },
    };
    dss.items.set('agent', ds);
    handler = (req, res, url) => {
      if (url.pathname === '/apis/apps/v1') return json(res, 200, dsV1);
      if (url.pathname === '/apis/apps/v1/namespaces/team/daemonsets') return dss.handle(req, res, url);
      if (url.pathname === '/api/v1/namespaces/team/pods') return pods.handle(req, res, url);
      if (url.pathname === '/api/v1/namespaces/team/events') return json(res, 200, { items: [] });
      json(res, 404, { kind: 'Status', code: 404 });
    };
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const p = waitForObjects(cluster, [ds], { timeoutMs: 2_000 });
    await until(() => pods.watches.length === 1);
    pods.push('MODIFIED', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'agent-x', namespace: 'team', uid: 'p1', labels: { app: 'agent', 'pod-template-generation': '1', 'controller-revision-hash': 'abc' } },
      status: { phase: 'Pending', containerStatuses: [{ name: 'agent', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "bad:1"' } } }] },
    });
    const err = await p.catch((e: unknown) => e);
    expect((err as Error).message.split('\n')[0]).toBe('DaemonSet/team/agent failed: pod agent-x (container agent): ImagePullBackOff: Back-off pulling image "bad:1"');
  });

  it('fails an Unschedulable pod only after the grace period', async () => {
    const deps = new FakeCollection('Deployment');
    const pods = new FakeCollection('Pod');
    deps.items.set('web', dep({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    handler = serve(deps, pods);
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const p = waitForObjects(cluster, [dep({})], { timeoutMs: 10_000, unschedulableGraceMs: 400 });
    await until(() => pods.watches.length === 1);
    const t0 = Date.now();
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'team', uid: 'p1', labels: { app: 'web' } },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] },
    };
    pods.push('ADDED', pod);
    pods.push('MODIFIED', structuredClone(pod));
    const err = await p.catch((e: unknown) => e);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(350);
    expect(took).toBeLessThan(1500);
    expect((err as Error).message).toContain('pod web-1: Unschedulable: 0/3 nodes are available');
  });

  it('times out saying what is still awaited', async () => {
    const deps = new FakeCollection('Deployment');
    const pods = new FakeCollection('Pod');
    deps.items.set('web', dep({ replicas: 2, updatedReplicas: 1, availableReplicas: 0 }));
    handler = serve(deps, pods);
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const err = await waitForObjects(cluster, [dep({})], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toBe('timed out after 300 ms waiting for 1 of 1 objects:\n  - Deployment/team/web: 1 old replicas pending termination');
  });

  it('times out on a pod that runs but is not ready: its Warning events (one list call, type=Warning) are under the object', async () => {
    const deps = new FakeCollection('Deployment');
    const pods = new FakeCollection('Pod');
    deps.items.set('web', dep({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    pods.items.set('web-1', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'team', labels: { app: 'web' } },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'web', ready: false, state: { running: {} } }] },
    });
    const at = (s: number) => `2026-01-01T00:00:0${s}Z`;
    const events = [
      { type: 'Warning', reason: 'Unhealthy', involvedObject: { kind: 'Pod', name: 'web-1' }, message: 'Readiness probe failed: HTTP probe failed with statuscode: 404', count: 7, lastTimestamp: at(5) },
      { type: 'Warning', reason: 'BackOff', involvedObject: { kind: 'Pod', name: 'web-1' }, message: 'old', lastTimestamp: at(1) },
      { type: 'Warning', reason: 'Failed', involvedObject: { kind: 'Pod', name: 'web-1' }, message: 'older', lastTimestamp: at(0) },
    ];
    const queries: string[] = [];
    const base0 = serve(deps, pods, events);
    handler = (req, res, url) => {
      if (url.pathname === '/api/v1/namespaces/team/events') queries.push(url.searchParams.get('fieldSelector') ?? '');
      return base0(req, res, url);
    };
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const err = await waitForObjects(cluster, [dep({})], { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toBe(
      'timed out after 400 ms waiting for 1 of 1 objects:\n  - Deployment/team/web: 0 of 1 updated replicas available (pod web-1: running, not ready)\n' +
        '      Warning BackOff Pod/web-1: old\n      Warning Unhealthy Pod/web-1: Readiness probe failed: HTTP probe failed with statuscode: 404 (x7)',
    );
    expect(queries).toEqual(['involvedObject.kind=Pod,involvedObject.name=web-1,type=Warning']);
  });

  it('is cancelled by the signal', async () => {
    const deps = new FakeCollection('Deployment');
    const pods = new FakeCollection('Pod');
    deps.items.set('web', dep({}));
    handler = serve(deps, pods);
    cluster = await connect({ kubeconfig: kubeconfig(base), env: {} });
    const ctl = new AbortController();
    const p = waitForObjects(cluster, [dep({})], { timeoutMs: 10_000, signal: ctl.signal });
    await until(() => deps.watches.length === 1);
    ctl.abort(new Error('interrupted'));
    await expect(p).rejects.toThrow('interrupted');
  });
});

describe('lazy client-node', () => {
  it('no module in src/k8s imports @kubernetes/client-node at top level (values)', () => {
    const srcDir = join(__dirname, '../../src/k8s');
    for (const f of readdirSync(srcDir).filter((x) => x.endsWith('.ts'))) {
      const text = readFileSync(join(srcDir, f), 'utf8');
      const bad = text.split('\n').filter((l) => /^\s*import\s+(?!type\b)[^;]*['"]@kubernetes\/client-node(\/[^'"]*)?['"]/.test(l) || /^\s*export\s+[^;]*from\s+['"]@kubernetes\/client-node(\/[^'"]*)?['"]/.test(l));
      expect(bad, f).toEqual([]);
    }
  });
});
