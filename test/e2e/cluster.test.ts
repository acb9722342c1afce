/// <reference path="../cluster/inject.d.ts" />
// Tests of the e2e harness itself: a real kube-apiserver + controller-manager + scheduler
// + kwok (fake nodes) + the fake pod server, started by test/cluster/global-setup.ts.
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import {
  apiRequest,
  createNamespace,
  deleteNamespaces,
  loadKubeConfig,
  uniqueName,
  waitFor,
} from '../cluster/e2e-helpers.js';
import { getPodRequests, resetPodBehaviour, setPodBehaviour } from '../cluster/pod-server-control.js';

const execFileP = promisify(execFile);

const kc = loadKubeConfig(inject('kubeconfig'));
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);

const namespaces: string[] = [];
async function ns(prefix: string): Promise<string> {
  const name = await createNamespace(kc, prefix);
  namespaces.push(name);
  return name;
}
// The namespace's default ServiceAccount is created by kube-controller-manager; the
// ServiceAccount admission plugin rejects pods until it exists.
async function nsWithSA(prefix: string): Promise<string> {
  const name = await ns(prefix);
  await waitFor(`ServiceAccount default in ${name}`, async () => core.readNamespacedServiceAccount({ name: 'default', namespace: name }), {
    timeoutMs: 30_000,
  });
  return name;
}

afterAll(async () => {
  await deleteNamespaces(kc, namespaces);
});

function podSpec(image: string, extra: Partial<k8s.V1PodSpec> = {}): k8s.V1PodSpec {
  return { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }], ...extra };
}

function appDeployment(name: string, replicas: number): k8s.V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec('registry.example/app:1.0') },
    },
  };
}

async function waitAvailable(namespace: string, name: string, replicas: number): Promise<void> {
  await waitFor(
    `Deployment ${namespace}/${name} Available with ${replicas} ready replicas`,
    async () => {
      const d = await apps.readNamespacedDeployment({ name, namespace });
      const available = d.status?.conditions?.find((c) => c.type === 'Available')?.status === 'True';
      return available && d.status?.readyReplicas === replicas ? d : undefined;
    },
    { timeoutMs: 90_000 },
  );
}

