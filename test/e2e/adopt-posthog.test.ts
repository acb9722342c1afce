/// <reference path="../cluster/inject.d.ts" />
// Taking over a self-hosted PostHog that deploy-posthog.sh deployed (docs/adopt.md, issue
// 12). The script's data stores as published (PostgreSQL 14, Redis 7, ClickHouse 23.8)
// are newer than vh-deploy's: the take-over stops before any write and prints the steps.
// With the data stores pinned to vh-deploy's versions, --adopt converges: the volumes
// (same PV name and uid) are bound to vh-deploy's StatefulSet claims, the script's
// secrets carried over, nothing of the script left; a second run changes nothing; verify passes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, waitFor, namespaceNames } from '../cluster/e2e-helpers.js';
import { kc } from './support/day2.js';
import { expectRefusedWithoutAdopt, expectUnchangedRerun, fixtureText, historyRows, kubectlApply, run, scriptLeftovers, secretHashes, sha256 } from './support/legacy.js';
import { snapshot } from './support/snapshot.js';

// Deleted after this file's tests.
const nsName = namespaceNames(kc);

const LEGACY = { db: 'Legacy-pg-Pw0rd-4f9c2a', ch: 'Legacy-ch-Pw0rd-77b1e0', django: 'legacy-django-secret-key-0123456789abcdefghijklmnop' };
const SECRETS = Object.values(LEGACY).flatMap((v) => [v, Buffer.from(v).toString('base64')]);
const APPS = ['posthog-postgres', 'posthog-redis', 'posthog-clickhouse', 'posthog-web', 'posthog-worker'];
const CLAIMS = { 'posthog-postgres-pvc': 'data-posthog-postgres-0', 'posthog-redis-pvc': 'data-posthog-redis-0', 'posthog-clickhouse-pvc': 'data-posthog-clickhouse-0' };
const noSecrets = (...rs: Array<{ out: string; err: string }>) => {
  for (const r of rs) for (const s of SECRETS) expect(`${r.out}${r.err}`).not.toContain(s);
};

