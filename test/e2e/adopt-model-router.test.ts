/// <reference path="../cluster/inject.d.ts" />
// Taking over a Model Router that deploy-posthog.sh deployed (docs/adopt.md, issue 12):
// refused without --adopt in CI (exit 2, nothing written); with it, converged with no
// moment without a ready endpoint, the script's secrets carried over, nothing of the
// script left; a second run changes nothing; verify passes; history shows the adoption.
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, waitFor, namespaceNames } from '../cluster/e2e-helpers.js';
import { kc, routerArgs, routerEnv } from './support/day2.js';
import { expectRefusedWithoutAdopt, expectUnchangedRerun, fixtureText, historyRows, kubectlApply, readyEndpoints, run, scriptLeftovers, secretHashes, sha256, watchEndpoints } from './support/legacy.js';

// Deleted after this file's tests.
const nsName = namespaceNames(kc);

// The values the fixture holds, as the script's user filled them in.
const LEGACY = {
  key: 'phc_LegacyRouterKey0123456789abcdefQ',
  db: 'Legacy-db-p@ss:w0rd/7',
  openai: 'sk-legacyopenaikey0123456789abcdef',
  anthropic: 'sk-ant-legacyanthropickey0123456789',
};
const SECRETS = Object.values(LEGACY).flatMap((v) => [v, encodeURIComponent(v), Buffer.from(v).toString('base64')]);

const ns = nsName('e2e-adopt-mr');
const noSecrets = (...rs: Array<{ out: string; err: string }>) => {
  for (const r of rs) for (const s of SECRETS) expect(`${r.out}${r.err}`).not.toContain(s);
};

beforeAll(async () => {
  kubectlApply(fixtureText('namespace-voicehelper-prod.yaml', { 'voicehelper-prod': ns }));
  kubectlApply(fixtureText('model-router-deployment.yaml', { 'voicehelper-prod': ns }));
  await waitFor('the script\'s 3 pods behind its Service', async () => (await readyEndpoints(kc, ns, 'model-router')) === 3, { timeoutMs: 30_000 });
}, 60_000);

describe('take over deploy-posthog.sh model-router', () => {
  let legacyHashes: Record<string, string>;
  beforeAll(async () => {
    legacyHashes = await secretHashes(kc, ns, 'model-router-secret');
  });

  it('without --adopt in CI: exit 2, names what was found and the flag, writes nothing', async () => {
    const r = await expectRefusedWithoutAdopt(kc, ns, ['model-router', '-n', ns, '--yes'], ['deploy-posthog.sh', 'Deployment/model-router', 'HorizontalPodAutoscaler/model-router-hpa']);
    expect(r.err).toMatch(/Deployment\/model-router: its selector changes \(app=model-router → /);
    const lease = await apiRequest(kc, 'GET', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/vh-deploy-lock-model-router`);
    expect(lease.status).toBe(404);
    noSecrets(r);
  });

  it('--adopt converges with a ready endpoint at every moment, secrets carried over, nothing of the script left', async () => {
    const watcher = watchEndpoints(kc, ns, 'model-router', 100);
    const r = await run(['model-router', '-n', ns, '--yes', '--adopt', '--timeout', '120s'], {}, 180_000);
    // Until the old pods are gone too.
    await waitFor('the old pods gone', async () => (await scriptLeftovers(kc, ns, ['model-router'])).length === 0, { timeoutMs: 30_000 }).catch(() => undefined);
    const seen = await watcher.stop();
    expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    noSecrets(r);
    // The watcher saw the whole take-over (it starts before the CLI and stops after the old pods are gone).
    expect(seen.polls).toBeGreaterThan(10);
    expect(seen.zeroAt).toEqual([]);
    expect(seen.min).toBeGreaterThanOrEqual(1);

    expect(await scriptLeftovers(kc, ns, ['model-router'])).toEqual([]);
    for (const gone of ['secrets/model-router-secret', 'serviceaccounts/model-router-sa']) {
      expect((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/${gone}`)).status, gone).toBe(404);
    }
    expect((await apiRequest(kc, 'GET', `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/model-router-hpa`)).status).toBe(404);
    expect((await apiRequest(kc, 'GET', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/model-router-pdb`)).status).toBe(404);
    expect((await apiRequest(kc, 'GET', `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/model-router-ingress`)).status).toBe(404);

    // The replacements, with the script's values.
    const ing = JSON.parse((await apiRequest(kc, 'GET', `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/model-router`)).body) as { spec: { rules: Array<{ host: string }> } };
    expect(ing.spec.rules[0]!.host).toBe('model-router.example-corp.com');
    const hpa = JSON.parse((await apiRequest(kc, 'GET', `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/model-router`)).body) as { spec: { minReplicas: number; maxReplicas: number } };
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 10]);
    const cm = JSON.parse((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/configmaps/model-router-config`)).body) as { data: Record<string, string> };
    expect(cm.data.DB_HOST).toBe(`postgres-service.${ns}.svc.cluster.local`);
    expect(cm.data.DB_SSL_MODE).toBe('disable');
    // What the script set and vh-deploy does not is gone with the take-over.
    expect(cm.data.CONSUL_ADDR).toBeUndefined();
    const svc = JSON.parse((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/services/model-router`)).body) as { spec: { selector: Record<string, string>; sessionAffinity: string } };
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'model-router', 'app.kubernetes.io/instance': 'model-router' });
    expect(svc.spec.sessionAffinity).toBe('None');

    const mine = await secretHashes(kc, ns, 'model-router-secrets');
    expect(mine.DB_PASSWORD).toBe(legacyHashes.DB_PASSWORD);
    expect(mine.DB_PASSWORD).toBe(sha256(LEGACY.db));
    expect(mine.OPENAI_API_KEY).toBe(legacyHashes.OPENAI_API_KEY);
    expect(mine.ANTHROPIC_API_KEY).toBe(legacyHashes.ANTHROPIC_API_KEY);
    expect((await secretHashes(kc, ns, 'model-router-posthog')).POSTHOG_API_KEY).toBe(legacyHashes.POSTHOG_API_KEY);
  }, 240_000);

  it('history shows revision 1 as the adoption', async () => {
    expect(await historyRows('model-router', ns)).toEqual([[1, 'deployed', 'adopt']]);
  });

  it('a second run changes nothing, and verify passes', async () => {
    // The secrets as the script's user knows them (vh-deploy records none).
    const env = { VH_DEPLOY_DB_PASSWORD: LEGACY.db, VH_DEPLOY_OPENAI_API_KEY: LEGACY.openai, VH_DEPLOY_ANTHROPIC_API_KEY: LEGACY.anthropic };
    noSecrets(...(await expectUnchangedRerun(kc, ns, ['model-router', '-n', ns, '--yes'], 'model-router', env)));
  }, 300_000);
});

describe('a namespace made with kubectl apply alone', () => {
  it('is not an install to take over: the deploy goes ahead without --adopt', async () => {
    const bare = nsName('e2e-adopt-ns');
    kubectlApply(fixtureText('namespace-voicehelper-prod.yaml', { 'voicehelper-prod': bare }));
    const r = await run([...routerArgs(bare, { extra: ['--posthog-host', 'https://eu.i.posthog.com'] }).filter((a) => a !== '--yes'), '--dry-run=server'], { ...routerEnv, VH_DEPLOY_POSTHOG_API_KEY: 'phc_BareNamespaceKey0123456789abcdef' }, 60_000);
    expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    expect(`${r.out}${r.err}`).not.toMatch(/deploy-posthog\.sh|--adopt/);
  }, 90_000);
});
