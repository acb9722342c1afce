/// <reference path="../cluster/inject.d.ts" />
// Issue 11.3–11.4 on the real control plane: Secrets the user keeps (--X-secret) are
// referenced, never copied, checked before any write and by verify; a StorageClass that
// does not exist is exit 2 before any write; a bigger volume of a StatefulSet is found at
// plan time and --recreate converges without deleting a claim or restarting a pod.
import * as k8s from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteNamespaces, waitFor } from '../cluster/e2e-helpers.js';
import { runCli, type CliResult } from './support/cli.js';
import { apps, core, created, kc, kubeconfig, nsName, storedRevisions } from './support/day2.js';

const storage = kc.makeApiClient(k8s.StorageV1Api);
const PW = 'xs-db-p@ss:word/7';
const KEY = 'phc_xsecE2Exsec0123456789abcdef';
const HIDDEN = [PW, encodeURIComponent(PW), KEY, Buffer.from(PW).toString('base64'), Buffer.from(KEY).toString('base64')];
const classes: string[] = [];

afterAll(async () => {
  await deleteNamespaces(kc, created);
  for (const name of classes) await storage.deleteStorageClass({ name }).catch(() => undefined);
});

// No VH_DEPLOY_DB_PASSWORD here: a value and a reference together are refused.
const run = (args: string[], timeoutMs = 150_000) => runCli(args, { kubeconfig, timeoutMs });
const routerArgs = (ns: string, extra: string[]) => [
  'model-router', '-n', ns, '--yes', '--image', 'registry.example.com/model-router:1.4.2', '--db-host', 'pg.data.svc', '--db-user', 'router',
  '--redis-addr', 'redis.data.svc:6379', '--replicas', '1', '--timeout', '90s', ...extra,
];
function hidden(...rs: CliResult[]) {
  for (const r of rs) for (const s of HIDDEN) {
    expect(r.out).not.toContain(s);
    expect(r.err).not.toContain(s);
  }
}
async function namespaceWith(prefix: string, secrets: Record<string, Record<string, string>>): Promise<string> {
  const ns = nsName(prefix);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  for (const [name, data] of Object.entries(secrets)) await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name }, stringData: data } });
  return ns;
}
/** Everything in the namespace but the Secrets the test made and what Kubernetes makes by itself. */
async function writtenObjects(ns: string, own: string[]): Promise<string[]> {
  const [cms, secrets, deployments, sas] = await Promise.all([
    core.listNamespacedConfigMap({ namespace: ns }),
    core.listNamespacedSecret({ namespace: ns }),
    apps.listNamespacedDeployment({ namespace: ns }),
    core.listNamespacedServiceAccount({ namespace: ns }),
  ]);
  return [
    ...cms.items.map((x) => `ConfigMap/${x.metadata!.name}`).filter((n) => n !== 'ConfigMap/kube-root-ca.crt'),
    ...secrets.items.map((x) => `Secret/${x.metadata!.name}`).filter((n) => !own.includes(n.slice(7))),
    ...deployments.items.map((x) => `Deployment/${x.metadata!.name}`),
    ...sas.items.map((x) => `ServiceAccount/${x.metadata!.name}`).filter((n) => n !== 'ServiceAccount/default'),
  ];
}

