// Revision records: selection ("last successful before current"), pruning to 10,
// encoding, and that no secret value is ever recorded.
import { describe, expect, it } from 'vitest';
import {
  chooseRollbackTarget,
  currentRevision,
  decodeRevision,
  encodeRevision,
  imagesOf,
  lastSuccessful,
  nextRevisionNumber,
  nonSecretValues,
  revisionSecret,
  revisionSecretName,
  revisionsToPrune,
  stripSecretData,
  supersededBy,
  type Revision,
} from '../../src/k8s/revisions.js';
import { revisionDraft } from '../../src/actions/lifecycle.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { cloudStack } from '../../src/stacks/posthog-connection/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';
import { secretKeys } from '../../src/stacks/day2.js';
import { rev } from './support/revisions.js';

const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { A: '1' } };

describe('rollback target', () => {
  it('is the last successful revision before the current, not merely the previous one', () => {
    const revs = [rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'failed'), rev(4, 'failed')];
    const c = chooseRollbackTarget(revs);
    expect(c.ok && [c.current.revision, c.target.revision]).toEqual([4, 2]);
  });
  it('skips rolled-back and pending revisions', () => {
    const revs = [rev(1, 'superseded'), rev(2, 'rolled-back'), rev(3, 'pending'), rev(4, 'deployed')];
    const c = chooseRollbackTarget(revs);
    expect(c.ok && c.target.revision).toBe(1);
  });
  it('after a rollback to N, the next rollback goes before N (no flip-flop)', () => {
    const revs = [rev(1, 'superseded'), rev(2, 'superseded'), rev(3, 'rolled-back'), rev(4, 'deployed', { command: 'rollback', rollbackTo: 2 })];
    const c = chooseRollbackTarget(revs);
    expect(c.ok && c.target.revision).toBe(1);
  });
  it('fails with the history when nothing successful precedes the current', () => {
    const c = chooseRollbackTarget([rev(1, 'failed'), rev(2, 'deployed')]);
    expect(c).toEqual({ ok: false, message: 'no successful revision before revision 2 to roll back to (history: 1 failed, 2 deployed)' });
    expect(chooseRollbackTarget([])).toEqual({ ok: false, message: 'no revisions are recorded' });
  });
  it('--to-revision picks exactly that revision, or says which are kept', () => {
    const revs = [rev(3, 'superseded'), rev(4, 'failed'), rev(5, 'deployed')];
    const c = chooseRollbackTarget(revs, 4);
    expect(c.ok && c.target.revision).toBe(4);
    expect(chooseRollbackTarget(revs, 1)).toEqual({ ok: false, message: 'revision 1 is not in the history (kept: 3, 4, 5)' });
  });
  it('passes over revisions that applied exactly what runs now (a re-run that changed nothing)', () => {
    const same = [{ ...manifest, data: { A: 'v2' } }];
    const choice = chooseRollbackTarget([rev(1, 'superseded'), rev(2, 'superseded', { manifests: same }), rev(3, 'deployed', { manifests: same })]);
    expect(choice.ok && choice.target.revision).toBe(1);
  });
  it('ignores revisions without manifests', () => {
    const c = chooseRollbackTarget([rev(1, 'superseded'), rev(2, 'superseded', { manifests: [] }), rev(3, 'deployed')]);
    expect(c.ok && c.target.revision).toBe(1);
  });
});

describe('current and last successful', () => {
  it('current is the newest revision not undone by a rollback', () => {
    expect(currentRevision([rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'rolled-back')])?.revision).toBe(2);
    expect(currentRevision([rev(1, 'deployed'), rev(2, 'failed')])?.revision).toBe(2);
    expect(currentRevision([])).toBeUndefined();
  });
  it('last successful is deployed or superseded', () => {
    expect(lastSuccessful([rev(1, 'superseded'), rev(2, 'failed'), rev(3, 'rolled-back')])?.revision).toBe(1);
    expect(lastSuccessful([rev(1, 'failed')])).toBeUndefined();
  });
  it('numbers continue after the highest, even after pruning', () => {
    expect(nextRevisionNumber([])).toBe(1);
    expect(nextRevisionNumber([rev(12, 'deployed'), rev(7, 'superseded')])).toBe(13);
  });
  it('a successful revision supersedes every older deployed one', () => {
    expect(supersededBy([rev(1, 'deployed'), rev(2, 'failed'), rev(3, 'deployed')], 3).map((r) => [r.revision, r.status])).toEqual([[1, 'superseded']]);
  });
});

