/// <reference path="../cluster/inject.d.ts" />
// Taking over the PostHog Cloud connection deploy-posthog.sh `cloud` wrote (docs/adopt.md,
// issue 12): its ConfigMap/Secret names differ from vh-deploy's. Refused without --adopt in
// CI (exit 2, nothing written); with it, the key carried over into model-router-posthog
// and the script's pair deleted; a second run changes nothing; verify passes.
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, namespaceNames } from '../cluster/e2e-helpers.js';
import { kc, kubeconfig } from './support/day2.js';
import { runInPty } from './support/pty.js';
import { snapshot } from './support/snapshot.js';
import { expectRefusedWithoutAdopt, expectUnchangedRerun, fixtureText, historyRows, kubectlApply, run, scriptLeftovers, secretHashes, sha256 } from './support/legacy.js';

// Deleted after this file's tests.
const nsName = namespaceNames(kc);

const KEY = 'phc_LegacyCloudKey0123456789abcdefXYZ';
const SECRETS = [KEY, Buffer.from(KEY).toString('base64')];
const ns = nsName('e2e-adopt-cloud');

beforeAll(() => {
  kubectlApply(fixtureText('namespace-voicehelper-prod.yaml', { 'voicehelper-prod': ns }));
  kubectlApply(fixtureText('cloud.yaml', { 'voicehelper-prod': ns }));
});

describe('take over deploy-posthog.sh cloud', () => {
  let legacy: Record<string, string>;
  beforeAll(async () => {
    legacy = await secretHashes(kc, ns, 'model-router-posthog-secret');
  });

  it('on a terminal without --adopt: the plan is shown, then the question; no is exit 130, nothing written', async () => {
    const before = await snapshot(kc, ns);
    const r = await runInPty(['cloud', '-n', ns], { cols: 200, kubeconfig, answer: { expect: 'Take over these', send: 'n\r' } });
    expect(r.code, r.text).toBe(130);
    const plan = r.lines.findIndex((l) => l.includes('Secret/model-router-posthog-secret: deleted once the rest is in place (replaced by Secret/model-router-posthog)'));
    const question = r.lines.findIndex((l) => l.includes(`Take over these 3 objects of deploy-posthog.sh as shown, in namespace ${ns}`));
    expect(plan, r.text).toBeGreaterThanOrEqual(0);
    expect(question, r.text).toBeGreaterThan(plan);
    expect(r.text).toContain('cancelled; nothing was applied');
    expect((await snapshot(kc, ns)).specs).toEqual(before.specs);
    for (const s of SECRETS) expect(r.text).not.toContain(s);
  });

  it('without --adopt in CI: exit 2 naming the pair and the flag, nothing written', async () => {
    const r = await expectRefusedWithoutAdopt(kc, ns, ['cloud', '-n', ns, '--yes'], ['ConfigMap/model-router-posthog-config, Secret/model-router-posthog-secret']);
    for (const s of SECRETS) expect(`${r.out}${r.err}`).not.toContain(s);
  });

  it('--adopt: the key carried over, the script\'s pair gone, revision 1 kind adopt', async () => {
    const r = await run(['cloud', '-n', ns, '--yes', '--adopt']);
    expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    for (const s of SECRETS) expect(`${r.out}${r.err}`).not.toContain(s);
    expect(r.err).toContain('https://eu.posthog.com (from the install being taken over)');
    expect(await scriptLeftovers(kc, ns, [])).toEqual([]);
    for (const gone of ['configmaps/model-router-posthog-config', 'secrets/model-router-posthog-secret']) {
      expect((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/${gone}`)).status, gone).toBe(404);
    }
    const mine = await secretHashes(kc, ns, 'model-router-posthog');
    expect(mine.POSTHOG_API_KEY).toBe(legacy.POSTHOG_API_KEY);
    expect(mine.POSTHOG_API_KEY).toBe(sha256(KEY));
    const cm = JSON.parse((await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/configmaps/model-router-posthog`)).body) as { data: Record<string, string> };
    expect(cm.data.POSTHOG_HOST).toBe('https://eu.posthog.com');
    expect(await historyRows('cloud', ns)).toEqual([[1, 'deployed', 'adopt']]);
  });

  it('a second run changes nothing; verify passes', async () => {
    for (const r of await expectUnchangedRerun(kc, ns, ['cloud', '-n', ns, '--yes'], 'cloud', { VH_DEPLOY_POSTHOG_API_KEY: KEY })) {
      for (const s of SECRETS) expect(`${r.out}${r.err}`).not.toContain(s);
    }
  });
});