/** The script's PostHog in `ns`; `pinned`: its data stores at the versions vh-deploy runs (a user who pinned them). */
async function install(ns: string, pinned: boolean): Promise<void> {
  kubectlApply(fixtureText('namespace-voicehelper-prod.yaml', { 'voicehelper-prod': ns }));
  let text = fixtureText('posthog-deployment.yaml', {}).replace(/^(\s*namespace: )posthog$/gm, `$1${ns}`).replace(/^( {2}name: )posthog$/m, `$1${ns}`);
  if (pinned) text = text.replace('postgres:14-alpine', 'postgres:11.7-alpine').replace('redis:7-alpine', 'redis:6.2.7-alpine').replace('clickhouse/clickhouse-server:23.8-alpine', 'clickhouse/clickhouse-server:22.8.11.15');
  kubectlApply(text);
  await waitFor('the script\'s claims bound', async () => {
    const r = await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`);
    const items = (JSON.parse(r.body) as { items: Array<{ status?: { phase?: string } }> }).items;
    return items.length === 3 && items.every((c) => c.status?.phase === 'Bound');
  }, { timeoutMs: 60_000 });
}

async function claim(ns: string, name: string): Promise<{ volumeName: string; phase?: string } | undefined> {
  const r = await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`);
  if (r.status === 404) return undefined;
  const c = JSON.parse(r.body) as { spec: { volumeName: string }; status?: { phase?: string } };
  return { volumeName: c.spec.volumeName, ...(c.status?.phase && { phase: c.status.phase }) };
}
async function pv(name: string): Promise<{ uid: string; claim?: string; policy: string; phase?: string }> {
  const p = JSON.parse((await apiRequest(kc, 'GET', `/api/v1/persistentvolumes/${name}`)).body) as { metadata: { uid: string }; spec: { claimRef?: { name: string }; persistentVolumeReclaimPolicy: string }; status?: { phase?: string } };
  return { uid: p.metadata.uid, policy: p.spec.persistentVolumeReclaimPolicy, ...(p.spec.claimRef && { claim: p.spec.claimRef.name }), ...(p.status?.phase && { phase: p.status.phase }) };
}

describe('the script\'s PostHog as published: newer data stores than vh-deploy runs', () => {
  const ns = nsName('e2e-adopt-ph-new');
  beforeAll(() => install(ns, false), 90_000);

  it('--adopt stops before any write, naming each volume and the steps', async () => {
    const before = await snapshot(kc, ns);
    const r = await run(['self-hosted', '-n', ns, '--yes', '--adopt']);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain('cannot be taken over safely; nothing was written');
    expect(r.err).toContain('PersistentVolumeClaim/posthog-postgres-pvc holds PostgreSQL 14 data (postgres:14-alpine)');
    expect(r.err).toContain('pg_dump');
    expect(r.err).toContain('PersistentVolumeClaim/posthog-clickhouse-pvc holds ClickHouse 23.8 data');
    expect((await snapshot(kc, ns)).specs).toEqual(before.specs);
    expect((await snapshot(kc, ns)).revisions).toEqual([]);
    noSecrets(r);
  });
});

describe('the script\'s PostHog with its data stores at vh-deploy\'s versions', () => {
  const ns = nsName('e2e-adopt-ph');
  const volumes: Record<string, { name: string; uid: string }> = {};
  let legacy: Record<string, string>;
  beforeAll(async () => {
    await install(ns, true);
    for (const old of Object.keys(CLAIMS)) {
      const c = (await claim(ns, old))!;
      volumes[old] = { name: c.volumeName, uid: (await pv(c.volumeName)).uid };
    }
    legacy = await secretHashes(kc, ns, 'posthog-secret');
  }, 90_000);
  // The volumes are Retain now: deleting the namespace leaves them; delete them too.
  afterAll(async () => {
    for (const v of Object.values(volumes)) await apiRequest(kc, 'DELETE', `/api/v1/persistentvolumes/${v.name}`);
  });

  it('without --adopt in CI: exit 2, nothing written', async () => {
    noSecrets(await expectRefusedWithoutAdopt(kc, ns, ['self-hosted', '-n', ns, '--yes'], ['PersistentVolumeClaim/posthog-postgres-pvc', 'Deployment/posthog-postgres']));
  });

  it('--adopt: the volumes pass to vh-deploy\'s claims (same PV and uid), secrets carried over, nothing of the script left', async () => {
    const r = await run(['self-hosted', '-n', ns, '--yes', '--adopt', '--timeout', '4m'], {}, 300_000);
    expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    noSecrets(r);
    for (const [old, mine] of Object.entries(CLAIMS)) {
      expect(await claim(ns, old), old).toBeUndefined();
      const c = await claim(ns, mine);
      expect(c, mine).toEqual({ volumeName: volumes[old]!.name, phase: 'Bound' });
      expect(await pv(volumes[old]!.name)).toEqual({ uid: volumes[old]!.uid, claim: mine, policy: 'Retain', phase: 'Bound' });
    }
    const mine = await secretHashes(kc, ns, 'posthog-secrets');
    expect(mine.POSTHOG_DB_PASSWORD).toBe(legacy.POSTHOG_DB_PASSWORD);
    expect(mine.POSTHOG_DB_PASSWORD).toBe(sha256(LEGACY.db));
    expect(mine.CLICKHOUSE_PASSWORD).toBe(legacy.CLICKHOUSE_PASSWORD);
    expect(mine.SECRET_KEY).toBe(legacy.SECRET_KEY);
    await waitFor('the script\'s pods gone', async () => (await scriptLeftovers(kc, ns, APPS)).length === 0, { timeoutMs: 30_000 }).catch(() => undefined);
    expect(await scriptLeftovers(kc, ns, APPS)).toEqual([]);
    expect(await historyRows('self-hosted', ns)).toEqual([[1, 'deployed', 'adopt']]);
  }, 320_000);

  it('a second run changes nothing; verify passes', async () => {
    noSecrets(...(await expectUnchangedRerun(kc, ns, ['self-hosted', '-n', ns, '--yes', '--timeout', '3m'], 'self-hosted')));
  }, 300_000);
});