describe('existing Secrets (--X-secret)', () => {
  it('model-router references the Secrets the user made; nothing vh-deploy writes holds their values; verify checks them', async () => {
    const ns = await namespaceWith('e2e-xsec', { 'pg-creds': { password: PW }, 'ph-key': { POSTHOG_API_KEY: KEY } });
    const r = await run(routerArgs(ns, ['--posthog-host', 'https://eu.i.posthog.com', '--posthog-api-key-secret', 'ph-key', '--db-password-secret', 'pg-creds/password']));
    expect(r.code, r.err).toBe(0);
    hidden(r);
    expect(r.err).toMatch(/DB_PASSWORD\s+from Secret pg-creds, key password/);

    const d = await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns });
    expect(d.spec!.template.spec!.containers[0]!.env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'pg-creds', key: 'password' } } },
      { name: 'DATABASE_URL', value: 'postgres://router:$(DB_PASSWORD)@pg.data.svc:5432/model_router?sslmode=require' },
      { name: 'POSTHOG_API_KEY', valueFrom: { secretKeyRef: { name: 'ph-key', key: 'POSTHOG_API_KEY' } } },
    ]);
    // Every other Secret in the namespace (vh-deploy's own, its revision records): none holds a value.
    const secrets = await core.listNamespacedSecret({ namespace: ns });
    const theirs = secrets.items.filter((s) => !['pg-creds', 'ph-key'].includes(s.metadata!.name!));
    expect(theirs.map((s) => s.metadata!.name).sort()).toEqual(['model-router-posthog', 'model-router-secrets', 'vh-deploy.model-router.v1']);
    const { raw, revisions } = await storedRevisions(ns, 'model-router');
    const text = [JSON.stringify(theirs), ...theirs.flatMap((s) => Object.values(s.data ?? {}).map((v) => Buffer.from(v, 'base64').toString('utf8'))), ...raw].join('\n');
    for (const s of HIDDEN) expect(text).not.toContain(s);
    expect(Object.keys(theirs.find((s) => s.metadata!.name === 'model-router-secrets')!.data ?? {})).toEqual([]);
    expect(Object.keys(theirs.find((s) => s.metadata!.name === 'model-router-posthog')!.data ?? {})).toEqual([]);
    // The revision keeps the references, never the values.
    expect(revisions[0]!.values).toMatchObject({ dbPasswordSecret: 'pg-creds/password', posthogApiKeySecret: 'ph-key' });

    const ok = await run(['verify', 'model-router', '-n', ns, '-o', 'json']);
    hidden(ok);
    const doc = JSON.parse(ok.out) as { checks: Array<{ check: string; status: string; detail: string }> };
    expect(doc.checks.find((c) => c.check === 'Secret pg-creds key password')).toMatchObject({ status: 'pass' });
    expect(doc.checks.find((c) => c.check === 'PostHog connection')?.detail).toBe('https://eu.i.posthog.com, key in Secret ph-key, key POSTHOG_API_KEY');

    // An upgrade re-renders from the recorded references: nothing to read, nothing copied.
    const up = await run(['upgrade', 'model-router', '-n', ns, '--image-tag', '1.4.3', '--timeout', '90s']);
    expect(up.code, up.err).toBe(0);
    hidden(up);
    const d2 = await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns });
    expect(d2.spec!.template.spec!.containers[0]!.image).toBe('registry.example.com/model-router:1.4.3');
    expect(d2.spec!.template.spec!.containers[0]!.env).toEqual(d.spec!.template.spec!.containers[0]!.env);

    // The user's Secret loses its key: verify fails on it, naming Secret and key.
    await core.replaceNamespacedSecret({ name: 'pg-creds', namespace: ns, body: { metadata: { name: 'pg-creds' }, stringData: { other: 'x' } } });
    const bad = await run(['verify', 'model-router', '-n', ns, '-o', 'json']);
    expect(bad.code).toBe(1);
    const badDoc = JSON.parse(bad.out) as typeof doc;
    expect(badDoc.checks.find((c) => c.check === 'Secret pg-creds key password')).toMatchObject({
      status: 'fail',
      detail: `Secret ${ns}/pg-creds has no key password (Deployment/${ns}/model-router env DB_PASSWORD reads it); its keys: other`,
    });
  });

  it('cloud keeps only the reference; the next model-router points its pods at it and verify follows it', async () => {
    const ns = await namespaceWith('e2e-xsec-cloud', { 'pg-creds': { DB_PASSWORD: PW }, 'ph-key': { key: KEY } });
    const c = await run(['cloud', '-n', ns, '--region', 'eu', '--posthog-api-key-secret', 'ph-key/key', '--yes']);
    expect(c.code, c.err).toBe(0);
    expect(c.err).toMatch(/project API key\s+in Secret ph-key, key key/);
    const cm = await core.readNamespacedConfigMap({ name: 'model-router-posthog', namespace: ns });
    expect(cm.metadata!.annotations?.['vh-deploy.io/posthog-api-key-secret']).toBe('ph-key/key');
    expect(Object.keys((await core.readNamespacedSecret({ name: 'model-router-posthog', namespace: ns })).data ?? {})).toEqual([]);
    const r = await run(routerArgs(ns, ['--db-password-secret', 'pg-creds']));
    expect(r.code, r.err).toBe(0);
    hidden(c, r);
    const env = (await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns })).spec!.template.spec!.containers[0]!.env;
    expect(env?.map((e) => [e.name, e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.key])).toEqual([
      ['DB_PASSWORD', 'pg-creds', 'DB_PASSWORD'],
      ['DATABASE_URL', undefined, undefined],
      ['POSTHOG_API_KEY', 'ph-key', 'key'],
    ]);
    const v = await run(['verify', 'all', '-n', ns, '-o', 'json']);
    expect(v.code, v.out).toBe(0);
    hidden(v);
    const doc = JSON.parse(v.out) as { checks: Array<{ check: string; status: string; detail: string }> };
    expect(doc.checks.find((x) => x.check === 'PostHog connection')?.detail).toBe('https://eu.i.posthog.com, key in Secret ph-key, key key');
  });

  it('a missing key, or a value with its reference, is exit 2 before any write', async () => {
    const ns = await namespaceWith('e2e-xsec-miss', { 'pg-creds': { pass: PW } });
    const r = await run(routerArgs(ns, ['--db-password-secret', 'pg-creds/password', '--posthog-host', 'https://eu.i.posthog.com', '--posthog-api-key-secret', 'nope']));
    expect(r.code, r.err).toBe(2);
    hidden(r);
    expect(r.err).toContain(`Secret ${ns}/pg-creds has no key password (Deployment/${ns}/model-router env DB_PASSWORD reads it); its keys: pass`);
    expect(r.err).toContain(`Secret ${ns}/nope does not exist (Deployment/${ns}/model-router env POSTHOG_API_KEY reads its key POSTHOG_API_KEY)`);
    expect(await writtenObjects(ns, ['pg-creds'])).toEqual([]);

    const both = await runCli(routerArgs(ns, ['--db-password-secret', 'pg-creds/pass']), { kubeconfig, env: { VH_DEPLOY_DB_PASSWORD: PW } });
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/^error: --db-password-secret: give --db-password or --db-password-secret, not both$/m);
    expect(await writtenObjects(ns, ['pg-creds'])).toEqual([]);
  });
});