async function readyPods(namespace: string, app: string): Promise<k8s.V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` });
  return list.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

describe('e2e cluster harness', () => {
  it('kubectl from the harness bin dir lists 3 Ready kwok nodes, and beside them at most the real node', async () => {
    const kubectl = path.join(inject('clusterBinDir'), 'kubectl');
    const { stdout } = await execFileP(kubectl, ['--kubeconfig', inject('kubeconfig'), 'get', 'nodes', '-o', 'json'], {
      timeout: 30_000,
    });
    const nodes = JSON.parse(stdout) as { items: k8s.V1Node[] };
    const kwok = nodes.items.filter((n) => n.metadata?.name !== 'vh-real-node');
    expect(kwok.map((n) => n.metadata?.name).sort()).toEqual(['kwok-node-0', 'kwok-node-1', 'kwok-node-2']);
    // The real node (test/cluster/real-node-up.sh; test/e2e/real-node.test.ts) is tainted, so no other pod lands there.
    for (const n of nodes.items.filter((x) => !kwok.includes(x))) {
      expect(n.spec?.taints).toEqual([{ key: 'vh-deploy.io/real-node', value: 'true', effect: 'NoSchedule' }]);
    }
    for (const n of kwok) {
      expect(n.metadata?.annotations?.['kwok.x-k8s.io/node']).toBe('fake');
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(n.spec?.taints ?? []).toEqual([]);
    }
    const { stdout: ctx } = await execFileP(kubectl, ['--kubeconfig', inject('kubeconfig'), 'config', 'current-context']);
    expect(ctx.trim()).toBe('vh-e2e');
    // global-setup also exports the paths for code that reads the environment
    expect(process.env.VH_E2E_KUBECONFIG).toBe(inject('kubeconfig'));
  });

  it('the API server is only on loopback and reports the pinned version', async () => {
    expect(kc.getCurrentCluster()?.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const v = await apiRequest(kc, 'GET', '/version');
    expect(v.status).toBe(200);
    expect(JSON.parse(v.body).gitVersion).toMatch(/^v1\.\d+\.\d+/);
  });

  it('the limited user is authenticated but forbidden', async () => {
    const limited = loadKubeConfig(inject('limitedKubeconfig'));
    const r = await apiRequest(limited, 'GET', '/api/v1/namespaces/default/pods');
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).message).toContain('User "e2e-limited" cannot list resource "pods"');
    const limitedCore = limited.makeApiClient(k8s.CoreV1Api);
    await expect(limitedCore.listNamespace()).rejects.toMatchObject({ code: 403 });
  });

  it('a Deployment becomes Available and its Service proxies to the fake pod', async () => {
    const namespace = await nsWithSA('e2e-deploy');
    await apps.createNamespacedDeployment({ namespace, body: appDeployment('model-router', 2) });
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'model-router' },
        spec: { selector: { app: 'model-router' }, ports: [{ port: 8080, targetPort: 8080 }] },
      },
    });
    await waitAvailable(namespace, 'model-router', 2);

    const pods = await readyPods(namespace, 'model-router');
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.podIP).toMatch(/^10\.244\.\d{1,3}\.\d{1,3}$/); // the pod CIDR, 10.244.0.0/16 (a long-lived cluster passes .0.255)
      expect(p.spec?.nodeName).toMatch(/^kwok-node-\d$/);
    }

    // Endpoints are written by kube-controller-manager; the proxy answers once they exist.
    const health = await waitFor(
      'service proxy /health',
      async () => {
        const r = await apiRequest(kc, 'GET', `/api/v1/namespaces/${namespace}/services/model-router:8080/proxy/health`);
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(JSON.parse(health.body)).toEqual({ status: 'healthy', service: 'model-router' });

    const metrics = await apiRequest(kc, 'GET', `/api/v1/namespaces/${namespace}/services/model-router:8080/proxy/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('model_router_requests_total');
    expect(metrics.body).toContain('model_router_request_duration_seconds_bucket');
    expect(metrics.body).toContain('posthog_events_sent_total');

    // the fake pod server saw the request on one of the two pod IPs
    const seen = await getPodRequests({ path: '/health', port: 8080 });
    const ips = new Set(pods.map((p) => p.status?.podIP));
    expect(seen.some((r) => ips.has(r.podIP))).toBe(true);
  });

  describe('failure modes', () => {
    // a fresh namespace for every test
    let namespace: string;
    beforeEach(async () => {
      namespace = await nsWithSA('e2e-fail');
    });

    async function createPod(name: string, spec: k8s.V1PodSpec): Promise<void> {
      await core.createNamespacedPod({ namespace, body: { metadata: { name, labels: { app: name } }, spec } });
    }
    async function waitPod(name: string, what: string, ok: (p: k8s.V1Pod) => boolean, timeoutMs = 60_000) {
      return waitFor(
        `pod ${name}: ${what}`,
        async () => {
          const p = await core.readNamespacedPod({ name, namespace });
          return ok(p) ? p : undefined;
        },
        { timeoutMs },
      );
    }
    const cond = (p: k8s.V1Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);
    const waiting = (p: k8s.V1Pod) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason;

    it('a pod whose nodeSelector matches no node is Unschedulable', async () => {
      await createPod('unschedulable', podSpec('registry.example/app:1.0', { nodeSelector: { 'vh-e2e/no-such-node': 'true' } }));
      const p = await waitPod('unschedulable', 'PodScheduled=False/Unschedulable', (p) => cond(p, 'PodScheduled')?.reason === 'Unschedulable');
      expect(cond(p, 'PodScheduled')?.status).toBe('False');
      expect(p.status?.phase).toBe('Pending');
    });

    it('e2e.invalid/fail-imagepull reports ImagePullBackOff', async () => {
      await createPod('imagepull', podSpec('e2e.invalid/fail-imagepull:1'));
      const p = await waitPod('imagepull', 'waiting reason set', (p) => waiting(p) !== undefined);
      expect(['ImagePullBackOff', 'ErrImagePull']).toContain(waiting(p));
      expect(p.status?.phase).toBe('Pending');
      expect(cond(p, 'Ready')?.status).toBe('False');
    });

    it('e2e.invalid/fail-crashloop reports CrashLoopBackOff with restarts', async () => {
      await createPod('crashloop', podSpec('e2e.invalid/fail-crashloop:1'));
      const p = await waitPod('crashloop', 'waiting reason set', (p) => waiting(p) !== undefined);
      expect(waiting(p)).toBe('CrashLoopBackOff');
      expect(p.status?.containerStatuses?.[0]?.restartCount).toBeGreaterThan(0);
      expect(p.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(1);
    });

    it('e2e.invalid/fail-config reports CreateContainerConfigError', async () => {
      await createPod('config', podSpec('e2e.invalid/fail-config:1'));
      const p = await waitPod('config', 'waiting reason set', (p) => waiting(p) !== undefined);
      expect(waiting(p)).toBe('CreateContainerConfigError');
    });

    it('e2e.invalid/never-ready stays Running but not Ready', async () => {
      await createPod('never-ready', podSpec('e2e.invalid/never-ready:1'));
      await waitPod('never-ready', 'Running', (p) => p.status?.phase === 'Running');
      // stays that way: kwok applies nothing else to it
      await new Promise((r) => setTimeout(r, 2_000));
      const p = await core.readNamespacedPod({ name: 'never-ready', namespace });
      expect(p.status?.phase).toBe('Running');
      expect(cond(p, 'Ready')?.status).toBe('False');
      expect(p.status?.containerStatuses?.[0]?.ready).toBe(false);
      expect(p.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    });

    function job(name: string, image: string): k8s.V1Job {
      return {
        metadata: { name },
        spec: {
          backoffLimit: 0,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'job', image }] } },
        },
      };
    }
    const jobCond = async (name: string, type: string) => {
      const j = await batch.readNamespacedJob({ name, namespace });
      return j.status?.conditions?.find((c) => c.type === type && c.status === 'True');
    };

    it('a Job with image e2e.invalid/fail-job fails; another Job completes', async () => {
      await batch.createNamespacedJob({ namespace, body: job('fails', 'e2e.invalid/fail-job:1') });
      await batch.createNamespacedJob({ namespace, body: job('succeeds', 'registry.example/migrate:1.0') });
      const failed = await waitFor('Job fails condition Failed', () => jobCond('fails', 'Failed'), { timeoutMs: 90_000 });
      expect(failed.reason).toBe('BackoffLimitExceeded');
      await waitFor('Job succeeds condition Complete', () => jobCond('succeeds', 'Complete'), { timeoutMs: 90_000 });
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'job-name=fails' });
      expect(pods.items[0]?.status?.phase).toBe('Failed');
      expect(pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).not.toBe(0);
    });
  });

  describe('pod server behaviour overrides', () => {
    afterEach(async () => {
      await resetPodBehaviour();
    });

    it("one pod's /ready returns 503 while the other still returns 200", async () => {
      const namespace = await nsWithSA('e2e-behave');
      const name = uniqueName('router');
      await apps.createNamespacedDeployment({ namespace, body: appDeployment(name, 2) });
      await waitAvailable(namespace, name, 2);
      const [a, b] = await readyPods(namespace, name);
      expect(a?.status?.podIP).toMatch(/^10\.244\.\d{1,3}\.\d{1,3}$/);
      expect(b?.status?.podIP).toMatch(/^10\.244\.\d{1,3}\.\d{1,3}$/);
      expect(a?.status?.podIP).not.toBe(b?.status?.podIP);

      await setPodBehaviour(a!.status!.podIP!, { path: '/ready', status: 503, body: { status: 'not ready' } });
      const proxy = (pod: k8s.V1Pod, p: string) =>
        apiRequest(kc, 'GET', `/api/v1/namespaces/${namespace}/pods/${pod.metadata!.name}:8080/proxy${p}`);

      const ra = await proxy(a!, '/ready');
      expect(ra.status).toBe(503);
      expect(JSON.parse(ra.body)).toEqual({ status: 'not ready' });
      const rb = await proxy(b!, '/ready');
      expect(rb.status).toBe(200);
      expect(JSON.parse(rb.body)).toEqual({ status: 'ready' });
      // other paths of the overridden pod are untouched
      expect((await proxy(a!, '/health')).status).toBe(200);

      await setPodBehaviour(b!.status!.podIP!, { path: '/metrics', metricsWithout: ['posthog_events_sent_total'] });
      const mb = await proxy(b!, '/metrics');
      expect(mb.status).toBe(200);
      expect(mb.body).toContain('model_router_requests_total');
      expect(mb.body).not.toContain('posthog_events_sent_total');

      await resetPodBehaviour();
      expect((await proxy(a!, '/ready')).status).toBe(200);
    });
  });
});