describe('pruning', () => {
  it('keeps the last 10', () => {
    const revs = Array.from({ length: 13 }, (_, i) => rev(i + 1, i === 12 ? 'deployed' : 'superseded'));
    expect(revisionsToPrune(revs)).toEqual([1, 2, 3]);
    expect(revisionsToPrune(revs.slice(0, 10))).toEqual([]);
  });
  it('never prunes the newest successful revision, which a rollback needs', () => {
    const revs = [rev(1, 'superseded'), rev(2, 'deployed'), ...Array.from({ length: 10 }, (_, i) => rev(i + 3, 'failed'))];
    const pruned = revisionsToPrune(revs);
    expect(pruned).toEqual([1, 3]);
    expect(revs.length - pruned.length).toBe(10);
  });
  it('takes a custom limit', () => {
    expect(revisionsToPrune([rev(1, 'superseded'), rev(2, 'superseded'), rev(3, 'deployed')], 2)).toEqual([1]);
  });
});

describe('records carry no secret', () => {
  const DB = 'db-p@ss:w0rd/1';
  const OPENAI = 'sk-unittestunittestunittest00';
  const KEY = 'phc_unitUNITunitUNITunit0123';
  const values = {
    image: 'registry.example.com/model-router:1.4.2',
    dbHost: 'pg',
    dbPort: 5432,
    dbName: 'model_router',
    dbUser: 'router',
    dbSslMode: 'require',
    dbPassword: DB,
    dbPasswordFile: '/run/secrets/db',
    redisAddr: 'redis:6379',
    openaiApiKey: OPENAI,
    posthogHost: 'https://eu.i.posthog.com',
    posthogApiKey: KEY,
    replicas: undefined,
  };
  it('non-secret values drop secret fields, their -file twins and undefined', () => {
    const v = nonSecretValues(values, secretKeys(modelRouterStack));
    expect(Object.keys(v).sort()).toEqual(['dbHost', 'dbName', 'dbPort', 'dbSslMode', 'dbUser', 'image', 'posthogHost', 'redisAddr']);
  });
  it('manifests lose Secret data and stringData, nothing else', () => {
    const objects = renderStack(modelRouterStack, values, offlineContext('ns'));
    const stripped = stripSecretData(objects);
    for (const s of stripped.filter((o) => o.kind === 'Secret')) {
      expect(s.data).toBeUndefined();
      expect(s.stringData).toBeUndefined();
    }
    expect(stripped.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'model-router-config')).toEqual(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'model-router-config'));
    // The input is not modified.
    expect(objects.find((o) => o.kind === 'Secret')?.data).toBeDefined();
  });
  it('a whole revision Secret (as stored) contains no secret value, in any encoding', () => {
    const objects = renderStack(modelRouterStack, values, offlineContext('ns'));
    const draft = revisionDraft({ stack: modelRouterStack, namespace: 'ns', command: 'model-router', description: 'deploy', values, objects });
    const r: Revision = { ...draft, revision: 1, status: 'deployed', time: 't', updated: 't' };
    const stored = JSON.stringify(revisionSecret(r));
    const plain = JSON.stringify(decodeRevision(encodeRevision(r)));
    for (const s of [DB, OPENAI, KEY]) {
      for (const form of [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]) {
        expect(plain).not.toContain(form);
        expect(stored).not.toContain(form);
      }
    }
    expect(r.images).toEqual(['registry.example.com/model-router:1.4.2']);
    expect(r.version).toBe('1.4.2');
    expect(r.values.dbPasswordFile).toBeUndefined();
  });
  it('the cloud stack records neither the key nor its file', () => {
    const v = nonSecretValues({ region: 'eu', posthogApiKey: KEY, posthogApiKeyFile: '/k', checkKey: true }, secretKeys(cloudStack));
    expect(v).toEqual({ region: 'eu', checkKey: true });
  });
});

describe('storage format', () => {
  it('is a typed, labelled Secret named vh-deploy.<stack>.v<N>, gzipped JSON that round-trips', () => {
    const r = rev(7, 'deployed', { values: { image: 'x:1' } });
    const s = revisionSecret(r);
    expect(s.metadata.name).toBe(revisionSecretName('model-router', 7));
    expect(s.metadata.name).toBe('vh-deploy.model-router.v7');
    expect(s.type).toBe('vh-deploy.io/revision');
    expect(s.metadata.labels).toMatchObject({ 'vh-deploy.io/revision-of': 'model-router', owner: 'vh-deploy', 'vh-deploy.io/revision': '7', 'vh-deploy.io/status': 'deployed' });
    const data = (s.data as Record<string, string>).revision!;
    expect(Buffer.from(data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip magic
    expect(decodeRevision(data)).toEqual(r);
  });
  it('images come from every pod template, init containers included, once each', () => {
    const d = (name: string, images: string[], init: string[] = []) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: { template: { spec: { initContainers: init.map((image) => ({ name: 'i', image })), containers: images.map((image) => ({ name: 'c', image })) } } },
    });
    expect(imagesOf([d('a', ['x:1'], ['busybox:1']), d('b', ['x:1', 'y:2']), manifest])).toEqual(['busybox:1', 'x:1', 'y:2']);
  });
});
