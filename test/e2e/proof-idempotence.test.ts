/// <reference path="../cluster/inject.d.ts" />
// Proof, part 4 (issue 6): idempotence and drift. A second run changes nothing (no
// resourceVersion of a managed object moves; only a revision record is added). A field
// someone changed by hand with another field manager is a conflict naming the manager,
// the field and --force-conflicts, with nothing written (docs/architecture.md rule 4: no silent
// force); --force-conflicts restores the value. Drift in what nobody else owns (a deleted
// object) is restored by a plain re-run; fields vh-deploy does not manage are left alone.
import { describe, expect, inject, it } from 'vitest';
import { loadKubeConfig, namespaceNames, waitFor } from '../cluster/e2e-helpers.js';
import { runCli } from './support/cli.js';
import { apiPatch, errorLine } from './support/proof.js';
import { getJson, snapshot } from './support/snapshot.js';

const kubeconfig = inject('kubeconfig');
const kc = loadKubeConfig(kubeconfig);
const nsName = namespaceNames(kc);

const KEY = 'phc_idempotentIDEMPOTENT0123456';
const cloudEnv = { VH_DEPLOY_POSTHOG_API_KEY: KEY };
const routerEnv = { VH_DEPLOY_DB_PASSWORD: 'idem-db-password-1' };
const routerArgs = (ns: string, extra: string[] = []) => ['model-router', '-n', ns, '--yes', '--image', 'registry.example.com/model-router:1.4.2', '--db-host', 'pg.data.svc', '--db-user', 'router', '--redis-addr', 'redis.data.svc:6379', '--timeout', '60s', ...extra];

/** Runs the CLI and expects success, showing its stderr otherwise. */
async function ok(args: string[], o: Parameters<typeof runCli>[1]): Promise<void> {
  const r = await runCli(args, o);
  expect(r.code, r.err).toBe(0);
}

interface JsonReport {
  ok: boolean;
  objects: Array<{ ref: string; action: string }>;
}
const changedIn = (out: string) => (JSON.parse(out) as JsonReport).objects.filter((o) => o.action !== 'unchanged');

interface Managed {
  metadata: { resourceVersion: string; managedFields?: Array<{ manager: string; operation: string; fieldsV1?: unknown }> };
  data?: Record<string, string>;
  spec?: { replicas?: number; template?: { spec?: { containers?: Array<{ name: string; image: string }> } } };
}
const ownerOf = (o: Managed, fieldPath: (f: Record<string, unknown>) => unknown) =>
  (o.metadata.managedFields ?? []).filter((m) => fieldPath((m.fieldsV1 ?? {}) as Record<string, unknown>) !== undefined).map((m) => m.manager);

describe('a second run changes nothing', () => {
  const ns = nsName('proof-idem');

  it('cloud: same objects, same resourceVersions, every object "unchanged"', async () => {
    await ok(['cloud', '-n', ns, '--region', 'eu', '--yes'], { kubeconfig, env: cloudEnv });
    const before = await snapshot(kc, ns);
    const r = await runCli(['-o', 'json', 'cloud', '-n', ns, '--region', 'eu', '--yes'], { kubeconfig, env: cloudEnv });
    expect(r.code, r.err).toBe(0);
    expect(changedIn(r.out)).toEqual([]);
    const after = await snapshot(kc, ns);
    expect(after.objects).toEqual(before.objects);
    // The only write is the revision record of the run itself.
    expect(after.revisions.length - before.revisions.length).toBeLessThanOrEqual(1);
  });

  it('model-router: same objects, same resourceVersions, no new ReplicaSet', async () => {
    await ok(routerArgs(ns), { kubeconfig, env: routerEnv });
    const before = await snapshot(kc, ns);
    const r = await runCli(['-o', 'json', ...routerArgs(ns)], { kubeconfig, env: routerEnv });
    expect(r.code, r.err).toBe(0);
    expect(changedIn(r.out)).toEqual([]);
    expect((await snapshot(kc, ns)).objects).toEqual(before.objects);
  });

  it('after converging, the server dry run plans nothing and diff shows nothing', async () => {
    const dry = await runCli(['-o', 'json', ...routerArgs(ns), '--dry-run=server'], { kubeconfig, env: routerEnv });
    expect(dry.code, dry.err).toBe(0);
    expect(changedIn(dry.out)).toEqual([]);
    const diff = await runCli(['-o', 'json', 'diff', ...routerArgs(ns)], { kubeconfig, env: routerEnv });
    expect(diff.code, diff.err).toBe(0);
    expect((JSON.parse(diff.out) as { changes: unknown[] }).changes).toEqual([]);
    const cloudDiff = await runCli(['diff', 'cloud', '-n', ns, '--region', 'eu', '--yes'], { kubeconfig, env: cloudEnv });
    expect(cloudDiff.code, cloudDiff.err).toBe(0);
    expect(cloudDiff.out.trim()).toBe('');
  });

  it('upgrade to the version already running changes nothing', async () => {
    const first = await runCli(['upgrade', 'model-router', '-n', ns, '--image-tag', '1.4.3', '--timeout', '60s'], { kubeconfig });
    expect(first.code, first.err).toBe(0);
    // The upgrade returns once the rollout is complete; the controllers may still write the
    // Deployment's and ReplicaSet's status a moment later. Take the snapshot once they rest
    // (two reads 1 s apart agree): the question is what the second upgrade changes.
    let before = await snapshot(kc, ns);
    await waitFor('the controllers to stop writing status', async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = await snapshot(kc, ns);
      const rested = JSON.stringify(now.objects) === JSON.stringify(before.objects);
      before = now;
      return rested;
    }, { timeoutMs: 20_000, intervalMs: 0 });
    const again = await runCli(['upgrade', 'model-router', '-n', ns, '--image-tag', '1.4.3', '--timeout', '60s', '-o', 'json'], { kubeconfig });
    expect([0], again.err).toContain(again.code);
    expect((await snapshot(kc, ns)).objects).toEqual(before.objects);
  });
});

