// The take-over of an install deploy-posthog.sh made (docs/adopt.md): which objects count
// as the script's, what becomes of each, how ownership passes from client-side apply to
// vh-deploy, and the values the Model Router's table reads from them.
import { describe, expect, it } from 'vitest';
import { CLIENT_SIDE_APPLY_MANAGER, isClientSideApplied, LAST_APPLIED, labelsMatch, planTakeover, templateClaim, upgradeManagedFields, volumeMoveProblems, type FoundLegacy } from '../../src/k8s/takeover.js';
import { canOpen, posthogLegacy, versionOf } from '../../src/stacks/posthog/legacy.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { modelRouterLegacy } from '../../src/stacks/model-router/legacy.js';
import { takeoverLines } from '../../src/actions/adopt.js';
import { chooseRollbackTarget, type Revision } from '../../src/k8s/revisions.js';

const obj = (kind: string, name: string, extra: Partial<KubeObject> = {}, meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
  kind,
  ...extra,
  metadata: { name, namespace: 'ns', ...meta },
});
const csa = { annotations: { [LAST_APPLIED]: '{}' }, managedFields: [{ manager: CLIENT_SIDE_APPLY_MANAGER, operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:A': {} } } }] };

describe('isClientSideApplied', () => {
  it('is the script\'s with the annotation or the manager, and not vh-deploy\'s', () => {
    expect(isClientSideApplied(obj('ConfigMap', 'a', {}, csa), 'vh-deploy')).toBe(true);
    expect(isClientSideApplied(obj('ConfigMap', 'a', {}, { managedFields: csa.managedFields }), 'vh-deploy')).toBe(true);
    expect(isClientSideApplied(obj('ConfigMap', 'a', {}, { managedFields: [{ manager: 'kubectl-create', operation: 'Update' }] }), 'vh-deploy')).toBe(false);
    expect(isClientSideApplied(obj('ConfigMap', 'a', {}, { ...csa, labels: { 'app.kubernetes.io/managed-by': 'vh-deploy' } }), 'vh-deploy')).toBe(false);
    expect(isClientSideApplied(obj('ConfigMap', 'a', {}, { ...csa, managedFields: [...csa.managedFields, { manager: 'vh-deploy', operation: 'Apply' }] }), 'vh-deploy')).toBe(false);
  });
  it('labels must all match', () => {
    expect(labelsMatch(obj('Service', 's', {}, { labels: { app: 'model-router', x: 'y' } }), { app: 'model-router' })).toBe(true);
    expect(labelsMatch(obj('Service', 's', {}, { labels: { app: 'other' } }), { app: 'model-router' })).toBe(false);
    expect(labelsMatch(obj('Service', 's'), undefined)).toBe(true);
    expect(labelsMatch(obj('Deployment', 'd', { spec: { selector: { matchLabels: { app: 'posthog-web' } } } }), { app: 'posthog-web' })).toBe(true);
    expect(labelsMatch(obj('Deployment', 'd', { spec: { selector: { matchLabels: { app: 'other' } } } }), { app: 'posthog-web' })).toBe(false);
  });
});

describe('upgradeManagedFields', () => {
  it('hands the client-side apply set to vh-deploy as an Apply', () => {
    const out = upgradeManagedFields([...csa.managedFields, { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1' }], 'vh-deploy');
    expect(out).toEqual([
      { manager: 'vh-deploy', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:A': {} } } },
      { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1' },
    ]);
  });
  it('merges into vh-deploy\'s own Apply entry of the same apiVersion', () => {
    const own = { manager: 'vh-deploy', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:B': {} }, 'f:metadata': {} } };
    expect(upgradeManagedFields([own, ...csa.managedFields], 'vh-deploy')).toEqual([{ ...own, fieldsV1: { 'f:data': { 'f:B': {}, 'f:A': {} }, 'f:metadata': {} } }]);
  });
  it('nothing to do without a client-side apply manager', () => {
    expect(upgradeManagedFields([{ manager: 'vh-deploy', operation: 'Apply' }], 'vh-deploy')).toBeUndefined();
  });
});

describe('planTakeover', () => {
  const dep = (labels: Record<string, string>) => obj('Deployment', 'model-router', { spec: { selector: { matchLabels: labels }, template: { metadata: { labels: { ...labels, version: 'v1' } } } } }, csa);
  const svc = (labels: Record<string, string>) => obj('Service', 'model-router', { spec: { selector: labels } }, csa);
  const newSel = { 'app.kubernetes.io/name': 'model-router', 'app.kubernetes.io/instance': 'model-router' };
  const plan = [dep(newSel), svc(newSel), obj('ConfigMap', 'model-router-config'), obj('Secret', 'model-router-secrets'), obj('ServiceAccount', 'model-router')];
  const entries = modelRouterLegacy.entries('ns');
  const found = (o: KubeObject): FoundLegacy => ({ entry: entries.find((e) => e.kind === o.kind && e.name === o.metadata.name)!, object: o });

  it('re-creates a workload whose selector changes, switches its Service late, removes what is replaced', () => {
    const tp = planTakeover(
      [found(dep({ app: 'model-router' })), found(svc({ app: 'model-router' })), found(obj('ConfigMap', 'model-router-config', {}, csa)), found(obj('Secret', 'model-router-secret', {}, csa)), found(obj('ServiceAccount', 'model-router-sa', {}, csa)), found(obj('PodDisruptionBudget', 'model-router-pdb', {}, csa))],
      plan,
    );
    expect(tp.recreate.map((r) => r.desired.metadata.name)).toEqual(['model-router']);
    expect(tp.late.map((r) => `${r.desired.kind}/${r.desired.metadata.name}`)).toEqual(['Service/model-router']);
    expect(tp.takeOver.map((r) => `${r.desired.kind}/${r.desired.metadata.name}`)).toEqual(['ConfigMap/model-router-config']);
    expect(tp.remove.map((r) => [`${r.live.kind}/${r.live.metadata.name}`, r.replacement?.metadata.name])).toEqual([
      ['Secret/model-router-secret', 'model-router-secrets'],
      ['ServiceAccount/model-router-sa', 'model-router'],
      ['PodDisruptionBudget/model-router-pdb', undefined],
    ]);
    const lines = takeoverLines(tp);
    expect(lines[1]).toBe(
      'Deployment/model-router: its selector changes (app=model-router → app.kubernetes.io/name=model-router,app.kubernetes.io/instance=model-router): deleted leaving its pods serving, vh-deploy\'s is created beside them, and the old pods go once the new ones are ready behind the Service',
    );
    expect(lines.at(-1)).toBe('PodDisruptionBudget/model-router-pdb: deleted once the rest is in place (vh-deploy has no such object in this plan)');
  });
  it('a Service whose old pods are not kept serving (a data store stopped first) is taken over at once', () => {
    const tp = planTakeover([found(svc({ app: 'model-router' }))], plan);
    expect(tp.late).toEqual([]);
    expect(tp.takeOver.map((r) => r.desired.kind)).toEqual(['Service']);
  });
  it('takes a workload over in place when its selector is the same', () => {
    const tp = planTakeover([found(dep(newSel)), found(svc(newSel))], plan);
    expect(tp.recreate).toEqual([]);
    expect(tp.late).toEqual([]);
    expect(tp.takeOver.map((r) => r.desired.kind)).toEqual(['Deployment', 'Service']);
  });
});

describe('the Model Router table reads the values the script held', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const f = (o: KubeObject): FoundLegacy => ({ entry: modelRouterLegacy.entries('ns').find((e) => e.kind === o.kind && e.name === o.metadata.name)!, object: o });
  it('config, secrets, image, HPA range and Ingress host; empty secrets left out', () => {
    const values = modelRouterLegacy.values([
      f(obj('ConfigMap', 'model-router-config', { data: { DB_HOST: 'pg', DB_PORT: '5432', DB_NAME: 'mr', DB_USER: 'u', DB_SSL_MODE: 'disable', REDIS_ADDR: 'r:6379', POSTHOG_ENABLED: 'true', POSTHOG_HOST: 'https://eu.posthog.com' } })),
      f(obj('Secret', 'model-router-secret', { data: { DB_PASSWORD: b64('pw'), POSTHOG_API_KEY: b64('phc_x'), REDIS_PASSWORD: '', OPENAI_API_KEY: b64('sk-o') } })),
      f(obj('Deployment', 'model-router', { spec: { replicas: 3, template: { spec: { containers: [{ name: 'model-router', image: 'r/mr:1' }] } } } })),
      f({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'model-router-hpa' }, spec: { minReplicas: 2, maxReplicas: 7 } }),
      f({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'model-router-ingress', annotations: { 'cert-manager.io/cluster-issuer': 'le' } }, spec: { rules: [{ host: 'mr.example.com' }] } }),
    ]);
    expect(values).toEqual({
      image: 'r/mr:1',
      dbHost: 'pg',
      dbPort: '5432',
      dbName: 'mr',
      dbUser: 'u',
      dbSslMode: 'disable',
      redisAddr: 'r:6379',
      dbPassword: 'pw',
      openaiApiKey: 'sk-o',
      posthogHost: 'https://eu.posthog.com',
      posthogApiKey: 'phc_x',
      minReplicas: 2,
      maxReplicas: 7,
      domain: 'mr.example.com',
      tlsIssuer: 'le',
    });
  });
  it('a fixed count without the HPA; no PostHog when it was disabled', () => {
    const values = modelRouterLegacy.values([
      f(obj('ConfigMap', 'model-router-config', { data: { POSTHOG_ENABLED: 'false', POSTHOG_HOST: 'https://eu.posthog.com' } })),
      f(obj('Secret', 'model-router-secret', { data: { POSTHOG_API_KEY: b64('phc_x') } })),
      f(obj('Deployment', 'model-router', { spec: { replicas: 4 } })),
    ]);
    expect(values).toEqual({ replicas: 4 });
  });
});

describe('rollback after an adoption', () => {
  const rev = (revision: number, extra: Partial<Revision> = {}): Revision => ({
    revision, stack: 's', namespace: 'ns', status: 'deployed', time: '', updated: '', vhDeployVersion: '', command: 'model-router', description: '', images: [], values: {}, manifests: [obj('ConfigMap', `c${revision}`)], ...extra,
  });
  it('the refusal says the objects taken over are never restored', () => {
    const c = chooseRollbackTarget([rev(1, { kind: 'adopt' })]);
    expect(c).toEqual({ ok: false, message: 'no successful revision before revision 1 to roll back to (history: 1 deployed); revision 1 took over objects another tool made, and their state before it was never recorded: no rollback restores them' });
  });
  it('a later revision rolls back to the adoption, no further', () => {
    const c = chooseRollbackTarget([rev(1, { kind: 'adopt', status: 'superseded' }), rev(2)]);
    expect(c.ok && c.target.revision).toBe(1);
  });
});

describe('a volume passes to vh-deploy\'s claim only when it safely can', () => {
  const claim = (phase = 'Bound'): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'posthog-postgres-pvc', namespace: 'ns' }, spec: { volumeName: 'pv-1' }, status: { phase } });
  const pv = (storage: string, cls = 'standard'): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { capacity: { storage }, storageClassName: cls } });
  const target = (storage: string, cls?: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-posthog-postgres-0' }, spec: { resources: { requests: { storage } }, ...(cls && { storageClassName: cls }) } });
  it('bound, big enough, same class, target free: no problem', () => {
    expect(volumeMoveProblems(claim(), pv('20Gi'), target('20Gi', 'standard'), false)).toEqual([]);
    expect(volumeMoveProblems(claim(), pv('20480Mi'), target('20Gi'), false)).toEqual([]);
  });
  it('each reason named', () => {
    expect(volumeMoveProblems(claim('Pending'), undefined, target('20Gi'), false)).toEqual(['PersistentVolumeClaim/posthog-postgres-pvc is Pending: no volume to keep']);
    expect(volumeMoveProblems(claim(), pv('10Gi', 'fast'), target('20Gi', 'standard'), true)).toEqual([
      'PersistentVolumeClaim/posthog-postgres-pvc: PersistentVolumeClaim/data-posthog-postgres-0 exists already; its volume is not the script\'s',
      'PersistentVolume/pv-1 holds 10Gi, less than the 20Gi vh-deploy\'s claim asks for',
      'PersistentVolume/pv-1 is of StorageClass fast, vh-deploy\'s claim asks for standard',
    ]);
  });
  it('the claim a StatefulSet template makes for pod 0', () => {
    const sts: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'posthog-postgres', namespace: 'ns' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '20Gi' } } } }] } };
    expect(templateClaim([sts], 'data-posthog-postgres-0')?.spec).toEqual({ resources: { requests: { storage: '20Gi' } } });
    expect(templateClaim([sts], 'data-posthog-redis-0')).toBeUndefined();
  });
});

