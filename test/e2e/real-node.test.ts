/// <reference path="../cluster/inject.d.ts" />
// The Model Router on the real node (test/cluster/real-node-up.sh): a real kubelet,
// containerd and runc run the contract image of the seed's Model Router
// (test/images/model-router: root, WORKDIR /root/ mode 0700, CMD ./model-router). Every
// failure below is the kubelet's or runc's own words, read back from vh-deploy's report —
// no stage file decides anything here.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiRequest, deleteNamespaces, waitFor } from '../cluster/e2e-helpers.js';
import { kubectlExec, REAL_NODE, realNodeGate, realNodeNamespace } from '../cluster/real-node.js';
import { runCli } from './support/cli.js';
import { cli, core, historyJson, KEY, kc, kubeconfig, noSecrets, routerArgs, verifyJson } from './support/day2.js';

const SEED = 'vh-contract.local/model-router:seed';
const created: string[] = [];
afterAll(async () => {
  await deleteNamespaces(kc, created);
});

/** workloads.model-router.podSecurityContext as the seed image needs it: it runs as root. */
const asRoot = (() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vh-real-node-'));
  const file = path.join(dir, 'as-root.yaml');
  writeFileSync(file, 'workloads:\n  model-router:\n    podSecurityContext:\n      runAsNonRoot: false\n      runAsUser: 0\n      runAsGroup: 0\n');
  return file;
})();

async function routerPods(ns: string): Promise<k8s.V1Pod[]> {
  const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/name=model-router' });
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp);
}

async function readyPod(ns: string): Promise<k8s.V1Pod> {
  return waitFor('one ready Model Router pod', async () => {
    const pods = await routerPods(ns);
    return pods.length === 1 && pods[0]!.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? pods[0] : undefined;
  }, { timeoutMs: 60_000 });
}

