/// <reference path="../cluster/inject.d.ts" />
// A non-root data store on a fresh volume, on the real node: the Kafka broker exactly as
// vh-deploy renders it for self-hosted PostHog (runAsUser 1001, fsGroup 1001, volume at
// /bitnami/kafka), run from the contract image of bitnamilegacy/kafka:2.8.1
// (test/images/kafka: uid 1001, setup.sh's mkdir of /bitnami/kafka/data under errexit).
// The volume is a new local volume owned by root: the kubelet's fsGroup handling is what
// makes it writable, and the same StatefulSet without fsGroup crash-loops on the mkdir.
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { deleteNamespaces, waitFor } from '../cluster/e2e-helpers.js';
import { deleteLocalVolume, kubectlExec, localVolume, REAL_NODE, realNodeGate, realNodeNamespace } from '../cluster/real-node.js';
import { apps, cli, core, kc, kubeconfig } from './support/day2.js';

const batch = kc.makeApiClient(k8s.BatchV1Api);

const IMAGE = 'vh-contract.local/kafka:2.8.1';
const PG_IMAGE = 'vh-contract.local/postgres:11.7-alpine';
const REDIS_IMAGE = 'vh-contract.local/redis:6.2.7-alpine';
const ZK_IMAGE = 'vh-contract.local/zookeeper:3.7.0';
const CH_IMAGE = 'vh-contract.local/clickhouse-server:22.8.11.15';
const POSTHOG_IMAGE = 'vh-contract.local/posthog:release-1.43.0';
const namespaces: string[] = [];
const volumes: string[] = [];
/**
 * After each test its namespaces go, and the test waits (bounded) until their pods are
 * gone: the real node has 2 CPUs, and the requests of earlier stores would leave the
 * next one Pending (Insufficient cpu).
 */
let cleaned = 0;
afterEach(async () => {
  const done = namespaces.slice(cleaned);
  cleaned = namespaces.length;
  // No grace period: several contract images run a busybox server as PID 1, which ignores SIGTERM.
  for (const namespace of done) {
    await apps.deleteCollectionNamespacedStatefulSet({ namespace, propagationPolicy: 'Orphan' }).catch(() => undefined);
    await batch.deleteCollectionNamespacedJob({ namespace, propagationPolicy: 'Orphan' }).catch(() => undefined);
    await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
  }
  await deleteNamespaces(kc, done);
  await waitFor('the test\'s pods gone', async () => {
    const left = await Promise.all(done.map(async (ns) => (await core.listNamespacedPod({ namespace: ns }).catch(() => ({ items: [] }))).items.length));
    return left.every((n) => n === 0) || undefined;
  }, { timeoutMs: 45_000 }).catch(() => undefined);
});
afterAll(async () => {
  for (const v of volumes) await deleteLocalVolume(kc, v);
});

/** The objects of `vh-deploy self-hosted`, rendered (client dry run) for namespace ns; `extra`: more flags. */
async function renderedObjects(ns: string, extra: string[] = []): Promise<Array<k8s.KubernetesObject & Record<string, unknown>>> {
  const r = await cli(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--storage-class', 'real-node-local', ...extra, '--dry-run=client', '-o', 'json', '--yes']);
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { items: Array<k8s.KubernetesObject & Record<string, unknown>> }).items;
}

/** A StatefulSet of `vh-deploy self-hosted`, rendered (client dry run) for namespace ns. */
async function rendered(ns: string, name: string): Promise<k8s.V1StatefulSet> {
  const sts = (await renderedObjects(ns)).find((o) => o.kind === 'StatefulSet' && o.metadata?.name === name) as k8s.V1StatefulSet | undefined;
  expect(sts, `StatefulSet ${name} in the render`).toBeDefined();
  return sts!;
}

/**
 * Runs a rendered data store with its contract image on a fresh local volume, in a new
 * namespace on the real node; `edit` changes the object first, `before` prepares the namespace.
 */