describe('PostHog data versions', () => {
  it('reads the version of an image tag', () => {
    expect(versionOf('postgres:14-alpine')).toEqual([14]);
    expect(versionOf('clickhouse/clickhouse-server:23.8-alpine')).toEqual([23, 8]);
    expect(versionOf('postgres:11.7-alpine')).toEqual([11, 7]);
    expect(versionOf('postgres:latest')).toBeUndefined();
  });
  it('data of a newer format version cannot be opened', () => {
    expect(canOpen([14], [11, 7], 1)).toBe(false);
    expect(canOpen([11, 7], [11, 7], 1)).toBe(true);
    expect(canOpen([10], [11, 7], 1)).toBe(true);
    expect(canOpen([23, 8], [22, 8], 2)).toBe(false);
    expect(canOpen([22, 3], [22, 8], 2)).toBe(true);
  });
  it('the script\'s published data stores are refused, with the steps', () => {
    const f = (kind: string, name: string, image?: string): FoundLegacy => ({
      entry: posthogLegacy.entries('posthog').find((e) => e.kind === kind && e.name === name)!,
      object: { apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', kind, metadata: { name, namespace: 'posthog' }, ...(image && { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } }) },
    });
    const problems = posthogLegacy.dataProblems!([f('PersistentVolumeClaim', 'posthog-postgres-pvc'), f('Deployment', 'posthog-postgres', 'postgres:14-alpine'), f('PersistentVolumeClaim', 'posthog-redis-pvc'), f('Deployment', 'posthog-redis', 'redis:6.2.7-alpine')], {});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PersistentVolumeClaim\/posthog-postgres-pvc holds PostgreSQL 14 data \(postgres:14-alpine\); vh-deploy runs postgres:11\.7-alpine, .*pg_dump -U posthog -Fc posthog/);
  });
});
