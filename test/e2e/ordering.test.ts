/// <reference path="../cluster/inject.d.ts" />
// The order that matters, proven from the API server's own record: data stores ready →
// migration Job created; Job complete → web/worker/plugins created. And what is not
// ordered goes at once: the Ingress and the Services exist before the Job does.
//
// Times: creationTimestamp has one-second resolution, too coarse for a fake cluster that
// readies pods in milliseconds. Every watch event carries the object's resourceVersion;
// with the harness's single etcd that is the etcd revision of the write, one counter
// across all kinds, so "a happened before b" is rv(a) < rv(b). (resourceVersions are
// opaque to clients in general; this test relies on its own harness, not on the API.)
import * as k8s from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { cli, created, kc, nsName } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

interface Seen {
  kind: string;
  type: string;
  name: string;
  rv: number;
  obj: k8s.KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
}

async function record(ns: string, paths: Record<string, string>): Promise<{ seen: Seen[]; stop: () => void }> {
  const seen: Seen[] = [];
  const controllers = await Promise.all(
    Object.entries(paths).map(([kind, path]) =>
      new k8s.Watch(kc).watch(
        path.replace('NS', ns),
        { allowWatchBookmarks: false },
        (type, obj: Seen['obj']) => seen.push({ kind, type, name: obj.metadata!.name!, rv: Number(obj.metadata!.resourceVersion), obj }),
        () => {},
      ),
    ),
  );
  return { seen, stop: () => controllers.forEach((c) => c.abort()) };
}

const firstRv = (seen: Seen[], pred: (s: Seen) => boolean, what: string): number => {
  const s = seen.filter(pred).sort((a, b) => a.rv - b.rv)[0];
  expect(s, what).toBeDefined();
  return s!.rv;
};

it('self-hosted: data stores ready → Job created; Job complete → app created; Ingress and Services at once', async () => {
  const ns = nsName('e2e-order');
  const rec = await record(ns, {
    StatefulSet: '/apis/apps/v1/namespaces/NS/statefulsets',
    Job: '/apis/batch/v1/namespaces/NS/jobs',
    Deployment: '/apis/apps/v1/namespaces/NS/deployments',
    Ingress: '/apis/networking.k8s.io/v1/namespaces/NS/ingresses',
    Service: '/api/v1/namespaces/NS/services',
  });
  let r;
  try {
    r = await cli(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--insecure-http', '--yes', '--timeout', '2m']);
  } finally {
    rec.stop();
  }
  expect(r.code, r.err).toBe(0);
  const { seen } = rec;
  const stores = ['posthog-postgres', 'posthog-redis', 'posthog-clickhouse', 'posthog-kafka', 'posthog-zookeeper'];
  const readyRv = stores.map((name) =>
    firstRv(seen, (s) => s.kind === 'StatefulSet' && s.name === name && Number(s.obj.status?.readyReplicas ?? 0) >= Number(s.obj.spec?.replicas ?? 1), `${name} ready`),
  );
  const jobCreated = firstRv(seen, (s) => s.kind === 'Job' && s.type === 'ADDED', 'the Job created');
  const jobComplete = firstRv(
    seen,
    (s) => s.kind === 'Job' && ((s.obj.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((c) => c.type === 'Complete' && c.status === 'True'),
    'the Job complete',
  );
  expect(jobCreated).toBeGreaterThan(Math.max(...readyRv));
  for (const d of ['posthog-web', 'posthog-worker', 'posthog-plugins']) {
    expect(firstRv(seen, (s) => s.kind === 'Deployment' && s.name === d && s.type === 'ADDED', `${d} created`), d).toBeGreaterThan(jobComplete);
  }
  // Not held behind the data stores: the Ingress and every Service were created before any data store was ready.
  const firstReady = Math.min(...readyRv);
  expect(firstRv(seen, (s) => s.kind === 'Ingress' && s.type === 'ADDED', 'the Ingress created')).toBeLessThan(firstReady);
  for (const svc of ['posthog-web', 'posthog-postgres', 'posthog-kafka']) {
    expect(firstRv(seen, (s) => s.kind === 'Service' && s.name === svc && s.type === 'ADDED', `Service ${svc} created`), svc).toBeLessThan(firstReady);
  }
  // The report says what waited for what.
  expect(r.err).toMatch(/^ {4}⋯ Deployment\/\S+\/posthog-web waits for Job\/\S+\/posthog-migrate-[a-f0-9]{10}$/m);
});