async function runRendered(
  prefix: string,
  name: string,
  image: string,
  o: { edit?: (s: k8s.V1StatefulSet) => void; before?: (ns: string) => Promise<void> } = {},
): Promise<{ ns: string; sts: k8s.V1StatefulSet }> {
  const ns = await realNodeNamespace(kc, prefix);
  namespaces.push(ns);
  const sts = await rendered(ns, name);
  sts.spec!.template.spec!.containers[0]!.image = image;
  // Ordering annotations (which store waits for which) are vh-deploy's; the storage contract does not need them.
  delete sts.metadata!.annotations;
  o.edit?.(sts);
  await o.before?.(ns);
  const claim = sts.spec!.volumeClaimTemplates![0]!;
  volumes.push(await localVolume(kc, ns, `${claim.metadata!.name}-${name}-0`, String(claim.spec!.resources!.requests!.storage)));
  await apps.createNamespacedStatefulSet({ namespace: ns, body: sts });
  return { ns, sts };
}

const runBroker = (prefix: string, edit?: (s: k8s.V1StatefulSet) => void) => runRendered(prefix, 'posthog-kafka', IMAGE, { ...(edit && { edit }) });

async function podIn(ns: string, name: string, what: string, ok: (p: k8s.V1Pod) => boolean): Promise<k8s.V1Pod> {
  return waitFor(`${name} ${what}`, async () => {
    const p = await core.readNamespacedPod({ name, namespace: ns }).catch(() => undefined);
    return p && ok(p) ? p : undefined;
  }, { timeoutMs: 90_000 });
}
const isReady = (p: k8s.V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const isCrashLooping = (p: k8s.V1Pod) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff';

/** Replaces the pod's securityContext (a test's variation of the rendered object). */
const podSecurity = (sc: k8s.V1PodSecurityContext) => (s: k8s.V1StatefulSet) => {
  s.spec!.template.spec!.securityContext = sc;
};

/** Waits for the pod's crash loop; its last exit code and the last line its previous run logged. */
async function crashLoop(ns: string, name: string, container?: string): Promise<{ exitCode: number | undefined; lastLine: string | undefined }> {
  const pod = await podIn(ns, name, 'in CrashLoopBackOff', isCrashLooping);
  const log = await core.readNamespacedPodLog({ name, namespace: ns, previous: true, ...(container && { container }) });
  return { exitCode: pod.status!.containerStatuses![0]!.lastState?.terminated?.exitCode, lastLine: log.trim().split('\n').at(-1) };
}

/** Waits for the pod to be Ready without a restart. */
async function readyFirstTime(ns: string, name: string): Promise<void> {
  const pod = await podIn(ns, name, 'Ready', isReady);
  expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(0);
}

describe('a non-root data store on a fresh local volume (real kubelet)', () => {
  const gate = realNodeGate(kc);
  beforeAll(async () => {
    await gate.check();
  });

  it('as rendered (runAsUser 1001 + fsGroup 1001): the broker writes its data directory and becomes Ready', async () => {
    gate.ensure();
    const { ns, sts } = await runBroker('e2e-real-kafka');
    expect(sts.spec!.template.spec!.securityContext).toEqual({ runAsUser: 1001, fsGroup: 1001 });
    const pod = await podIn(ns, 'posthog-kafka-0', 'Ready', isReady);
    expect(pod.spec?.nodeName).toBe(REAL_NODE.name);
    const log = await core.readNamespacedPodLog({ name: 'posthog-kafka-0', namespace: ns, container: 'kafka' });
    expect(log).toMatch(/^kafka \d\d:\d\d:\d\d\.00 INFO {2}==> \*\* Kafka setup finished! \*\*$/m);
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it('the same StatefulSet without fsGroup: the kubelet leaves the volume root-owned, mkdir fails, the pod crash-loops with that log line', async () => {
    gate.ensure();
    const { ns } = await runBroker('e2e-real-kafka-nofsg', (s) => {
      delete s.spec!.template.spec!.securityContext!.fsGroup;
    });
    const pod = await podIn(ns, 'posthog-kafka-0', 'in CrashLoopBackOff', isCrashLooping);
    const cs = pod.status!.containerStatuses![0]!;
    expect(`${cs.lastState?.terminated?.exitCode} ${cs.lastState?.terminated?.reason}`).toBe('1 Error');
    expect(cs.ready).toBe(false);
    const log = await core.readNamespacedPodLog({ name: 'posthog-kafka-0', namespace: ns, container: 'kafka', previous: true });
    expect(log.trim().split('\n').at(-1)).toBe("mkdir: cannot create directory '/bitnami/kafka/data': Permission denied");
  });
});

// PostgreSQL as rendered: the entrypoint starts as root, takes PGDATA (a subdirectory of the
// volume) for uid 70 and drops to it; the password comes from the Secret through the
// kubelet; readiness is a real exec probe (pg_isready) run by the kubelet in the container.
describe('PostgreSQL as rendered, on a fresh local volume (real kubelet)', () => {
  const gate = realNodeGate(kc);
  beforeAll(async () => {
    await gate.check();
  });
  const withSecret = (password: string) => async (ns: string) => {
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'posthog-secrets' }, stringData: { POSTHOG_DB_PASSWORD: password } } });
  };

  it('initialises PGDATA as uid 70 (mode 700) and becomes Ready through the kubelet\'s exec probe', async () => {
    gate.ensure();
    const { ns, sts } = await runRendered('e2e-real-pg', 'posthog-postgres', PG_IMAGE, { before: withSecret('real-node-pg-pw') });
    expect(sts.spec!.template.spec!.containers[0]!.readinessProbe?.exec?.command).toEqual(['pg_isready', '-U', 'posthog', '-d', 'posthog']);
    const pod = await podIn(ns, 'posthog-postgres-0', 'Ready', isReady);
    expect(pod.spec?.nodeName).toBe(REAL_NODE.name);
    const log = await core.readNamespacedPodLog({ name: 'posthog-postgres-0', namespace: ns });
    expect(log).toContain('The files belonging to this database system will be owned by user "postgres".');
    expect(log).toContain('PostgreSQL init process complete; ready for start up.');
    expect(log).not.toContain('real-node-pg-pw');
    const stat = await kubectlExec(kubeconfig, inject('clusterBinDir'), ns, 'posthog-postgres-0', ['stat', '-c', '%u %a %n', '/var/lib/postgresql/data/pgdata', '/var/lib/postgresql/data/pgdata/PG_VERSION']);
    expect(stat.trim().split('\n')).toEqual(['70 700 /var/lib/postgresql/data/pgdata', '70 644 /var/lib/postgresql/data/pgdata/PG_VERSION']);
  });

  it('with an empty password in the Secret: the entrypoint\'s own error, exit 1, CrashLoopBackOff', async () => {
    gate.ensure();
    const { ns } = await runRendered('e2e-real-pg-nopw', 'posthog-postgres', PG_IMAGE, { before: withSecret('') });
    const pod = await podIn(ns, 'posthog-postgres-0', 'in CrashLoopBackOff', isCrashLooping);
    expect(`${pod.status!.containerStatuses![0]!.lastState?.terminated?.exitCode}`).toBe('1');
    const log = await core.readNamespacedPodLog({ name: 'posthog-postgres-0', namespace: ns, previous: true });
    expect(log.split('\n')[0]).toBe('Error: Database is uninitialized and superuser password is not specified.');
  });
});

