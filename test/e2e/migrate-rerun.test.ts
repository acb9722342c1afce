/// <reference path="../cluster/inject.d.ts" />
// A failed migration is recoverable (issue 10), and an upgrade of PostHog rolls only
// PostHog's own pods.
//
// The migrate Job's name hashes the PostHog image, so a re-run of the same version meets
// the Job that failed before. The fake pods fail by image (test/cluster/stages/pod-fail-job.yaml),
// so the earlier failed run is that Job, under that name, run with a failing image: it fails
// for real in the cluster (BackoffLimitExceeded), then `self-hosted` (and `upgrade posthog`)
// must report it, delete it with its pods and run the Job again, which completes.
import * as k8s from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { shortHash } from '../../src/manifests/finalize.js';
import { apps, cli, core, created, kc, nsName, storedRevisions } from './support/day2.js';

const batch = kc.makeApiClient(k8s.BatchV1Api);

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

const jobName = (image: string) => `posthog-migrate-${shortHash(image)}`;

/** A migrate Job under vh-deploy's name whose pod exits 1 (the fake's failing image); waits until it failed. */
async function failedRunOf(ns: string, name: string): Promise<string> {
  const labels = { 'app.kubernetes.io/name': 'posthog', 'app.kubernetes.io/component': 'migrate', 'app.kubernetes.io/managed-by': 'vh-deploy', 'vh-deploy.io/stack': 'posthog' };
  const body: k8s.V1Job = {
    metadata: { name, labels },
    spec: { backoffLimit: 0, template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'e2e.invalid/fail-job:1' }] } } },
  };
  const job = await batch.createNamespacedJob({ namespace: ns, body });
  for (let i = 0; i < 120; i++) {
    const j = await batch.readNamespacedJob({ name, namespace: ns });
    if (j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True')) return job.metadata!.uid!;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not fail`);
}

async function ensureNamespace(ns: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name: ns } } });
}

/** Pods that still belong to the Job incarnation `uid`. */
const podsOfJob = async (ns: string, uid: string) => (await core.listNamespacedPod({ namespace: ns, labelSelector: `batch.kubernetes.io/controller-uid=${uid}` })).items.filter((p) => !p.metadata?.deletionTimestamp);

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const PREVIOUS_RUN = /↻ Job\/(\S+)\/(posthog-migrate-[a-f0-9]{10}): the previous run failed \(Job failed: BackoffLimitExceeded[^)]*; pod \S+: container migrate exited with code 1 \(Error\): e2e fake: job container exited with code 1\); deleted with its pods, running it again/;

