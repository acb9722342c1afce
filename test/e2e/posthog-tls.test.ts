/// <reference path="../cluster/inject.d.ts" />
// self-hosted --tls-secret NAME (issue 10, TLS without cert-manager): preflight refuses a
// Secret that does not exist or is not kubernetes.io/tls (exit 2, nothing written, its
// data never printed); with a TLS Secret the Ingress serves it and SITE_URL is https.
import { afterAll, describe, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { cli, core, created, kc, nsName } from './support/day2.js';
import * as k8s from '@kubernetes/client-node';

const net = kc.makeApiClient(k8s.NetworkingV1Api);

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

// Not a real certificate: the API server only checks that both keys are there.
const FAKE_CERT = 'e2e-not-a-certificate-c3VwZXJzZWNyZXQ';
const FAKE_KEY = 'e2e-not-a-private-key-bm90IGEga2V5IGF0IGFsbA';

describe('self-hosted --tls-secret', () => {
  const ns = nsName('e2e-tls');
  const args = (secret: string) => ['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--tls-secret', secret, '--yes', '--timeout', '2m'];

  it('a missing Secret, or one that is not kubernetes.io/tls, is exit 2 before anything is written', async () => {
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const missing = await cli(args('posthog-cert'));
    expect(missing.code, missing.err).toBe(2);
    expect(missing.err).toContain(`Secret ${ns}/posthog-cert does not exist (Ingress/${ns}/posthog serves TLS with it)`);
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'opaque-cert' }, type: 'Opaque', stringData: { 'tls.crt': FAKE_CERT, 'tls.key': FAKE_KEY } } });
    const opaque = await cli(args('opaque-cert'));
    expect(opaque.code, opaque.err).toBe(2);
    expect(opaque.err).toContain(`Secret ${ns}/opaque-cert is of type Opaque, not kubernetes.io/tls`);
    for (const r of [missing, opaque]) for (const v of [FAKE_CERT, FAKE_KEY]) expect(r.out + r.err).not.toContain(v);
    expect((await core.listNamespacedConfigMap({ namespace: ns })).items.filter((c) => c.metadata?.name === 'posthog-config')).toEqual([]);
  });

  it('a kubernetes.io/tls Secret: the Ingress serves it, SITE_URL is https, the summary says so', async () => {
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'posthog-cert' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': FAKE_CERT, 'tls.key': FAKE_KEY } } });
    const r = await cli(args('posthog-cert'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^\s+TLS\s+existing Secret posthog-cert/m);
    for (const v of [FAKE_CERT, FAKE_KEY]) expect(r.out + r.err).not.toContain(v);
    const ing = await net.readNamespacedIngress({ name: 'posthog', namespace: ns });
    expect(ing.spec?.tls).toEqual([{ hosts: ['posthog.e2e.example.com'], secretName: 'posthog-cert' }]);
    expect(ing.metadata?.annotations?.['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect((await core.readNamespacedConfigMap({ name: 'posthog-config', namespace: ns })).data?.SITE_URL).toBe('https://posthog.e2e.example.com');
  });
});

describe('self-hosted without a TLS choice', () => {
  it('non-interactive: exit 2 naming --tls-issuer, --tls-secret and --insecure-http; nothing written', async () => {
    const ns = nsName('e2e-notls');
    const r = await cli(['self-hosted', '-n', ns, '--domain', 'posthog.e2e.example.com', '--yes']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: self-hosted: choose how PostHog is served .*--tls-issuer NAME .*--tls-secret NAME .*--insecure-http /m);
    await expect(core.readNamespace({ name: ns })).rejects.toThrow();
  });
});