// Redis as rendered: the entrypoint starts as root, takes /data for redis (uid 999) and
// drops to it; redis-server opens appendonly.aof in /data at start; readiness is the
// kubelet's exec of redis-cli ping with the password from the Secret.
describe('Redis as rendered, on a fresh local volume (real kubelet)', () => {
  const gate = realNodeGate(kc);
  beforeAll(async () => {
    await gate.check();
  });
  const secret = async (ns: string) => {
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'posthog-secrets' }, stringData: { POSTHOG_REDIS_PASSWORD: 'real-node-redis-pw' } } });
  };

  it('as rendered (root entrypoint, fsGroup 1000): /data taken for uid 999, Ready through the kubelet\'s exec of redis-cli ping', async () => {
    gate.ensure();
    const { ns, sts } = await runRendered('e2e-real-redis', 'posthog-redis', REDIS_IMAGE, { before: secret });
    expect(sts.spec!.template.spec!.securityContext).toEqual({ fsGroup: 1000 });
    const pod = await podIn(ns, 'posthog-redis-0', 'Ready', isReady);
    expect(pod.spec?.nodeName).toBe(REAL_NODE.name);
    const log = await core.readNamespacedPodLog({ name: 'posthog-redis-0', namespace: ns });
    expect(log).toMatch(/^\d+:M \d\d \w{3} \d{4} [\d:.]+ \* Ready to accept connections$/m);
    expect(log).not.toContain('real-node-redis-pw');
    const stat = await kubectlExec(kubeconfig, inject('clusterBinDir'), ns, 'posthog-redis-0', ['stat', '-c', '%u %g %n', '/data/appendonly.aof']);
    expect(stat.trim()).toBe('999 1000 /data/appendonly.aof');
  });

  it('run as uid 999 from the start and without fsGroup: the root-owned volume refuses appendonly.aof, redis-server exits 1, CrashLoopBackOff', async () => {
    gate.ensure();
    const { ns } = await runRendered('e2e-real-redis-nofsg', 'posthog-redis', REDIS_IMAGE, {
      before: secret,
      edit: podSecurity({ runAsUser: 999, runAsGroup: 1000 }),
    });
    const c = await crashLoop(ns, 'posthog-redis-0');
    expect(c.exitCode).toBe(1);
    expect(c.lastLine).toMatch(/^\d+:M \d\d \w{3} \d{4} [\d:.]+ # Can't open the append-only file: Permission denied$/);
  });

  it('run as uid 999 with fsGroup 1000: the kubelet makes the volume group-writable, Ready', async () => {
    gate.ensure();
    const { ns } = await runRendered('e2e-real-redis-uid', 'posthog-redis', REDIS_IMAGE, {
      before: secret,
      edit: podSecurity({ runAsUser: 999, runAsGroup: 1000, fsGroup: 1000 }),
    });
    await readyFirstTime(ns, 'posthog-redis-0');
  });
});

