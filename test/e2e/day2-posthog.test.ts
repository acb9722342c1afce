/// <reference path="../cluster/inject.d.ts" />
// Day-2 on self-hosted PostHog (the harness has a default StorageClass): verify covers
// StatefulSets, the migration Job, claims and PostHog's health endpoints; scale of
// posthog/web; an upgrade runs the new migration Job to completion before web, worker
// and plugins roll, keeps the scaled replica count and never rotates a generated
// secret; a rollback returns to the previous image.
import { afterAll, describe, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { apps, cli, core, created, historyJson, kc, nsName, verifyJson } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

const images = async (ns: string) =>
  Object.fromEntries((await apps.listNamespacedDeployment({ namespace: ns })).items.map((d) => [d.metadata!.name!, d.spec!.template.spec!.containers[0]!.image!]));

describe('self-hosted PostHog day 2', () => {
  const ns = nsName('e2e-d2-ph');
  let generated: Record<string, string> | undefined;

  it('verify passes on a fresh install: data stores, migration Job, claims, health; the Ingress address is only a warning', async () => {
    const r = await cli(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--yes', '--timeout', '2m']);
    expect(r.code, r.err).toBe(0);
    generated = (await core.readNamespacedSecret({ name: 'posthog-secrets', namespace: ns })).data;
    const { code, doc } = await verifyJson(ns, 'posthog');
    expect(code, JSON.stringify(doc.checks.filter((c) => c.status === 'fail'))).toBe(0);
    const byName = Object.fromEntries(doc.checks.map((c) => [c.check, c]));
    for (const c of ['StatefulSet posthog-postgres', 'StatefulSet posthog-clickhouse', 'PVCs data-posthog-postgres-*', 'endpoints posthog-web', 'PostHog /_livez', 'PostHog /_readyz?role=web', 'PostHog /_preflight']) {
      expect(byName[c]?.status, c).toBe('pass');
    }
    expect(Object.keys(byName).some((k) => /^Job posthog-migrate-[a-f0-9]{10}$/.test(k))).toBe(true);
    expect(byName['Ingress posthog']).toMatchObject({ status: 'warn', ok: true });
  });

  it('scale posthog/web, then upgrade: the new migration Job completes before the Deployments roll; replicas and secrets kept', async () => {
    const s = await cli(['scale', 'posthog/web', '-n', ns, '--replicas', '3']);
    expect(s.code, s.err).toBe(0);
    const oldJob = (await core.listNamespacedPod({ namespace: ns })).items.find((p) => p.metadata?.name?.startsWith('posthog-migrate-'))?.metadata?.labels?.['job-name'];
    const r = await cli(['upgrade', 'posthog', '-n', ns, '--posthog-version', 'release-1.42.0', '--timeout', '2m']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/posthog upgraded from release-1\.43\.0 \(revision 2\) to release-1\.42\.0 \(revision 3\)/);
    // Order: the new Job is complete before any Deployment is applied.
    const newJob = /✓ Job\/[^/]+\/(posthog-migrate-[a-f0-9]{10}): complete/.exec(r.err)?.[1];
    expect(newJob).toMatch(/^posthog-migrate-[a-f0-9]{10}$/);
    expect(newJob).not.toBe(oldJob);
    // (Lines saying what waits for what come first and are not applies: left out.)
    const log = r.err.split('\n').filter((l) => !l.includes(' waits for ')).join('\n');
    expect(log.indexOf('Deployment/')).toBeGreaterThan(log.indexOf(`✓ Job/${ns}/${newJob}`));
    expect(await images(ns)).toEqual({ 'posthog-plugins': 'posthog/posthog:release-1.42.0', 'posthog-web': 'posthog/posthog:release-1.42.0', 'posthog-worker': 'posthog/posthog:release-1.42.0' });
    // The companions follow the version's row of the compatibility table (docs/compatibility.md).
    expect((await apps.readNamespacedStatefulSet({ name: 'posthog-clickhouse', namespace: ns })).spec?.template.spec?.containers[0]?.image).toBe('clickhouse/clickhouse-server:22.3.13.80');
    expect((await apps.readNamespacedDeployment({ name: 'posthog-web', namespace: ns })).spec?.replicas).toBe(3);
    expect((await core.readNamespacedSecret({ name: 'posthog-secrets', namespace: ns })).data).toEqual(generated);
    for (const v of Object.values(generated ?? {})) {
      const plain = Buffer.from(v, 'base64').toString();
      expect(r.out + r.err).not.toContain(plain);
    }
  });

  it('rollback returns to the previous version; history tells the story', async () => {
    const r = await cli(['rollback', 'self-hosted', '-n', ns, '--timeout', '2m']);
    expect(r.code, r.err).toBe(0);
    expect(Object.values(await images(ns))).toEqual(['posthog/posthog:release-1.43.0', 'posthog/posthog:release-1.43.0', 'posthog/posthog:release-1.43.0']);
    expect((await apps.readNamespacedDeployment({ name: 'posthog-web', namespace: ns })).spec?.replicas).toBe(3);
    expect((await historyJson(ns, 'posthog')).map((h) => `${h.revision} ${h.status} ${h.command}`)).toEqual([
      '1 superseded self-hosted',
      '2 superseded scale',
      '3 rolled-back upgrade',
      '4 deployed rollback',
    ]);
    const v = await verifyJson(ns, 'posthog');
    expect(v.code).toBe(0);
  });

  it('upgrade input errors are exit 2 before any API call', async () => {
    const a = await cli(['upgrade', 'posthog', '-n', ns, '--image-tag', '1.0']);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/^error: --image-tag: is for model-router; for posthog give --posthog-version TAG$/m);
    const b = await cli(['upgrade', 'posthog', '-n', ns, '--posthog-version', 'latest']);
    expect(b.code).toBe(2);
    const c = await cli(['upgrade', 'cloud', '-n', ns, '--posthog-version', '1']);
    expect(c.code).toBe(2);
    // A version without a tested set of companions (docs/compatibility.md).
    const d = await cli(['upgrade', 'posthog', '-n', ns, '--posthog-version', 'release-1.44.0']);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/^error: --posthog-version: "release-1\.44\.0" is not a PostHog version .*supported: release-1\.43\.0, release-1\.42\.0 .*--allow-untested-versions/m);
  });
});

