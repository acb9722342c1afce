/// <reference path="../cluster/inject.d.ts" />
// upgrade, rollback and history on the real control plane, one Model Router through a
// release's life: a config change rolled back (ConfigMap and pod template restored), a
// good upgrade, a bad upgrade that fails fast and ends rolled back (exit 4, previous
// image serving), a failed deploy left in place, --no-rollback-on-failure, and history
// showing deployed / failed / rolled-back. No secret in any output or revision record.
import { afterAll, describe, expect, it } from 'vitest';
import { apiRequest, deleteNamespaces } from '../cluster/e2e-helpers.js';
import { apps, cli, configValue, core, created, deployRouter, historyJson, IMAGE, kc, noSecrets, routerArgs, routerImage, SECRETS, storedRevisions } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

const BAD = 'e2e.invalid/fail-imagepull:1.0.0';

async function serving(ns: string): Promise<void> {
  const d = await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns });
  expect(d.status?.updatedReplicas).toBe(d.spec?.replicas);
  expect(d.status?.availableReplicas).toBe(d.spec?.replicas);
  expect(d.status?.replicas).toBe(d.spec?.replicas); // no pod of the bad ReplicaSet left
  const h = await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/services/model-router:8080/proxy/health`);
  expect(h.status).toBe(200);
}

describe('a Model Router through upgrades and rollbacks', () => {
  let ns: string;
  const statuses = async () => (await historyJson(ns)).map((r) => `${r.revision} ${r.status} ${r.command}`);

  it('rollback restores a changed ConfigMap value and the pod template (default: last successful)', async () => {
    ns = await deployRouter('e2e-d2-upgrade', ['--replicas', '2']);
    const v2 = await cli(routerArgs(ns, { image: `${IMAGE}:1.4.3`, redis: 'redis-b.data.svc:6380', extra: ['--replicas', '2'] }));
    expect(v2.code, v2.err).toBe(0);
    expect(await configValue(ns, 'REDIS_ADDR')).toBe('redis-b.data.svc:6380');
    const checksumV2 = (await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns })).spec?.template.metadata?.annotations?.['vh-deploy.io/config-checksum'];

    // A dry run shows the changes and writes nothing.
    const preview = await cli(['rollback', 'model-router', '-n', ns, '--dry-run']);
    expect(preview.code, preview.err).toBe(0);
    expect(preview.err).toMatch(/ConfigMap\/.*\/model-router-config \(changed\)\n.*~ data\.REDIS_ADDR: "redis-b\.data\.svc:6380" → "redis\.data\.svc:6379"/);
    expect(preview.err).toMatch(/~ spec\.template\.spec\.containers\[0\]\.image: ".*:1\.4\.3" → ".*:1\.4\.2"/);
    expect(preview.err).toMatch(/not restored \(Secret values are never recorded.*Secret\/.*\/model-router-secrets/);
    expect(await statuses()).toEqual(['1 superseded model-router', '2 deployed model-router']);

    const r = await cli(['rollback', 'model-router', '-n', ns, '-o', 'json']);
    expect(r.code, r.err).toBe(0);
    noSecrets(preview, r);
    const doc = JSON.parse(r.out) as { ok: boolean; from: number; to: number; revision: number; changes: Array<{ ref: string; lines: string[] }> };
    expect(doc).toMatchObject({ ok: true, from: 2, to: 1, revision: 3 });
    expect(await configValue(ns, 'REDIS_ADDR')).toBe('redis.data.svc:6379');
    const d = await apps.readNamespacedDeployment({ name: 'model-router', namespace: ns });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe(`${IMAGE}:1.4.2`);
    expect(d.spec?.template.metadata?.annotations?.['vh-deploy.io/config-checksum']).not.toBe(checksumV2); // the pods rolled with the config
    await serving(ns);
    expect(await statuses()).toEqual(['1 superseded model-router', '2 rolled-back model-router', '3 deployed rollback']);
    expect((await historyJson(ns))[2]).toMatchObject({ rollbackTo: 1, description: 'rollback to 1' });
  });

  it('upgrade --image-tag re-renders from the last successful revision (config kept) and records it', async () => {
    const r = await cli(['upgrade', 'model-router', '-n', ns, '--image-tag', '1.5.0', '--timeout', '90s']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/model-router upgraded from 1\.4\.2 \(revision 3\) to 1\.5\.0 \(revision 4\)/);
    noSecrets(r);
    expect(await routerImage(ns)).toBe(`${IMAGE}:1.5.0`);
    expect(await configValue(ns, 'REDIS_ADDR')).toBe('redis.data.svc:6379');
    // The database password was read from the cluster, not rotated or lost.
    const secret = await core.readNamespacedSecret({ name: 'model-router-secrets', namespace: ns });
    expect(Buffer.from(secret.data!.DB_PASSWORD!, 'base64').toString()).toBe(SECRETS[1]);
    expect((await statuses()).at(-1)).toBe('4 deployed upgrade');
  });

  it('an upgrade to an unpullable image fails fast and ends rolled back: exit 4, both named, previous image serving', async () => {
    const r = await cli(['upgrade', 'model-router', '-n', ns, '--image', BAD, '--timeout', '5m']);
    expect(r.code, r.err).toBe(4);
    expect(r.ms).toBeLessThan(30_000);
    expect(r.err).toMatch(/^error: upgrade of model-router to 1\.0\.0 failed and was rolled back to revision 4 \(1\.5\.0\), recorded as revision 6:$/m);
    expect(r.err).toMatch(/ImagePullBackOff|ErrImagePull/);
    expect(r.err).toMatch(/pod model-router-[a-z0-9]+-[a-z0-9]+/);
    noSecrets(r);
    expect(await routerImage(ns)).toBe(`${IMAGE}:1.5.0`);
    await serving(ns);
    const h = await historyJson(ns);
    expect(h.slice(-2).map((x) => `${x.revision} ${x.status} ${x.command}`)).toEqual(['5 rolled-back upgrade', '6 deployed rollback']);
    expect(h.at(-2)!.error).toMatch(/ImagePullBackOff|ErrImagePull/);
  });

  it('-o json: the failed, rolled-back upgrade is one document (exit 4)', async () => {
    const r = await cli(['upgrade', 'model-router', '-n', ns, '--image', BAD, '-o', 'json']);
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.out) as { ok: boolean; exitCode: number; failed: { revision: number }; rolledBack: { to: number; revision: number } };
    expect(doc).toMatchObject({ ok: false, exitCode: 4, failed: { revision: 7 }, rolledBack: { to: 6, revision: 8 } });
    await serving(ns);
  });

  it('a failed deploy is left in place as "failed"; rollback returns to the last successful revision', async () => {
    const bad = await cli(routerArgs(ns, { image: BAD, extra: ['--replicas', '2'] }));
    expect(bad.code).toBe(1);
    expect((await statuses()).at(-1)).toBe('9 failed model-router');
    const text = await cli(['history', 'model-router', '-n', ns]);
    expect(text.out).toMatch(/^9 +\S+ \S+ +failed +model-router +1\.0\.0 +deploy: Deployment\/.*ImagePullBackOff|ErrImagePull/m);
    expect(await routerImage(ns)).toBe(BAD);
    const r = await cli(['rollback', 'model-router', '-n', ns]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/model-router rolled back to revision 8 \(recorded as revision 10\)/);
    expect(await routerImage(ns)).toBe(`${IMAGE}:1.5.0`);
    await serving(ns);
    // Undone by the rollback: no longer "failed" (left in place) but "rolled-back".
    expect((await statuses()).slice(-2)).toEqual(['9 rolled-back model-router', '10 deployed rollback']);
  });

  it('--no-rollback-on-failure leaves the failed upgrade in place (exit 1) and says how to roll back', async () => {
    const r = await cli(['upgrade', 'model-router', '-n', ns, '--image', BAD, '--no-rollback-on-failure']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: upgrade of model-router to 1\.0\.0 failed \(revision 11, left in place: --no-rollback-on-failure\):$/m);
    // A hint to paste as it is: it carries the -n of the run (issue 13).
    expect(r.err).toContain(`\nhint: roll back with \`vh-deploy rollback model-router -n ${ns}\` (to revision 10)\n`);
    expect(await routerImage(ns)).toBe(BAD);
    const back = await cli(['rollback', 'model-router', '-n', ns]);
    expect(back.code, back.err).toBe(0);
    expect(await routerImage(ns)).toBe(`${IMAGE}:1.5.0`);
  });

  it('history shows deployed, superseded and rolled-back (failed: above); keeps the last 10', async () => {
    const r = await cli(['history', 'model-router', '-n', ns]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^REVISION +TIME +STATUS +COMMAND +VERSION +DESCRIPTION$/m);
    for (const s of ['deployed', 'superseded', 'rolled-back']) expect(r.out).toMatch(new RegExp(`^\\d+ +\\S+ \\S+ +${s} `, 'm'));
    const h = await historyJson(ns);
    expect(h.length).toBe(10); // 12 recorded, 10 kept
    expect(h.map((x) => x.revision)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(h.filter((x) => x.status === 'deployed').map((x) => x.revision)).toEqual([12]);
    const { revisions } = await storedRevisions(ns, 'model-router');
    expect(revisions.length).toBe(10);
  });

  it('rollback --to-revision picks that revision; an unknown one is bad input', async () => {
    const r = await cli(['rollback', 'model-router', '-n', ns, '--to-revision', '3', '--yes']);
    expect(r.code, r.err).toBe(0);
    expect(await routerImage(ns)).toBe(`${IMAGE}:1.4.2`);
    const missing = await cli(['rollback', 'model-router', '-n', ns, '--to-revision', '1']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^error: --to-revision: revision 1 is not in the history \(kept: /m);
  });

  it('no revision record holds a secret value or Secret data', async () => {
    const { raw, revisions } = await storedRevisions(ns, 'model-router');
    for (const text of raw) for (const s of SECRETS) expect(text).not.toContain(s);
    for (const r of revisions) {
      for (const m of r.manifests.filter((x) => x.kind === 'Secret')) {
        expect(m.data).toBeUndefined();
        expect(m.stringData).toBeUndefined();
      }
      for (const k of ['dbPassword', 'openaiApiKey', 'posthogApiKey', 'redisPassword']) expect(r.values[k]).toBeUndefined();
    }
    const full = await cli(['history', 'model-router', '-n', ns, '--revision', String(revisions.at(-1)!.revision), '-o', 'json']);
    expect(full.code, full.err).toBe(0);
    noSecrets(full);
  });
});