// ZooKeeper as rendered: /data and /datalog are subPaths of one fresh volume; the official
// entrypoint starts as root, takes them for uid 1000 and drops to it, then writes myid.
describe('ZooKeeper as rendered, on a fresh local volume (real kubelet)', () => {
  const gate = realNodeGate(kc);
  beforeAll(async () => {
    await gate.check();
  });

  it('as rendered (root entrypoint, fsGroup 1000): myid written as uid 1000, Ready, answers ruok with imok', async () => {
    gate.ensure();
    const { ns, sts } = await runRendered('e2e-real-zk', 'posthog-zookeeper', ZK_IMAGE);
    expect(sts.spec!.template.spec!.securityContext).toEqual({ fsGroup: 1000 });
    const pod = await podIn(ns, 'posthog-zookeeper-0', 'Ready', isReady);
    expect(pod.spec?.nodeName).toBe(REAL_NODE.name);
    const exec = (cmd: string[]) => kubectlExec(kubeconfig, inject('clusterBinDir'), ns, 'posthog-zookeeper-0', cmd);
    expect((await exec(['stat', '-c', '%u %n', '/data/myid', '/datalog/version-2'])).trim().split('\n')).toEqual(['1000 /data/myid', '1000 /datalog/version-2']);
    expect(await exec(['sh', '-c', 'printf ruok | nc 127.0.0.1 2181'])).toBe('imok');
  });

  it('run as uid 1000 from the start and without fsGroup: the entrypoint cannot write myid, exit 1, CrashLoopBackOff', async () => {
    gate.ensure();
    const { ns } = await runRendered('e2e-real-zk-nofsg', 'posthog-zookeeper', ZK_IMAGE, {
      edit: podSecurity({ runAsUser: 1000, runAsGroup: 1000 }),
    });
    expect(await crashLoop(ns, 'posthog-zookeeper-0')).toEqual({ exitCode: 1, lastLine: '/docker-entrypoint.sh: line 49: /data/myid: Permission denied' });
  });

  it('run as uid 1000 with fsGroup 1000: the kubelet makes the volume and its subPath directories group-writable, Ready', async () => {
    gate.ensure();
    const { ns } = await runRendered('e2e-real-zk-uid', 'posthog-zookeeper', ZK_IMAGE, {
      edit: podSecurity({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }),
    });
    await readyFirstTime(ns, 'posthog-zookeeper-0');
  });
});

