/// <reference path="../cluster/inject.d.ts" />
// `vh-deploy uninstall` on the real control plane (issue 11.5, docs/day2.md "Uninstall"):
// - self-hosted PostHog: --dry-run writes nothing; uninstall deletes every object but the
//   volume claims and the generated Secret, waits until they (and their pods) are gone,
//   records an `uninstalled` revision; a later `self-hosted` reuses the kept Secret
//   (same data) and claims (same uids) and verify passes; after another uninstall,
//   `rollback` re-deploys the last successful revision; --delete-data without a
//   terminal or --yes is exit 2 with nothing deleted; --delete-data --yes leaves no
//   vh-deploy object but the stack's history;
// - a ConfigMap another field manager created in that namespace survives both;
// - Model Router: `uninstall cloud` names the Model Router that reads the connection it
//   would delete; a recorded object re-created by another field manager is left alone and
//   named; the PostHog connection `cloud` owns survives; `rollback` after the uninstall is
//   refused (its Secret is gone; values are never recorded), nothing written;
// - deletes are foreground: a pod held by a finalizer keeps its Deployment, which is named
//   with the finalizer at --timeout (exit 1, revision failed); once the pod can go, a
//   re-run finishes the job.
import { afterAll, describe, expect, it } from 'vitest';
import { apiRequest, deleteNamespaces } from '../cluster/e2e-helpers.js';
import { apps, cli, core, created, deployRouter, historyJson, kc, nsName, noSecrets } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

interface UninstallDoc {
  ok: boolean;
  dryRun: boolean;
  revision?: number;
  deleted: string[];
  kept: Array<{ ref: string; reason: string }>;
  removeKept: string[];
  skipped: Array<{ ref: string; reason: string }>;
  namespaceState?: { name: string; createdByVhDeploy: boolean; others: string[]; otherCount: number; checked: boolean };
}

/** Every object of the namespace, of the kinds a stack makes, as `Kind/name`, sorted. */
async function inventory(ns: string): Promise<string[]> {
  const kinds: Array<[string, string]> = [
    ['/api/v1', 'pods'],
    ['/api/v1', 'services'],
    ['/api/v1', 'configmaps'],
    ['/api/v1', 'secrets'],
    ['/api/v1', 'persistentvolumeclaims'],
    ['/api/v1', 'serviceaccounts'],
    ['/apis/apps/v1', 'deployments'],
    ['/apis/apps/v1', 'replicasets'],
    ['/apis/apps/v1', 'statefulsets'],
    ['/apis/batch/v1', 'jobs'],
    ['/apis/networking.k8s.io/v1', 'ingresses'],
    ['/apis/networking.k8s.io/v1', 'networkpolicies'],
    ['/apis/policy/v1', 'poddisruptionbudgets'],
    ['/apis/autoscaling/v2', 'horizontalpodautoscalers'],
    ['/apis/coordination.k8s.io/v1', 'leases'],
  ];
  const out: string[] = [];
  for (const [prefix, plural] of kinds) {
    const r = await apiRequest(kc, 'GET', `${prefix}/namespaces/${ns}/${plural}`);
    expect(r.status, `${plural}: ${r.body}`).toBe(200);
    for (const it of (JSON.parse(r.body) as { items: Array<{ metadata: { name: string; labels?: Record<string, string> } }> }).items) out.push(`${plural}/${it.metadata.name}`);
  }
  return out.filter((x) => x !== 'configmaps/kube-root-ca.crt' && x !== 'serviceaccounts/default').sort();
}

const claims = ['data-posthog-clickhouse-0', 'data-posthog-kafka-0', 'data-posthog-postgres-0', 'data-posthog-redis-0', 'data-posthog-zookeeper-0'];