describe('drift: a hand edit by another field manager', () => {
  it('ConfigMap: conflict names kubectl-edit and .data.POSTHOG_HOST, writes nothing; --force-conflicts restores', async () => {
    const ns = nsName('proof-drift-cm');
    await ok(['cloud', '-n', ns, '--region', 'eu', '--yes'], { kubeconfig, env: cloudEnv });
    const path = `/api/v1/namespaces/${ns}/configmaps/model-router-posthog`;
    const edit = await apiPatch(kc, path, { data: { POSTHOG_HOST: 'https://hand-edited.example.com' } }, { fieldManager: 'kubectl-edit' });
    expect(edit.status, edit.body).toBe(200);
    const edited = (await getJson<Managed>(kc, path))!;
    const before = await snapshot(kc, ns);

    const r = await runCli(['cloud', '-n', ns, '--region', 'eu', '--yes'], { kubeconfig, env: cloudEnv });
    expect(r.code, r.err).toBe(1);
    const line = errorLine(r.err)!;
    expect(line).toMatch(/ConfigMap\/.*model-router-posthog/);
    expect(line).toMatch(/"kubectl-edit"/);
    expect(line).toMatch(/\.data\.POSTHOG_HOST/);
    expect(r.err).toMatch(/^hint: .*--force-conflicts/m);
    expect((await snapshot(kc, ns)).objects).toEqual(before.objects); // the server dry run caught it: nothing written
    expect((await getJson<Managed>(kc, path))!.data?.POSTHOG_HOST).toBe('https://hand-edited.example.com');

    const forced = await runCli(['cloud', '-n', ns, '--region', 'eu', '--yes', '--force-conflicts'], { kubeconfig, env: cloudEnv });
    expect(forced.code, forced.err).toBe(0);
    const restored = (await getJson<Managed>(kc, path))!;
    expect(restored.data?.POSTHOG_HOST).toBe('https://eu.i.posthog.com');
    expect(restored.metadata.resourceVersion).not.toBe(edited.metadata.resourceVersion);
    expect(ownerOf(restored, (f) => (f['f:data'] as Record<string, unknown> | undefined)?.['f:POSTHOG_HOST'])).toEqual(['vh-deploy']);
    // and then it is stable again
    const again = await runCli(['-o', 'json', 'cloud', '-n', ns, '--region', 'eu', '--yes'], { kubeconfig, env: cloudEnv });
    expect(changedIn(again.out)).toEqual([]);
  });

  it("Deployment: a hand-changed image is a conflict naming the container's image field; --force-conflicts restores it", async () => {
    const ns = nsName('proof-drift-dep');
    const host = ['--posthog-host', 'https://eu.i.posthog.com'];
    const env = { ...routerEnv, VH_DEPLOY_POSTHOG_API_KEY: KEY };
    await ok(routerArgs(ns, host), { kubeconfig, env });
    const path = `/apis/apps/v1/namespaces/${ns}/deployments/model-router`;
    const edit = await apiPatch(kc, path, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'registry.example.com/model-router:hotfix' }], {
      contentType: 'application/json-patch+json',
      fieldManager: 'kubectl-edit',
    });
    expect(edit.status, edit.body).toBe(200);
    // The controller rolls the hand edit, so statuses keep moving (Deployment, PDB): compare
    // generations, which only a spec change moves (ReplicaSets come and go with the rollout).
    const specs = async () => Object.fromEntries(Object.entries((await snapshot(kc, ns)).specs).filter(([k]) => !k.startsWith('ReplicaSet/')));
    const before = await specs();

    const r = await runCli(routerArgs(ns, host), { kubeconfig, env });
    expect(r.code, r.err).toBe(1);
    const line = errorLine(r.err)!;
    expect(line).toMatch(/Deployment\/.*model-router/);
    expect(line).toMatch(/"kubectl-edit"/);
    expect(line).toMatch(/\.spec\.template\.spec\.containers\[name="model-router"\]\.image/);
    expect(r.err).toMatch(/--force-conflicts/);
    expect(await specs()).toEqual(before);
    const untouched = (await getJson<Managed>(kc, path))!;
    expect(untouched.spec?.template?.spec?.containers?.[0]?.image).toBe('registry.example.com/model-router:hotfix');

    const forced = await runCli(routerArgs(ns, [...host, '--force-conflicts']), { kubeconfig, env });
    expect(forced.code, forced.err).toBe(0);
    const dep = (await getJson<Managed>(kc, path))!;
    expect(dep.spec?.template?.spec?.containers?.[0]?.image).toBe('registry.example.com/model-router:1.4.2');
  });

  it('a hand scale of a fixed-replica Deployment (scale subresource) is a conflict on .spec.replicas; --force-conflicts restores it', async () => {
    const ns = nsName('proof-drift-scale');
    const host = ['--posthog-host', 'https://eu.i.posthog.com', '--replicas', '2'];
    const env = { ...routerEnv, VH_DEPLOY_POSTHOG_API_KEY: KEY };
    await ok(routerArgs(ns, host), { kubeconfig, env });
    const scalePath = `/apis/apps/v1/namespaces/${ns}/deployments/model-router/scale`;
    const edit = await apiPatch(kc, scalePath, { spec: { replicas: 5 } }, { fieldManager: 'kubectl-scale' });
    expect(edit.status, edit.body).toBe(200);

    const r = await runCli(routerArgs(ns, host), { kubeconfig, env });
    expect(r.code, r.err).toBe(1);
    expect(errorLine(r.err)).toMatch(/"kubectl-scale".*\.spec\.replicas/);
    const forced = await runCli(routerArgs(ns, [...host, '--force-conflicts']), { kubeconfig, env });
    expect(forced.code, forced.err).toBe(0);
    expect((await getJson<Managed>(kc, `/apis/apps/v1/namespaces/${ns}/deployments/model-router`))!.spec?.replicas).toBe(2);
  });
});

