/// <reference path="../cluster/inject.d.ts" />
// Issue 13 items 5-7 against the real API server: a server dry run validates the objects
// of a namespace the plan creates (it used to skip them), render --show-secrets shows the
// generated secrets that are deployed (it used to make new ones), diff --exit-code and
// the stack names every command accepts. Each `it` failed on 7eb8bb7.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/errors.js';
import { dryRunObjects, STAND_IN_NAMESPACE } from '../../src/k8s/apply.js';
import { connect, type Cluster } from '../../src/k8s/client.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { cli, created, KEY, kc, nsName, routerArgs } from './support/day2.js';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { kubeconfig } from './support/day2.js';

/** self-hosted must be told how PostHog is served; by env, which a version without the switch ignores. */
const PLAIN_HTTP = { VH_DEPLOY_INSECURE_HTTP: 'true' };

let cluster: Cluster;
beforeAll(async () => {
  cluster = await connect({ kubeconfig, env: {} });
});
afterAll(async () => {
  cluster.close();
  await deleteNamespaces(kc, created);
});

const status = async (path: string) => (await cluster.request('GET', path)).status;

describe('5. a server dry run validates the objects of a namespace the plan creates', () => {
  const plan = (ns: string, name: string): KubeObject[] => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { a: '1' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0' }] } },
      },
    },
  ];

  it('an invalid object and an unknown field are rejected, nothing is written (neither namespace)', async () => {
    const ns = nsName('h13b-dry-bad');
    const [namespace, cm, dep] = plan(ns, 'h13b-dry-bad');
    (dep!.spec as Record<string, unknown>).replicas = -1;
    (cm as Record<string, unknown>).dataa = { b: '2' };
    const err = await dryRunObjects(cluster, [namespace!, cm!, dep!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    const msg = (err as Error).message;
    expect(msg).toContain('server-side dry run: 2 of 3 objects failed');
    expect(msg).toContain(`Deployment/${ns}/h13b-dry-bad: rejected by the API server:`);
    expect(msg).toMatch(/spec\.replicas/);
    expect(msg).toContain(`ConfigMap/${ns}/h13b-dry-bad: rejected by the API server:`);
    expect(msg).toMatch(/unknown field "dataa"|\.dataa/);
    expect(await status(`/api/v1/namespaces/${ns}`)).toBe(404);
    expect(await status(`/api/v1/namespaces/${STAND_IN_NAMESPACE}/configmaps/h13b-dry-bad`)).toBe(404);
  });

  it('a valid plan: every object is "created", validated in the stand-in namespace; nothing is written', async () => {
    const ns = nsName('h13b-dry-ok');
    const name = `h13b-dry-ok-${ns.slice(-5)}`;
    const dry = await dryRunObjects(cluster, plan(ns, name));
    expect(dry.map((r) => [r.ref, r.action, r.validatedIn ?? null])).toEqual([
      [`Namespace/${ns}`, 'created', null],
      [`ConfigMap/${ns}/${name}`, 'created', STAND_IN_NAMESPACE],
      [`Deployment/${ns}/${name}`, 'created', STAND_IN_NAMESPACE],
    ]);
    expect(await status(`/api/v1/namespaces/${ns}`)).toBe(404);
    expect(await status(`/apis/apps/v1/namespaces/${STAND_IN_NAMESPACE}/deployments/${name}`)).toBe(404);
  });

  it('an object whose name is taken in the stand-in namespace is still validated (AlreadyExists comes after validation)', async () => {
    const ns = nsName('h13b-dry-taken');
    const name = 'kube-root-ca.crt'; // a ConfigMap every namespace has, `default` included
    const good = await dryRunObjects(cluster, [plan(ns, name)[0]!, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { a: '1' } }]);
    expect(good.map((r) => r.action)).toEqual(['created', 'created']);
    const bad = await dryRunObjects(cluster, [plan(ns, name)[0]!, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { 'not a key!': '1' } }]).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(new RegExp(`ConfigMap/${ns}/kube-root-ca.crt: rejected by the API server: .*not a key!`));
  });

  it('without permission to create it in the stand-in namespace, an object is skipped and says it was not validated', async () => {
    // A ServiceAccount that may get, create and apply namespaces, nothing else (a binding of its
    // own: the shared limited user stays without rights for the other tests).
    const home = nsName('h13b-sa');
    const role = `h13b-dry-${home.slice(-6)}`;
    const post = async (path: string, body: unknown) => {
      const r = await cluster.request('POST', path, { body });
      expect(r.status, r.text).toBe(201);
      return r;
    };
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: home } });
    await post(`/api/v1/namespaces/${home}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'dry' } });
    await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'create', 'patch'] }] });
    let limited: Cluster | undefined;
    try {
      await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: role },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name: 'dry', namespace: home }],
      });
      const token = (await post(`/api/v1/namespaces/${home}/serviceaccounts/dry/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } })).json<{ status: { token: string } }>().status.token;
      const c = kc.getCurrentCluster()!;
      const file = join(mkdtempSync(join(tmpdir(), 'h13b-sa-')), 'kubeconfig');
      writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: c.server, ...(c.caData ? { 'certificate-authority-data': c.caData } : { 'certificate-authority': c.caFile }) } }], users: [{ name: 'dry', user: { token } }], contexts: [{ name: 'dry', context: { cluster: 'c', user: 'dry' } }], 'current-context': 'dry' }));
      limited = await connect({ kubeconfig: file, env: {} });
      const ns = nsName('h13b-dry-403');
      const dry = await dryRunObjects(limited, plan(ns, 'h13b-dry-403').slice(0, 2));
      expect(dry.map((r) => [r.ref, r.action, r.note ?? null])).toEqual([
        [`Namespace/${ns}`, 'created', null],
        [`ConfigMap/${ns}/h13b-dry-403`, 'skipped', `namespace ${ns} is created by this plan; not validated (no permission to create it in namespace ${STAND_IN_NAMESPACE})`],
      ]);
    } finally {
      limited?.close();
      await cluster.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${role}`);
      await cluster.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`);
    }
  });

  it('`--dry-run=server` of model-router into a new namespace: no object skipped, nothing written', async () => {
    const ns = nsName('h13b-srv');
    const r = await cli([...routerArgs(ns), '--posthog-host', 'https://eu.i.posthog.com', '--dry-run=server'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(r.code, r.err).toBe(0);
    expect(r.err + r.out).not.toMatch(/skipped/);
    expect(r.err).toMatch(new RegExp(`dry run: \\d+ objects validated in namespace ${STAND_IN_NAMESPACE}`));
    expect(r.out).toContain(`Deployment/${ns}/model-router\n`);
    expect(await status(`/api/v1/namespaces/${ns}`)).toBe(404);
  });

  it('`vh-deploy --dry-run=server` before the command works too (the mode is never swallowed)', async () => {
    const ns = nsName('h13b-srv2');
    const r = await cli(['--dry-run=server', 'cloud', '-n', ns, '--region', 'eu', '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`ConfigMap/${ns}/model-router-posthog\n`);
    expect(r.out).not.toMatch(/skipped/);
    expect(await status(`/api/v1/namespaces/${ns}`)).toBe(404);
  });
});

describe('6. render --show-secrets shows the generated secrets that are deployed', () => {
  it('reads posthog-secrets from the namespace instead of making new ones', async () => {
    const ns = nsName('h13b-render');
    const live = { SECRET_KEY: 'h13b-live-secret-key-0123456789', POSTHOG_DB_PASSWORD: 'h13b-live-db-password-0123' };
    expect((await cluster.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } })).status).toBe(201);
    const put = await cluster.request('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'posthog-secrets' }, stringData: live } });
    expect(put.status).toBe(201);
    const args = ['render', 'posthog', '-n', ns, '--domain', 'posthog.example.com', '--show-secrets'];
    const a = await cli(args, PLAIN_HTTP);
    const b = await cli(args, PLAIN_HTTP);
    expect(a.code, a.err).toBe(0);
    for (const v of Object.values(live)) expect(a.out).toContain(v);
    // Keys not in the live Secret are new, so only the live ones repeat run to run.
    expect(a.err).toMatch(new RegExp(`Secret values shown are the ones deployed: posthog-secrets in namespace ${ns}`));
    expect(b.out.match(/SECRET_KEY: .*/)![0]).toBe(a.out.match(/SECRET_KEY: .*/)![0]);
  });

  it('with nothing deployed yet, says the values are new', async () => {
    const ns = nsName('h13b-render-new');
    const r = await cli(['render', 'self-hosted', '-n', ns, '--domain', 'posthog.example.com', '--show-secrets'], PLAIN_HTTP);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(new RegExp(`warning: no Secret posthog-secrets in namespace ${ns} .*yet: its values shown are new random values`));
  });
});