// ClickHouse as rendered: the init container copies events.proto, the entrypoint starts as
// root, creates and chowns the server's directories for 101 and drops to it; readiness is
// the kubelet's own HTTP GET /ping on 8123.
describe('ClickHouse as rendered, on a fresh local volume (real kubelet)', () => {
  const gate = realNodeGate(kc);
  beforeAll(async () => {
    await gate.check();
  });
  const prepare = async (ns: string) => {
    const cm = (await renderedObjects(ns)).find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'posthog-clickhouse-config') as k8s.V1ConfigMap;
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: cm.metadata!.name! }, data: cm.data! } });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'posthog-secrets' }, stringData: { CLICKHOUSE_PASSWORD: 'real-node-ch-pw' } } });
  };
  const run = (prefix: string, securityContext?: k8s.V1PodSecurityContext) =>
    runRendered(prefix, 'posthog-clickhouse', CH_IMAGE, {
      before: prepare,
      edit: (s) => {
        for (const c of s.spec!.template.spec!.initContainers ?? []) c.image = CH_IMAGE;
        if (securityContext) podSecurity(securityContext)(s);
      },
    });

  it('as rendered (root entrypoint, fsGroup 101): its directories taken for 101, Ready through the kubelet\'s GET /ping', async () => {
    gate.ensure();
    const { ns, sts } = await run('e2e-real-ch');
    expect(sts.spec!.template.spec!.securityContext).toEqual({ fsGroup: 101 });
    const pod = await podIn(ns, 'posthog-clickhouse-0', 'Ready', isReady);
    expect(pod.spec?.nodeName).toBe(REAL_NODE.name);
    const stat = await kubectlExec(kubeconfig, inject('clusterBinDir'), ns, 'posthog-clickhouse-0', ['stat', '-c', '%u %n', '/var/lib/clickhouse/status', '/var/lib/clickhouse/tmp', '/etc/clickhouse-server/format_schemas/events.proto']);
    expect(stat.trim().split('\n')).toEqual(['101 /var/lib/clickhouse/status', '101 /var/lib/clickhouse/tmp', '101 /etc/clickhouse-server/format_schemas/events.proto']);
    const log = await core.readNamespacedPodLog({ name: 'posthog-clickhouse-0', namespace: ns, container: 'clickhouse' });
    expect(log).toMatch(/<Information> Application: Ready for connections\.$/m);
  });

  it('run as uid 101 from the start and without fsGroup: the entrypoint cannot create tmp/ on the root-owned volume, exit 1, CrashLoopBackOff', async () => {
    gate.ensure();
    const { ns } = await run('e2e-real-ch-nofsg', { runAsUser: 101, runAsGroup: 101 });
    expect(await crashLoop(ns, 'posthog-clickhouse-0', 'clickhouse')).toEqual({ exitCode: 1, lastLine: "Couldn't create necessary directory: /var/lib/clickhouse/tmp/" });
  });

  it('run as uid 101 with fsGroup 101: the kubelet makes the volume group-writable, Ready', async () => {
    gate.ensure();
    const { ns } = await run('e2e-real-ch-uid', { runAsUser: 101, runAsGroup: 101, fsGroup: 101 });
    await readyFirstTime(ns, 'posthog-clickhouse-0');
  });
});

