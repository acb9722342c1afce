/// <reference path="../cluster/inject.d.ts" />
// Per-workload settings, --set and --patch against the API server (docs/customising.md):
// what a config file and --set give lands on the pods, is recorded and kept by a plain
// re-run; a patch changes a field the settings do not cover; a reserved setting is exit 2
// with nothing written.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { apps, cli, core, created, KEY, kc, noSecrets, nsName, routerArgs, storedRevisions } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

const dir = mkdtempSync(join(tmpdir(), 'vh-e2e-settings-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const CONFIG = file(
  'settings.yaml',
  `imagePullSecrets: [regcred]
workloads:
  model-router:
    resources:
      limits: {cpu: "1"}
    nodeSelector: {type: kwok}
    tolerations:
      - {key: dedicated, operator: Exists, effect: NoSchedule}
    env:
      FROM_CONFIG: "yes"
`,
);
const SETS = ['--set', 'workloads.model-router.env.FROM_SET=set-value,workloads.model-router.resources.requests.memory=600Mi', '--set', 'workloads.model-router.podLabels.team=ml'];

type Any = Record<string, any>;
async function routerPods(ns: string): Promise<Any[]> {
  const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/name=model-router' });
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp) as unknown as Any[];
}

/** Every setting of CONFIG and SETS, on one pod. */
function expectSettings(pod: Any): void {
  const c = pod.spec.containers.find((x: Any) => x.name === 'model-router');
  expect(pod.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  expect(pod.spec.nodeSelector).toEqual({ type: 'kwok' });
  expect(pod.spec.tolerations).toContainEqual({ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' });
  expect(c.resources).toEqual({ requests: { cpu: '500m', memory: '600Mi' }, limits: { cpu: '1', memory: '2Gi' } });
  expect(c.env).toEqual(expect.arrayContaining([{ name: 'FROM_CONFIG', value: 'yes' }, { name: 'FROM_SET', value: 'set-value' }]));
  expect(pod.metadata.labels.team).toBe('ml');
}

describe('settings from a config file and --set land on the pods', () => {
  let ns: string;
  it('deploy: imagePullSecrets, resources, nodeSelector, tolerations, env and a pod label on every pod; the report says the security in force', async () => {
    ns = nsName('e2e-settings');
    const c = await cli(['cloud', '-n', ns, '--region', 'eu', '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(c.code, c.err).toBe(0);
    const r = await cli(routerArgs(ns, { extra: ['--config', CONFIG, ...SETS, '-o', 'json'] }));
    expect(r.code, r.err).toBe(0);
    noSecrets(c, r);
    const doc = JSON.parse(r.out) as { ok: boolean; security: Record<string, string>; sources: Record<string, string> };
    expect(doc.ok).toBe(true);
    expect(doc.security).toEqual({ 'model-router': 'runAsNonRoot uid 65532 gid 65532, read-only root fs, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault' });
    expect(doc.sources).toMatchObject({ workloads: 'flag', imagePullSecrets: 'config' });
    const pods = await routerPods(ns);
    expect(pods.length).toBe(3);
    for (const p of pods) expectSettings(p);
    const { revisions } = await storedRevisions(ns, 'model-router');
    expect(revisions.at(-1)!.values).toMatchObject({
      imagePullSecrets: ['regcred'],
      workloads: { 'model-router': { nodeSelector: { type: 'kwok' }, env: { FROM_CONFIG: 'yes', FROM_SET: 'set-value' }, podLabels: { team: 'ml' } } },
    });
  });

  it('a plain re-run (no config, no --set) keeps them: nothing changes, the summary says where they came from', async () => {
    const r = await cli(routerArgs(ns));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^ {2}model-router +resources requests\.memory=600Mi, limits\.cpu=1; nodeSelector type=kwok; 1 toleration; env FROM_CONFIG, FROM_SET; podLabels team=ml \(from revision 1\)$/m);
    expect(r.err).toMatch(/^ {2}security +runAsNonRoot uid 65532 gid 65532, read-only root fs, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault \(default\)$/m);
    expect(r.err).toMatch(/^ {2}pull secrets +regcred \(from revision 1\)$/m);
    const d = await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns });
    expectSettings(d.spec!.template as unknown as Any);
    const { revisions } = await storedRevisions(ns, 'model-router');
    expect(revisions.length).toBe(2);
    expect(revisions.at(-1)!.values).toMatchObject({ imagePullSecrets: ['regcred'], workloads: { 'model-router': { nodeSelector: { type: 'kwok' } } } });
  });

  it('a patch file changes what the settings do not cover, and is recorded', async () => {
    const patch = file(
      'patch.yaml',
      `- target: {kind: Deployment, name: model-router}
  merge:
    spec: {minReadySeconds: 3}
- target: {kind: Deployment, name: model-router}
  json:
    - {op: replace, path: /spec/template/spec/terminationGracePeriodSeconds, value: 45}
`,
    );
    const r = await cli(routerArgs(ns, { extra: ['--patch', patch, '-o', 'json'] }));
    expect(r.code, r.err).toBe(0);
    const d = await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns });
    expect(d.spec!.minReadySeconds).toBe(3);
    expect(d.spec!.template.spec!.terminationGracePeriodSeconds).toBe(45);
    // The settings given earlier are still there.
    expectSettings(d.spec!.template as unknown as Any);
    const { revisions } = await storedRevisions(ns, 'model-router');
    expect(revisions.at(-1)!.values.patches).toEqual([
      { target: { kind: 'Deployment', name: 'model-router' }, merge: { spec: { minReadySeconds: 3 } } },
      { target: { kind: 'Deployment', name: 'model-router' }, json: [{ op: 'replace', path: '/spec/template/spec/terminationGracePeriodSeconds', value: 45 }] },
    ]);
  });
});