describe('a failed migrate Job is run again', () => {
  const ns = nsName('e2e-rerun');
  const first = jobName('posthog/posthog:release-1.43.0');

  it('by the next self-hosted: the old failure is reported and recorded, the Job and its pods are replaced, the new run completes', async () => {
    await ensureNamespace(ns);
    const oldUid = await failedRunOf(ns, first);
    expect((await podsOfJob(ns, oldUid)).length).toBeGreaterThan(0);

    const r = await cli(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--yes', '--timeout', '2m']);
    expect(r.code, r.err).toBe(0);
    const m = PREVIOUS_RUN.exec(r.err);
    expect(m?.[1]).toBe(ns);
    expect(m?.[2]).toBe(first);
    // The report says it before the new run: created, then complete.
    expect(r.err.indexOf(`✓ Job/${ns}/${first}: complete`)).toBeGreaterThan(r.err.indexOf('↻ Job/'));
    const job = await batch.readNamespacedJob({ name: first, namespace: ns });
    expect(job.metadata?.uid).not.toBe(oldUid);
    expect(job.status?.conditions?.find((c) => c.type === 'Complete')?.status).toBe('True');
    // Its pods went with it (propagationPolicy Background: the garbage collector removes them).
    expect((await eventually(() => podsOfJob(ns, oldUid), (p) => p.length === 0)).length).toBe(0);
    // The revision keeps the evidence.
    const { revisions } = await storedRevisions(ns, 'posthog');
    expect(revisions.map((x) => `${x.revision} ${x.status}`)).toEqual(['1 deployed']);
    const rerun = (revisions[0] as unknown as { rerunJobs?: Array<{ ref: string; failure: string; logs: string[] }> }).rerunJobs;
    expect(rerun?.map((j) => j.ref)).toEqual([`Job/${ns}/${first}`]);
    expect(rerun?.[0]?.failure).toMatch(/^Job failed: BackoffLimitExceeded.*; pod \S+: container migrate exited with code 1 \(Error\): e2e fake: job container exited with code 1$/);
  });

  it('by upgrade posthog too; the upgrade rolls PostHog\'s pods and no data store\'s', async () => {
    // release-1.43.1 is no row of the table: allowed explicitly, it runs with the default
    // row's companions, so nothing of the data stores has a reason to change.
    const target = 'release-1.43.1';
    const next = jobName(`posthog/posthog:${target}`);
    const oldUid = await failedRunOf(ns, next);
    const stores = ['posthog-postgres-0', 'posthog-redis-0', 'posthog-clickhouse-0', 'posthog-kafka-0', 'posthog-zookeeper-0'];
    const uids = async (names: string[]) => Promise.all(names.map(async (n) => (await core.readNamespacedPod({ name: n, namespace: ns })).metadata!.uid!));
    const webPods = async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/component=web' })).items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata!.uid!);
    const storesBefore = await uids(stores);
    const webBefore = await webPods();
    expect(webBefore.length).toBe(2);

    const r = await cli(['upgrade', 'posthog', '-n', ns, '--posthog-version', target, '--allow-untested-versions', '--timeout', '2m']);
    expect(r.code, r.err).toBe(0);
    const m = PREVIOUS_RUN.exec(r.err);
    expect(m?.[2]).toBe(next);
    expect((await batch.readNamespacedJob({ name: next, namespace: ns })).metadata?.uid).not.toBe(oldUid);
    const { revisions } = await storedRevisions(ns, 'posthog');
    const upgrade = revisions.find((x) => x.command === 'upgrade') as unknown as { status: string; rerunJobs?: Array<{ ref: string }> };
    expect(upgrade.status).toBe('deployed');
    expect(upgrade.rerunJobs?.map((j) => j.ref)).toEqual([`Job/${ns}/${next}`]);

    // Data stores: same pods (same UIDs), same images. PostHog's web pods: all new.
    expect(await uids(stores)).toEqual(storesBefore);
    const webAfter = await eventually(webPods, (u) => u.length === 2 && u.every((x) => !webBefore.includes(x)));
    expect(webAfter.filter((u) => webBefore.includes(u))).toEqual([]);
    expect((await apps.readNamespacedDeployment({ name: 'posthog-web', namespace: ns })).spec?.template.spec?.containers[0]?.image).toBe(`posthog/posthog:${target}`);
    expect((await apps.readNamespacedStatefulSet({ name: 'posthog-clickhouse', namespace: ns })).spec?.template.spec?.containers[0]?.image).toBe('clickhouse/clickhouse-server:22.8.11.15');
  });

  it('an upgrade to another row of the table replaces only what that row changes: ClickHouse, not PostgreSQL, Redis, Kafka or ZooKeeper', async () => {
    const kept = ['posthog-postgres-0', 'posthog-redis-0', 'posthog-kafka-0', 'posthog-zookeeper-0'];
    const uid = async (n: string) => (await core.readNamespacedPod({ name: n, namespace: ns })).metadata!.uid!;
    const before = await Promise.all(kept.map(uid));
    const clickhouse = await uid('posthog-clickhouse-0');
    const r = await cli(['upgrade', 'posthog', '-n', ns, '--posthog-version', 'release-1.42.0', '--timeout', '2m']);
    expect(r.code, r.err).toBe(0);
    expect(await Promise.all(kept.map(uid))).toEqual(before);
    // release-1.42.0 ran ClickHouse 22.3.13.80 (docs/compatibility.md): a new pod, by design.
    expect((await apps.readNamespacedStatefulSet({ name: 'posthog-clickhouse', namespace: ns })).spec?.template.spec?.containers[0]?.image).toBe('clickhouse/clickhouse-server:22.3.13.80');
    expect(await eventually(() => uid('posthog-clickhouse-0').catch(() => clickhouse), (u) => u !== clickhouse)).not.toBe(clickhouse);
  });
});