describe('uninstall self-hosted PostHog', () => {
  const ns = nsName('e2e-uninst-ph');
  const deploy = ['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--yes', '--timeout', '2m'];
  let secretData: Record<string, string> | undefined;
  let claimUids: Record<string, string | undefined> = {};
  let deployed: string[] = [];
  const revisionsIn = (inv: string[]) => inv.filter((x) => x.startsWith('secrets/vh-deploy.posthog.v'));

  it('deploys; a ConfigMap made by another field manager sits beside it', async () => {
    const r = await cli(deploy);
    expect(r.code, r.err).toBe(0);
    secretData = (await core.readNamespacedSecret({ name: 'posthog-secrets', namespace: ns })).data;
    claimUids = Object.fromEntries(await Promise.all(claims.map(async (c) => [c, (await core.readNamespacedPersistentVolumeClaim({ name: c, namespace: ns })).metadata?.uid] as const)));
    await core.createNamespacedConfigMap({ namespace: ns, fieldManager: 'e2e-bystander', body: { metadata: { name: 'bystander' }, data: { a: '1' } } });
    deployed = await inventory(ns);
    expect(deployed).toContain('configmaps/bystander');
    expect(deployed).toContain('deployments/posthog-web');
  });

  it('--dry-run lists what would go and what would stay, and writes nothing', async () => {
    const r = await cli(['uninstall', 'posthog', '-n', ns, '--dry-run', '-o', 'json']);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as UninstallDoc;
    expect(doc.dryRun).toBe(true);
    expect(doc.deleted).toContain(`Deployment/${ns}/posthog-web`);
    expect(doc.deleted.indexOf(`Ingress/${ns}/posthog`)).toBe(0);
    expect(doc.deleted).not.toContain(`Secret/${ns}/posthog-secrets`);
    expect(doc.kept.map((k) => `${k.ref} ${k.reason}`).sort()).toEqual([
      `Namespace/${ns} namespace`,
      ...claims.map((c) => `PersistentVolumeClaim/${ns}/${c} volumeClaim`),
      `Secret/${ns}/posthog-secrets generatedSecret`,
    ]);
    expect(await inventory(ns)).toEqual(deployed);
  });

  it('uninstall deletes everything but the claims and the generated Secret (pods included), in reverse order, and records an uninstalled revision', async () => {
    const r = await cli(['uninstall', 'posthog', '-n', ns, '-o', 'json', '--timeout', '2m']);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as UninstallDoc;
    expect(doc).toMatchObject({ ok: true, dryRun: false, revision: 2, skipped: [] });
    expect([...doc.removeKept].sort()).toEqual([`kubectl delete pvc -n ${ns} ${claims.join(' ')}`, `kubectl delete secret -n ${ns} posthog-secrets`]);
    // The Deployments go before the migration Job, the Job before the data stores, and those before their Services.
    const at = (ref: string) => doc.deleted.indexOf(ref);
    const job = doc.deleted.find((x) => x.startsWith(`Job/${ns}/posthog-migrate-`))!;
    expect(at(`Deployment/${ns}/posthog-web`)).toBeLessThan(at(job));
    expect(at(job)).toBeLessThan(at(`StatefulSet/${ns}/posthog-postgres`));
    expect(at(`StatefulSet/${ns}/posthog-kafka`)).toBeLessThan(at(`StatefulSet/${ns}/posthog-zookeeper`));
    expect(at(`StatefulSet/${ns}/posthog-zookeeper`)).toBeLessThan(at(`Service/${ns}/posthog-postgres`));
    const left = await inventory(ns);
    expect(left.filter((x) => !x.startsWith('secrets/vh-deploy.posthog.v'))).toEqual([
      'configmaps/bystander',
      ...claims.map((c) => `persistentvolumeclaims/${c}`),
      'secrets/posthog-secrets',
    ]);
    expect(revisionsIn(left)).toEqual(['secrets/vh-deploy.posthog.v1', 'secrets/vh-deploy.posthog.v2']);
    expect((await historyJson(ns, 'posthog')).map((h) => `${h.revision} ${h.status} ${h.command}`)).toEqual(['1 superseded self-hosted', '2 uninstalled uninstall']);
    const v = await cli(['verify', 'posthog', '-n', ns]);
    expect(v.code).toBe(1);
    expect(v.out + v.err).toContain(`posthog was uninstalled from ${ns} (revision 2)`);
  });

  it('a later self-hosted reuses the kept Secret and claims: same data, same volumes, verify passes', async () => {
    const r = await cli(deploy);
    expect(r.code, r.err).toBe(0);
    expect((await core.readNamespacedSecret({ name: 'posthog-secrets', namespace: ns })).data).toEqual(secretData);
    for (const c of claims) expect((await core.readNamespacedPersistentVolumeClaim({ name: c, namespace: ns })).metadata?.uid, c).toBe(claimUids[c]);
    for (const v of Object.values(secretData ?? {})) expect(r.out + r.err).not.toContain(Buffer.from(v, 'base64').toString());
    const v = await cli(['verify', 'posthog', '-n', ns]);
    expect(v.code, v.out + v.err).toBe(0);
    expect((await historyJson(ns, 'posthog')).map((h) => `${h.revision} ${h.status}`)).toEqual(['1 superseded', '2 uninstalled', '3 deployed']);
  });

  it('rollback after an uninstall re-deploys the last successful revision (as helm rollback after uninstall --keep-history), its kept Secret unchanged', async () => {
    const u = await cli(['uninstall', 'posthog', '-n', ns, '--timeout', '2m']);
    expect(u.code, u.err).toBe(0);
    expect((await apps.listNamespacedDeployment({ namespace: ns })).items).toEqual([]);
    const r = await cli(['rollback', 'posthog', '-n', ns, '--timeout', '2m']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/posthog rolled back to revision 3 \(recorded as revision 5\)/);
    expect((await apps.listNamespacedDeployment({ namespace: ns })).items.map((d) => d.metadata?.name).sort()).toEqual(['posthog-plugins', 'posthog-web', 'posthog-worker']);
    expect((await core.readNamespacedSecret({ name: 'posthog-secrets', namespace: ns })).data).toEqual(secretData);
    expect((await historyJson(ns, 'posthog')).map((h) => `${h.revision} ${h.status} ${h.command}`)).toEqual([
      '1 superseded self-hosted',
      '2 uninstalled uninstall',
      '3 superseded self-hosted',
      '4 rolled-back uninstall',
      '5 deployed rollback',
    ]);
  });

  it('--delete-data without a terminal and without --yes is exit 2 before anything is read or deleted', async () => {
    const before = await inventory(ns);
    const r = await cli(['uninstall', 'posthog', '-n', ns, '--delete-data']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --delete-data: .*run it on a terminal \(you type the namespace\), or pass --yes$/m);
    expect(await inventory(ns)).toEqual(before);
  });

  it('--delete-data --yes leaves no vh-deploy object but the history; the bystander survives; the namespace is kept and said to hold it', async () => {
    const r = await cli(['uninstall', 'posthog', '-n', ns, '--delete-data', '--yes', '--timeout', '2m']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`^posthog uninstalled from namespace ${ns} \\(recorded as revision 6\\): \\d+ deleted`, 'm'));
    expect(r.out).toContain(`namespace ${ns} kept: it holds 1 other object (ConfigMap/${ns}/bystander)`);
    expect(r.out).not.toContain('kept (data)');
    const left = await inventory(ns);
    expect(left.filter((x) => !x.startsWith('secrets/vh-deploy.posthog.v'))).toEqual(['configmaps/bystander']);
    // Nothing labelled as vh-deploy's is left but the revision records (the history).
    const labelled = await core.listNamespacedSecret({ namespace: ns, labelSelector: 'app.kubernetes.io/managed-by=vh-deploy' });
    expect(labelled.items.every((s) => s.type === 'vh-deploy.io/revision')).toBe(true);
    expect((await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app.kubernetes.io/managed-by=vh-deploy' })).items).toEqual([]);
    expect((await core.readNamespacedConfigMap({ name: 'bystander', namespace: ns })).data).toEqual({ a: '1' });
    expect((await historyJson(ns, 'posthog')).map((h) => `${h.revision} ${h.status} ${h.description}`).at(-1)).toBe('6 uninstalled uninstall, data deleted');
  });
});

describe('uninstall Model Router', () => {
  it('leaves alone a recorded object another manager re-created and the connection cloud owns; rollback afterwards is refused, nothing written', async () => {
    const ns = await deployRouter('e2e-uninst-mr');
    // Uninstalling the connection the Model Router reads warns (dry run: nothing written).
    const c = await cli(['uninstall', 'cloud', '-n', ns, '--dry-run', '-o', 'json']);
    expect(c.code, c.err).toBe(0);
    expect((JSON.parse(c.out) as { readers: unknown }).readers).toEqual([
      { reader: `Deployment/${ns}/model-router`, reads: `ConfigMap/${ns}/model-router-posthog` },
      { reader: `Deployment/${ns}/model-router`, reads: `Secret/${ns}/model-router-posthog` },
    ]);
    expect(c.err).toContain(`warning: Deployment/${ns}/model-router stays and reads ConfigMap/${ns}/model-router-posthog, which this uninstall deletes: its new pods will not start`);
    // The NetworkPolicy deleted and re-created by hand (same name and labels, another field manager).
    const np = await apiRequest(kc, 'GET', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/model-router`);
    const body = JSON.parse(np.body) as { metadata: Record<string, unknown>; spec: unknown };
    expect((await apiRequest(kc, 'DELETE', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/model-router`)).status).toBe(200);
    const again = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'model-router', labels: body.metadata.labels }, spec: body.spec };
    expect((await apiRequest(kc, 'POST', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies?fieldManager=e2e-by-hand`, again)).status).toBe(201);

    const r = await cli(['uninstall', 'model-router', '-n', ns, '-o', 'json', '--timeout', '90s']);
    expect(r.code, r.err).toBe(0);
    noSecrets(r);
    const doc = JSON.parse(r.out) as UninstallDoc;
    expect(doc.skipped).toEqual([{ ref: `NetworkPolicy/${ns}/model-router`, reason: "not vh-deploy's: made by e2e-by-hand" }]);
    expect(doc.kept.map((k) => k.ref)).toEqual([`Namespace/${ns}`]);
    expect(doc.deleted).toContain(`Secret/${ns}/model-router-secrets`);
    const left = (await inventory(ns)).filter((x) => !x.startsWith('secrets/vh-deploy.'));
    // The connection `cloud` wrote (stack posthog-connection) stays.
    expect(left).toEqual(['configmaps/model-router-posthog', 'networkpolicies/model-router', 'secrets/model-router-posthog']);
    expect((await apps.listNamespacedDeployment({ namespace: ns })).items).toEqual([]);

    const before = await inventory(ns);
    const rb = await cli(['rollback', 'model-router', '-n', ns, '--yes']);
    expect(rb.code).toBe(1);
    expect(rb.err).toContain(`cannot roll model-router back to revision 1: Secret/${ns}/model-router-secrets no longer exists (model-router was uninstalled at revision 2)`);
    expect(rb.err).toContain('vh-deploy model-router');
    expect(await inventory(ns)).toEqual(before);
  });
});

describe('uninstall and a finalizer', () => {
  /** Sets a pod's finalizers (read and replace; retried when the pod changed meanwhile). */
  async function setPodFinalizers(ns: string, name: string, finalizers: string[]): Promise<void> {
    for (let i = 0; ; i++) {
      const pod = await core.readNamespacedPod({ name, namespace: ns });
      try {
        await core.replaceNamespacedPod({ name, namespace: ns, body: { ...pod, metadata: { ...pod.metadata, finalizers } } });
        return;
      } catch (e) {
        if (i >= 5) throw e;
      }
    }
  }

  it('waits for the pods too: a pod held by a finalizer keeps its Deployment (foreground deletion) and is named at --timeout (exit 1, revision failed); a re-run after it went finishes', async () => {
    const ns = await deployRouter('e2e-uninst-fin');
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/name=model-router' });
    const pod = pods.items[0]!.metadata!.name!;
    await setPodFinalizers(ns, pod, ['e2e.example.com/hold']);
    const r = await cli(['uninstall', 'model-router', '-n', ns, '--timeout', '8s']);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain(`Deployment/${ns}/model-router: held by finalizer foregroundDeletion (its dependents, pods and ReplicaSets, are still being deleted)`);
    expect(r.err).toMatch(/re-run the same command to go on/);
    expect((await historyJson(ns)).map((h) => `${h.revision} ${h.status} ${h.command}`)).toEqual(['1 deployed model-router', '2 failed uninstall']);
    await setPodFinalizers(ns, pod, []);
    const again = await cli(['uninstall', 'model-router', '-n', ns, '--timeout', '60s']);
    expect(again.code, again.err).toBe(0);
    expect((await core.listNamespacedPod({ namespace: ns })).items.map((p) => p.metadata?.name)).toEqual([]);
    expect((await apps.listNamespacedDeployment({ namespace: ns })).items).toEqual([]);
    expect((await historyJson(ns)).map((h) => `${h.revision} ${h.status}`)).toEqual(['1 superseded', '2 failed', '3 uninstalled']);
  });
});