describe('self-hosted PostHog: a config change after the migrations ran', () => {
  it('a re-run with another domain rolls the pods that read the config and leaves the completed migration Job alone (a Job template cannot change)', async () => {
    const ns = nsName('e2e-d2-ph-cfg');
    const first = await cli(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--yes', '--timeout', '2m']);
    expect(first.code, first.err).toBe(0);
    const batch = kc.makeApiClient((await import('@kubernetes/client-node')).BatchV1Api);
    const jobs = async () => (await batch.listNamespacedJob({ namespace: ns })).items.map((j) => `${j.metadata!.name!} ${j.metadata!.uid!}`);
    const jobsBefore = await jobs();
    expect(jobsBefore).toHaveLength(1);
    const webTemplate = async () => JSON.stringify((await apps.readNamespacedDeployment({ name: 'posthog-web', namespace: ns })).spec!.template.metadata!.annotations);
    const webBefore = await webTemplate();

    const second = await cli(['self-hosted', '-n', ns, '--domain', 'analytics.e2e.example.com', '--insecure-http', '--yes', '--timeout', '2m']);
    expect(second.code, second.err).toBe(0);
    expect(await jobs()).toEqual(jobsBefore);
    expect(await webTemplate()).not.toBe(webBefore);
    const cm = await core.readNamespacedConfigMap({ name: 'posthog-config', namespace: ns });
    expect(cm.data!.SITE_URL).toBe('http://analytics.e2e.example.com');
  }, 300_000);
});