// PostHog's migration Job as vh-deploy renders it, run from the contract image of
// posthog/posthog:release-1.43.0 (test/images/posthog). The version PostgreSQL would answer
// is the container's VH_CONTRACT_POSTGRES_VERSION (the image cannot speak PostgreSQL's
// protocol); what decides is PostHog's own check and SKIP_SERVICE_VERSION_REQUIREMENTS in
// vh-deploy's posthog-config.
describe('PostHog migrate and the service version check (real kubelet)', () => {
  const gate = realNodeGate(kc);
  beforeAll(async () => {
    await gate.check();
  });

  async function runMigrate(prefix: string, extra: string[], postgresVersion: string): Promise<{ ns: string; job: string; config: Record<string, string> }> {
    const ns = await realNodeNamespace(kc, prefix);
    namespaces.push(ns);
    const items = await renderedObjects(ns, extra);
    const cm = items.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'posthog-config') as k8s.V1ConfigMap;
    const job = items.find((o) => o.kind === 'Job' && o.metadata?.name?.startsWith('posthog-migrate-')) as k8s.V1Job;
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'posthog-config' }, data: cm.data! } });
    // The render masks Secret values: the test's own.
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'posthog-secrets' }, stringData: { SECRET_KEY: 'real-node-secret-key', POSTHOG_DB_PASSWORD: 'real-node-db-pw' } } });
    delete job.metadata!.annotations;
    const c = job.spec!.template.spec!.containers[0]!;
    c.image = POSTHOG_IMAGE;
    c.env = [...(c.env ?? []), { name: 'VH_CONTRACT_POSTGRES_VERSION', value: postgresVersion }];
    await batch.createNamespacedJob({ namespace: ns, body: job });
    return { ns, job: job.metadata!.name!, config: cm.data! };
  }
  const migratePod = (ns: string, job: string, what: string, ok: (p: k8s.V1Pod) => boolean) =>
    waitFor(`a pod of ${job} ${what}`, async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: `job-name=${job}` })).items.find(ok), { timeoutMs: 90_000 });

  it('PostgreSQL 14.3 (> 14.1): migrate exits 1 with PostHog\'s own line', async () => {
    gate.ensure();
    const { ns, job, config } = await runMigrate('e2e-real-ph-pg14', [], '14.3');
    expect(config.SKIP_SERVICE_VERSION_REQUIREMENTS ?? '').not.toBe('1');
    const pod = await migratePod(ns, job, 'Failed', (p) => p.status?.phase === 'Failed');
    const t = pod.status!.containerStatuses![0]!.state!.terminated!;
    expect(`${t.exitCode} ${t.reason}`).toBe('1 Error');
    const log = await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: ns, container: 'migrate' });
    expect(log.trim()).toBe(
      '\u001b[91mService postgresql is in version 14.3.0. Expected range: >=11.0.0,<=14.1.0. PostHog may not work correctly with the current version. To continue anyway, add SKIP_SERVICE_VERSION_REQUIREMENTS=1 as an environment variable\u001b[0m',
    );
  });

  it('the same with --allow-untested-versions (SKIP_SERVICE_VERSION_REQUIREMENTS=1 in posthog-config): migrate completes', async () => {
    gate.ensure();
    const { ns, job, config } = await runMigrate('e2e-real-ph-skip', ['--posthog-version', 'release-1.44.0', '--allow-untested-versions'], '14.3');
    expect(config.SKIP_SERVICE_VERSION_REQUIREMENTS).toBe('1');
    const pod = await migratePod(ns, job, 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    const log = await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: ns, container: 'migrate' });
    expect(log).toContain('Skipping service version requirements. This is dangerous and PostHog might not work as expected!');
    expect(log).toContain('Running migrations:');
  });
});