describe('preflight and immutable fields', () => {
  it('a StorageClass that does not exist is exit 2 before any write', async () => {
    const ns = nsName('e2e-nosc');
    const r = await run(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--storage-class', 'no-such-class', '--yes']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/StorageClass no-such-class does not exist \(named by StatefulSet\/e2e-nosc-[a-z0-9-]+\/posthog-[a-z]+ volumeClaimTemplate [a-z-]+\); classes: .*standard/);
    // The plan would have created the namespace: it does not exist.
    await expect(core.readNamespace({ name: ns })).rejects.toMatchObject({ code: 404 });
  });

  it('an IngressClass that does not exist is exit 2 before any write', async () => {
    const ns = await namespaceWith('e2e-noic', { 'pg-creds': { DB_PASSWORD: PW } });
    const r = await run(routerArgs(ns, ['--db-password-secret', 'pg-creds', '--posthog-host', 'https://eu.i.posthog.com', '--posthog-api-key-secret', 'pg-creds/DB_PASSWORD', '--domain', 'router.e2e.example.com', '--tls-issuer', 'letsencrypt', '--ingress-class', 'no-such-ingress']));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`IngressClass no-such-ingress does not exist (named by Ingress/${ns}/model-router)`);
    expect(await writtenObjects(ns, ['pg-creds'])).toEqual([]);
  });

  it('a bigger volume is found at plan time; --recreate grows the claims and converges without deleting a claim or restarting a pod', async () => {
    const sc = `e2e-expand-${Date.now().toString(36)}`;
    classes.push(sc);
    await storage.createStorageClass({ body: { metadata: { name: sc }, provisioner: 'kubernetes.io/host-path', allowVolumeExpansion: true, volumeBindingMode: 'Immediate' } });
    const ns = nsName('e2e-grow');
    const base = ['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--storage-class', sc, '--yes', '--timeout', '3m'];
    const first = await run(base, 240_000);
    expect(first.code, first.err).toBe(0);

    const redis = await apps.readNamespacedStatefulSet({ name: 'posthog-redis', namespace: ns });
    const template = redis.spec!.volumeClaimTemplates![0]!;
    const claim = `${template.metadata!.name}-posthog-redis-0`;
    const size = template.spec!.resources!.requests!.storage as string;
    const bigger = `${Number(/^(\d+)Gi$/.exec(size)![1]) * 2}Gi`;
    const uids = async () => {
      const [pods, pvcs] = await Promise.all([core.listNamespacedPod({ namespace: ns }), core.listNamespacedPersistentVolumeClaim({ namespace: ns })]);
      return {
        pods: Object.fromEntries(pods.items.filter((p) => !p.metadata!.deletionTimestamp).map((p) => [p.metadata!.name!, p.metadata!.uid!])),
        pvcs: Object.fromEntries(pvcs.items.map((p) => [p.metadata!.name!, p.metadata!.uid!])),
      };
    };
    const before = await uids();
    const stsUid = redis.metadata!.uid;

    // Without --recreate: reported at plan time, exit 2, nothing changed.
    const grow = [...base, '--set', `workloads.redis.storage.size=${bigger}`];
    const refused = await run(grow);
    expect(refused.code, refused.err).toBe(2);
    expect(refused.err).toContain(`StatefulSet/${ns}/posthog-redis spec.volumeClaimTemplates[${template.metadata!.name}].resources.requests.storage: ${size} → ${bigger}`);
    expect(refused.err).toMatch(/--recreate/);
    expect((await apps.readNamespacedStatefulSet({ name: 'posthog-redis', namespace: ns })).metadata!.uid).toBe(stsUid);

    const r = await run([...grow, '--recreate'], 240_000);
    expect(r.code, r.err).toBe(0);
    const after = await uids();
    const sts = await apps.readNamespacedStatefulSet({ name: 'posthog-redis', namespace: ns });
    expect(sts.metadata!.uid).not.toBe(stsUid);
    expect(sts.spec!.volumeClaimTemplates![0]!.spec!.resources!.requests!.storage).toBe(bigger);
    expect((await core.readNamespacedPersistentVolumeClaim({ name: claim, namespace: ns })).spec!.resources!.requests!.storage).toBe(bigger);
    // No claim deleted, no pod restarted: the same uids, the redis pod adopted by the new StatefulSet.
    expect(after.pvcs).toEqual(before.pvcs);
    expect(after.pods).toEqual(before.pods);
    // The StatefulSet controller adopts the orphaned pod on its own schedule (seen lagging
    // the end of the run under load); it must happen, so wait for it, then assert.
    const owners = async () => (await core.readNamespacedPod({ name: 'posthog-redis-0', namespace: ns })).metadata!.ownerReferences?.map((o) => o.uid);
    await waitFor('the new StatefulSet to adopt posthog-redis-0', async () => (await owners())?.length ? true : undefined, { timeoutMs: 30_000 }).catch(() => undefined);
    expect(await owners()).toEqual([sts.metadata!.uid]);
  });
});