describe('drift nobody else owns', () => {
  it('a deleted Service and ConfigMap are re-created by a plain re-run; a label added by hand is left alone', async () => {
    const ns = nsName('proof-drift-del');
    const host = ['--posthog-host', 'https://eu.i.posthog.com'];
    const env = { ...routerEnv, VH_DEPLOY_POSTHOG_API_KEY: KEY };
    await ok(routerArgs(ns, host), { kubeconfig, env });
    const { apiRequest } = await import('../cluster/e2e-helpers.js');
    expect((await apiRequest(kc, 'DELETE', `/api/v1/namespaces/${ns}/services/model-router`)).status).toBe(200);
    expect((await apiRequest(kc, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/model-router-config`)).status).toBe(200);
    const label = await apiPatch(kc, `/apis/apps/v1/namespaces/${ns}/deployments/model-router`, { metadata: { labels: { 'team.example.com/owner': 'ops' } } }, { fieldManager: 'kubectl-label' });
    expect(label.status, label.body).toBe(200);

    const r = await runCli(['-o', 'json', ...routerArgs(ns, host)], { kubeconfig, env });
    expect(r.code, r.err).toBe(0);
    const changed = changedIn(r.out).map((o) => `${o.ref} ${o.action}`);
    expect(changed).toEqual(expect.arrayContaining([expect.stringMatching(/^Service\/.*model-router created$/), expect.stringMatching(/^ConfigMap\/.*model-router-config created$/)]));
    const dep = (await getJson<{ metadata: { labels: Record<string, string> } }>(kc, `/apis/apps/v1/namespaces/${ns}/deployments/model-router`))!;
    expect(dep.metadata.labels['team.example.com/owner']).toBe('ops');
    const again = await runCli(['-o', 'json', ...routerArgs(ns, host)], { kubeconfig, env });
    expect(changedIn(again.out)).toEqual([]);
  });
});