/** When the node is there: a namespace on it with the PostHog connection written by `cloud`. */
async function routerNamespace(gate: ReturnType<typeof realNodeGate>, prefix: string): Promise<string> {
  if (!(await gate.check())) return '';
  const ns = await realNodeNamespace(kc, prefix);
  created.push(ns);
  const c = await cli(['cloud', '-n', ns, '--region', 'eu', '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
  expect(c.code, c.err).toBe(0);
  return ns;
}

describe('the Model Router with the seed image contract, on a real kubelet', () => {
  let ns: string;
  const gate = realNodeGate(kc);
  beforeAll(async () => {
    ns = await routerNamespace(gate, 'e2e-real-mr');
  });

  it('default security settings (runAsUser 65532): fails fast with runc\'s permission error on ./model-router, from the kubelet', async () => {
    gate.ensure();
    const r = await cli(routerArgs(ns, { image: SEED, extra: ['--replicas', '1'] }));
    expect(r.code, r.out + r.err).toBe(1);
    // The kubelet's reason and runc's message, verbatim.
    expect(r.err).toMatch(/^error: Deployment\/[a-z0-9-]+\/model-router failed: pod model-router-[a-z0-9]+-[a-z0-9]+ \(container model-router\): (RunContainerError|CrashLoopBackOff): .*exec: "\.\/model-router": stat \.\/model-router: permission denied/m);
    // The pod's own event from the kubelet says the same.
    expect(r.err).toMatch(/Warning Failed Pod\/model-router-[a-z0-9]+-[a-z0-9]+: Error: failed to create containerd task: .*stat \.\/model-router: permission denied/);
    // ... and the setting to change.
    expect(r.err).toMatch(/^hint: the user the pod runs as \(securityContext runAsUser\/runAsGroup\) cannot reach the image's program or working directory/m);
    // ... in vh-deploy's own terms: the workload's setting (the hint is wrapped to the terminal width).
    expect(r.err.replace(/\s+/g, ' ')).toContain('vh-deploy sets it with workloads.model-router.podSecurityContext (the pod\'s: runAsUser, runAsGroup, runAsNonRoot, fsGroup) or workloads.model-router.securityContext');
    expect(r.ms, 'fails fast, not at the 90 s timeout').toBeLessThan(30_000);
    const [pod] = await routerPods(ns);
    expect(pod?.spec?.nodeName).toBe(REAL_NODE.name);
    expect(pod?.spec?.securityContext?.runAsUser).toBe(65532);
    noSecrets(r);
  });

  it('with podSecurityContext runAsUser 0 / runAsNonRoot false (config file): Ready on the real node, verify passes through the API server proxy', async () => {
    gate.ensure();
    const r = await cli(routerArgs(ns, { image: SEED, extra: ['--replicas', '1', '--config', asRoot] }));
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^✓ Model Router \/health: HTTP 200 via Service model-router; 1 of 1 pods ok/m);
    const pod = await readyPod(ns);
    expect(pod.spec?.nodeName).toBe(REAL_NODE.name);
    expect(pod.status?.podIP).toMatch(/^10\.245\.0\.\d+$/);
    expect(pod.status?.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    const v = await verifyJson(ns);
    expect(v.code, v.r.out + v.r.err).toBe(0);
    expect(v.doc.checks.filter((c) => c.check.startsWith('Model Router')).map((c) => `${c.check} ${c.status}`)).toEqual([
      'Model Router /health pass',
      'Model Router /ready pass',
      'Model Router /metrics pass',
    ]);
    // The answer is the contract image's, from the container, through the API server's proxy.
    const health = await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/services/model-router:8080/proxy/health`);
    expect(`${health.status} ${health.body.trim()}`).toBe('200 {"status":"healthy","service":"model-router"}');
    // Its real log, through the kubelet.
    const log = await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: ns });
    expect(log).toContain('"msg":"HTTP server listening on 0.0.0.0:8080"');
  });

  it('a config change rolls the pods for real, and rollback puts the old value back into the running container\'s environment', async () => {
    gate.ensure();
    const before = await readyPod(ns);
    const envOf = async (pod: k8s.V1Pod) =>
      (await kubectlExec(kubeconfig, inject('clusterBinDir'), ns, pod.metadata!.name!, ['sh', '-c', 'echo "$DB_HOST"'])).trim();
    expect(await envOf(before)).toBe('pg.data.svc');
    const r = await cli(routerArgs(ns, { image: SEED, extra: ['--replicas', '1', '--config', asRoot, '--db-host', 'pg2.data.svc'] }));
    expect(r.code, r.out + r.err).toBe(0);
    const after = await readyPod(ns);
    expect(after.metadata!.name).not.toBe(before.metadata!.name);
    expect(after.metadata?.annotations?.['vh-deploy.io/config-checksum']).not.toBe(before.metadata?.annotations?.['vh-deploy.io/config-checksum']);
    expect(await envOf(after)).toBe('pg2.data.svc');

    const back = await cli(['rollback', 'model-router', '-n', ns, '--yes', '--timeout', '90s']);
    expect(back.code, back.out + back.err).toBe(0);
    const restored = await waitFor('a new ready pod after the rollback', async () => {
      const p = await readyPod(ns);
      return p.metadata!.name !== after.metadata!.name ? p : undefined;
    });
    expect(await envOf(restored)).toBe('pg.data.svc');
    noSecrets(r, back);
  });

  it('a Secret key removed after the deploy: the new pod of a scale-up stops at CreateContainerConfigError with the kubelet\'s words', async () => {
    gate.ensure();
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'db-creds' }, stringData: { password: 'real-node-db-pw' } } });
    // No VH_DEPLOY_DB_PASSWORD here: the password comes from the Secret.
    const r = await runCli(routerArgs(ns, { image: SEED, extra: ['--replicas', '1', '--config', asRoot, '--db-password-secret', 'db-creds/password'] }), { kubeconfig });
    expect(r.code, r.out + r.err).toBe(0);
    await core.patchNamespacedSecret({ name: 'db-creds', namespace: ns, body: [{ op: 'remove', path: '/data/password' }] }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
    const s = await cli(['scale', 'model-router', '-n', ns, '--replicas', '2', '--timeout', '60s']);
    expect(s.code, s.out + s.err).toBe(1);
    expect(s.err).toMatch(new RegExp(`\\(container model-router\\): CreateContainerConfigError: couldn't find key password in Secret ${ns}/db-creds$`, 'm'));
    expect(s.err).toMatch(new RegExp(`Warning Failed Pod/model-router-[a-z0-9]+-[a-z0-9]+: Error: couldn't find key password in Secret ${ns}/db-creds`));
    expect(s.ms).toBeLessThan(30_000);
    expect(s.out + s.err).not.toContain('real-node-db-pw');
  });
});

describe('failures the kubelet reports, each in vh-deploy\'s report', () => {
  let ns: string;
  const gate = realNodeGate(kc);
  beforeAll(async () => {
    ns = await routerNamespace(gate, 'e2e-real-fail');
  });

  it('a crash loop: the seed Dockerfile\'s own config path bug, with the container\'s real last log line and exit code', async () => {
    gate.ensure();
    const r = await cli(routerArgs(ns, { image: 'vh-contract.local/model-router:no-config', extra: ['--replicas', '1', '--config', asRoot] }));
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.err).toMatch(/\(container model-router\): CrashLoopBackOff: back-off \d+s restarting failed container=model-router pod=model-router-[a-z0-9]+-[a-z0-9]+_[a-z0-9-]+\([0-9a-f-]+\); restarted \d+ times; last exit code 1 \(Error\)$/m);
    expect(r.err).toMatch(/^ {2}last log lines of model-router-[a-z0-9]+-[a-z0-9]+\/model-router:\n {4}\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Failed to load config: failed to read config file: open configs\/model-router\.yaml: no such file or directory$/m);
    expect(r.ms).toBeLessThan(45_000);
  });

  it('an image no registry serves: ErrImagePull/ImagePullBackOff with containerd\'s resolve error', async () => {
    gate.ensure();
    const r = await cli(routerArgs(ns, { image: 'registry.invalid/model-router:1.0.0', extra: ['--replicas', '1', '--config', asRoot] }));
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.err).toMatch(/\(container model-router\): (ErrImagePull|ImagePullBackOff): .*registry\.invalid\/model-router:1\.0\.0/m);
    expect(r.err).toMatch(/failed to (pull and unpack|resolve reference) .*"registry\.invalid\/model-router:1\.0\.0"|Back-off pulling image "registry\.invalid\/model-router:1\.0\.0"/);
    expect(r.ms).toBeLessThan(45_000);
  });

  it('a readiness probe that really fails: /ready answers 404, the deploy times out naming the pod not ready, the kubelet\'s event says why', async () => {
    gate.ensure();
    const r = await cli(routerArgs(ns, { image: 'vh-contract.local/model-router:not-ready', extra: ['--replicas', '1', '--config', asRoot, '--timeout', '25s'] }));
    expect(r.code, r.out + r.err).not.toBe(0);
    expect(r.err).toMatch(/pod model-router-[a-z0-9]+-[a-z0-9]+: running, not ready/);
    // The kubelet's own words, read from the pod's Warning events by vh-deploy at the timeout.
    expect(r.err).toMatch(/^ {6}Warning Unhealthy Pod\/model-router-[a-z0-9]+-[a-z0-9]+: Readiness probe failed: HTTP probe failed with statuscode: 404( \(x\d+\))?$/m);
    const events = await waitFor('the kubelet\'s readiness event', async () => {
      const list = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'reason=Unhealthy' });
      return list.items.find((e) => e.source?.component === 'kubelet' && e.message?.startsWith('Readiness probe failed'));
    });
    expect(events.message).toBe('Readiness probe failed: HTTP probe failed with statuscode: 404');
    const h = (await historyJson(ns)).at(-1)!;
    expect(h.status).toBe('failed');
  });
});
