/// <reference path="../cluster/inject.d.ts" />
// `cloud --host https://posthog.internal:8443` then `model-router`: the Model Router's
// NetworkPolicy lets the pods reach that port (it used to open the in-cluster 8000).
import * as k8s from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import { deleteNamespaces } from '../cluster/e2e-helpers.js';
import { cli, created, kc, KEY, noSecrets, nsName, routerArgs } from './support/day2.js';

afterAll(async () => {
  await deleteNamespaces(kc, created);
});

// Plain http is accepted only for in-cluster *.svc, *.internal (a private-use TLD) and
// loopback hosts: the API key would travel unencrypted (test/e2e/support/bad-inputs.ts
// holds the refusal of a public host).
it.each(['http://posthog.internal:8443', 'http://posthog-web.posthog.svc:8443', 'https://posthog.internal:8443'])('cloud --host %s: the NetworkPolicy follows the stored connection: egress to 8443, not 8000', async (host) => {
  const ns = nsName('e2e-conn-port');
  const c = await cli(['cloud', '-n', ns, '--host', host, '--yes'], { VH_DEPLOY_POSTHOG_API_KEY: KEY });
  expect(c.code, c.err).toBe(0);
  const r = await cli(routerArgs(ns));
  expect(r.code, r.err).toBe(0);
  noSecrets(c, r);
  const np = await kc.makeApiClient(k8s.NetworkingV1Api).readNamespacedNetworkPolicy({ name: 'model-router', namespace: ns });
  const ports = (np.spec?.egress ?? []).flatMap((e) => (e.ports ?? []).map((p) => p.port));
  expect(ports).toContain(8443);
  expect(ports).not.toContain(8000);
});