describe("the Model Router's hardened defaults are adjustable (issue 10.6)", () => {
  it('run as root with a writable root fs, as the seed image needs: the pods carry it and the report says so', async () => {
    const ns = nsName('e2e-security');
    const sets = ['--set', 'workloads.model-router.podSecurityContext.runAsNonRoot=false,workloads.model-router.podSecurityContext.runAsUser=0,workloads.model-router.podSecurityContext.runAsGroup=0', '--set', 'workloads.model-router.securityContext.readOnlyRootFilesystem=false'];
    const r = await cli(routerArgs(ns, { extra: ['--posthog-host', 'https://eu.i.posthog.com', '--replicas', '1', ...sets, '-o', 'json'] }), { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(r.code, r.err).toBe(0);
    noSecrets(r);
    expect((JSON.parse(r.out) as { security: Record<string, string> }).security).toEqual({ 'model-router': 'root gid 0, writable root fs, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault' });
    const [pod] = await routerPods(ns);
    expect(pod!.spec.securityContext).toEqual({ runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod!.spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } });
  });
});

describe('reserved settings: exit 2, nothing written', () => {
  const own = ['--posthog-host', 'https://eu.i.posthog.com'];
  const selectorPatch = file('selector.yaml', '- target: {kind: Deployment, name: model-router}\n  merge: {spec: {selector: {matchLabels: {tier: x}}}}\n');
  const cases: Array<[string, string[], RegExp]> = [
    ['a label vh-deploy manages', ['--set', 'workloads.model-router.podLabels.app\\.kubernetes\\.io/name=x'], /^error: workloads\.model-router\.podLabels\.app\.kubernetes\.io\/name \(from --set\): app\.kubernetes\.io\/\* pod labels are reserved/m],
    ['the config checksum annotation', ['--set', 'workloads.model-router.podAnnotations.vh-deploy\\.io/config-checksum=x'], /vh-deploy\.io\/\* pod annotations are reserved/],
    ['an env name vh-deploy sets', ['--set', 'workloads.model-router.env.DB_HOST=elsewhere'], /^error: workloads\.model-router\.env\.DB_HOST: vh-deploy sets DB_HOST itself \(ConfigMap model-router-config\)/m],
    ['a patch on the selector', ['--patch', selectorPatch], /^error: patches\[0\] \(Deployment\/model-router, merge\): changes spec\.selector/m],
    ['a bad value, named by its key path', ['--set', 'workloads.model-router.resources.limits.cpu=lots'], /^error: workloads\.model-router\.resources\.limits\.cpu \(from --set\): expected a Kubernetes quantity/m],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const ns = nsName('e2e-reserved');
      const r = await cli(routerArgs(ns, { extra: [...own, ...args] }), { VH_DEPLOY_POSTHOG_API_KEY: KEY });
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(message);
      await expect(core.readNamespace({ name: ns })).rejects.toMatchObject({ code: 404 });
    });
  }
});