describe('7. diff --exit-code and stack names', () => {
  it('exit 1 with changes, 0 without; every name of the stack works', async () => {
    const ns = nsName('h13b-diff');
    const env = { VH_DEPLOY_POSTHOG_API_KEY: KEY };
    const before = await cli(['diff', 'cloud', '-n', ns, '--region', 'eu', '--exit-code'], env);
    expect(before.code, before.err).toBe(1);
    expect(before.err).not.toMatch(/^error/m);
    expect(before.out).toMatch(new RegExp(`ConfigMap/${ns}/model-router-posthog`));
    // Without --exit-code, changes are shown and the exit is 0 (git diff's convention).
    expect((await cli(['diff', 'cloud', '-n', ns, '--region', 'eu'], env)).code).toBe(0);
    const deploy = await cli(['cloud', '-n', ns, '--region', 'eu', '--yes'], env);
    expect(deploy.code, deploy.err).toBe(0);
    for (const name of ['cloud', 'posthog-connection']) {
      const same = await cli(['diff', name, '-n', ns, '--region', 'eu', '--exit-code'], env);
      expect({ name, code: same.code, out: same.out }).toEqual({ name, code: 0, out: '' });
    }
    const changed = await cli(['diff', 'posthog-connection', '-n', ns, '--region', 'us', '--exit-code', '-o', 'json'], env);
    expect(changed.code, changed.err).toBe(1);
    const doc = JSON.parse(changed.out) as { changes: Array<{ ref: string; action: string }> };
    expect(doc.changes.map((c) => [c.ref, c.action])).toEqual([[`ConfigMap/${ns}/model-router-posthog`, 'changed']]);
  });

  it('diff posthog (the name day-2 commands use) diffs self-hosted', async () => {
    const ns = nsName('h13b-diff-ph');
    const r = await cli(['diff', 'posthog', '-n', ns, '--domain', 'posthog.example.com', '--exit-code'], PLAIN_HTTP);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(new RegExp(`Deployment/${ns}/posthog-web`));
  });
});
