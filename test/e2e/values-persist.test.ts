/// <reference path="../cluster/inject.d.ts" />
// Values persist (docs/architecture.md, "Values persist"): a plain re-run after an
// upgrade, a scale or a rollback changes nothing, and --reset-values goes back to the
// defaults. "Plain" means what CI runs every day: the same flags as the first deploy,
// minus the ones the day-2 command changed.
import { afterAll, describe, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { apps, autoscaling, cli, created, deployRouter, IMAGE, kc, noSecrets, nsName, routerImage } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

interface DeployDoc {
  ok: boolean;
  objects: Array<{ ref: string; action: string }>;
  sources: Record<string, string>;
  recordedFrom?: number;
}

/** The Model Router's usual flags, without --image and the replica flags. */
const plainRouter = (ns: string, extra: string[] = []) => ['model-router', '-n', ns, '--yes', '--db-host', 'pg.data.svc', '--db-user', 'router', '--redis-addr', 'redis.data.svc:6379', '--timeout', '90s', '-o', 'json', ...extra];

async function rerun(args: string[]): Promise<DeployDoc> {
  const r = await cli(args);
  expect(r.code, r.err).toBe(0);
  noSecrets(r);
  return JSON.parse(r.out) as DeployDoc;
}

const changed = (doc: DeployDoc) => doc.objects.filter((o) => o.action !== 'unchanged').map((o) => `${o.ref} ${o.action}`);

async function hpaRange(ns: string): Promise<[number | undefined, number | undefined]> {
  const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'model-router', namespace: ns });
  return [h.spec?.minReplicas, h.spec?.maxReplicas];
}

describe('a plain re-run of model-router keeps what day-2 commands changed', () => {
  let ns: string;
  it('after scale --min/--max: the HPA keeps 2–8, nothing changes, the summary says where the range came from', async () => {
    ns = await deployRouter('e2e-values');
    expect(await hpaRange(ns)).toEqual([3, 10]);
    const s = await cli(['scale', 'model-router/model-router', '-n', ns, '--min', '2', '--max', '8', '--timeout', '90s']);
    expect(s.code, s.err).toBe(0);
    expect(await hpaRange(ns)).toEqual([2, 8]);

    const r = await cli(plainRouter(ns, ['-o', 'text']));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^ {2}replicas +HPA 2–8 \(from revision 2\)$/m);
    expect(r.err).toMatch(/^ {2}image +registry\.example\.com\/model-router:1\.4\.2 \(from revision 2\)$/m);
    expect(await hpaRange(ns)).toEqual([2, 8]);

    const doc = await rerun(plainRouter(ns));
    expect(changed(doc)).toEqual([]);
    expect(doc.sources).toMatchObject({ minReplicas: 'recorded', maxReplicas: 'recorded', image: 'recorded', dbHost: 'flag' });
  });

  it('after upgrade: the upgraded image stays (no downgrade by a routine run)', async () => {
    const u = await cli(['upgrade', 'model-router', '-n', ns, '--image-tag', '1.5.0', '--timeout', '90s']);
    expect(u.code, u.err).toBe(0);
    expect(await routerImage(ns)).toBe(`${IMAGE}:1.5.0`);
    const doc = await rerun(plainRouter(ns));
    expect(changed(doc)).toEqual([]);
    expect(await routerImage(ns)).toBe(`${IMAGE}:1.5.0`);
    expect(await hpaRange(ns)).toEqual([2, 8]);
  });

  it('after rollback: the rolled-back image stays', async () => {
    const rb = await cli(['rollback', 'model-router', '-n', ns, '--timeout', '90s']);
    expect(rb.code, rb.err).toBe(0);
    expect(await routerImage(ns)).toBe(`${IMAGE}:1.4.2`);
    const doc = await rerun(plainRouter(ns));
    expect(changed(doc)).toEqual([]);
    expect(await routerImage(ns)).toBe(`${IMAGE}:1.4.2`);
  });

  it('a flag still wins over the recorded value, and --reset-values returns to the defaults', async () => {
    const given = await rerun(plainRouter(ns, ['--max-replicas', '9']));
    expect(given.sources).toMatchObject({ maxReplicas: 'flag', minReplicas: 'recorded' });
    expect(await hpaRange(ns)).toEqual([2, 9]);

    // Without the recorded values the image is required again: all missing values are named, nothing written.
    const missing = await cli(plainRouter(ns, ['--reset-values']));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^error: missing required value: --image$/m);

    const reset = await rerun(plainRouter(ns, ['--reset-values', '--image', `${IMAGE}:1.4.2`]));
    expect(reset.recordedFrom).toBeUndefined();
    expect(reset.sources).toMatchObject({ image: 'flag', dbPort: 'default' });
    expect(reset.sources.minReplicas).toBeUndefined();
    expect(await hpaRange(ns)).toEqual([3, 10]);
  });
});

describe('a plain re-run of self-hosted keeps the upgraded PostHog version and the scaled web', () => {
  it('upgrade posthog + scale posthog/web, then `self-hosted --domain …`: same images, same replicas, nothing changed', async () => {
    const ns = nsName('e2e-values-ph');
    const args = ['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--yes', '--timeout', '2m'];
    const first = await cli(args);
    expect(first.code, first.err).toBe(0);
    const up = await cli(['upgrade', 'posthog', '-n', ns, '--posthog-version', 'release-1.42.0', '--timeout', '2m']);
    expect(up.code, up.err).toBe(0);
    const sc = await cli(['scale', 'posthog/web', '-n', ns, '--replicas', '3', '--timeout', '2m']);
    expect(sc.code, sc.err).toBe(0);

    const web = async () => apps.readNamespacedDeployment({ name: 'posthog-web', namespace: ns });
    const generation = (await web()).metadata?.generation;
    const r = await cli([...args, '-o', 'json']);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as DeployDoc;
    // `scale` wrote spec.replicas through /scale; this apply writes the same value and so
    // becomes a co-owner of the field: bookkeeping only, the spec (generation) is unchanged.
    expect(changed(doc).filter((c) => c !== `Deployment/${ns}/posthog-web configured`)).toEqual([]);
    expect((await web()).metadata?.generation).toBe(generation);
    expect(doc.sources).toMatchObject({ posthogVersion: 'recorded', webReplicas: 'recorded', domain: 'flag' });
    for (const name of ['posthog-web', 'posthog-worker', 'posthog-plugins']) {
      const d = await apps.readNamespacedDeployment({ name, namespace: ns });
      expect(d.spec?.template.spec?.containers[0]?.image, name).toBe('posthog/posthog:release-1.42.0');
    }
    expect((await apps.readNamespacedDeployment({ name: 'posthog-web', namespace: ns })).spec?.replicas).toBe(3);
    const text = await cli(args);
    expect(text.code, text.err).toBe(0);
    expect(text.err).toMatch(/^plan: \d+ unchanged$/m); // and from then on, nothing at all
    expect(text.err).toMatch(/^ {2}PostHog version +release-1\.42\.0 \(from revision 4\)$/m);
  });
});

