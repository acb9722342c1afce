// What an uninstall deletes, keeps and leaves alone, and in which order
// (src/k8s/uninstall-plan.ts); the revision rules after an uninstall
// (src/k8s/revisions.ts); the report's commands (src/ui/printers/uninstall.ts).
import { describe, expect, it } from 'vitest';
import { readersOfDeleted } from '../../src/actions/uninstall.js';
import { chooseRollbackTarget, currentRevision, lastSuccessful, resolveRevisions, sinceUninstall, supersededBy, uninstalledNow } from '../../src/k8s/revisions.js';
import { claimsOf, deletionWaves, ownershipOf, planUninstall, recordedObjects, type Ownership } from '../../src/k8s/uninstall-plan.js';
import { objectRef, type KubeObject } from '../../src/k8s/types.js';
import { modelRouterStack } from '../../src/stacks/model-router/index.js';
import { posthogStack } from '../../src/stacks/posthog/index.js';
import { offlineContext, renderStack } from '../../src/stacks/stack.js';
import { namespaceLines, removeCommands } from '../../src/ui/printers/uninstall.js';
import { rev } from './support/revisions.js';

const OWNER: Ownership = { labels: { 'app.kubernetes.io/managed-by': 'vh-deploy', 'vh-deploy.io/stack': 'posthog' }, manager: 'vh-deploy' };
const applied = (o: KubeObject, uid = `uid-${o.kind}-${o.metadata.name}`): KubeObject => ({
  ...structuredClone(o),
  metadata: { ...structuredClone(o.metadata), uid, managedFields: [{ manager: 'vh-deploy', operation: 'Apply' }, { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status' }] },
});
const claim = (name: string, labels: Record<string, string>, namespace = 'ph'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace, uid: `uid-${name}`, labels, managedFields: [{ manager: 'kube-controller-manager', operation: 'Update' }] },
});
const pgLabels = { 'app.kubernetes.io/name': 'posthog', 'app.kubernetes.io/instance': 'posthog', 'app.kubernetes.io/component': 'postgres' };
const refs = (w: { ref: string }[][]) => w.map((x) => x.map((d) => d.ref).sort());

describe('uninstall plan: self-hosted PostHog', () => {
  const recorded = renderStack(posthogStack, { domain: 'p.example.com' }, offlineContext('ph'));
  const job = recorded.find((o) => o.kind === 'Job')!.metadata.name;
  const live = new Map(recorded.map((o) => [objectRef(o), applied(o)]));
  const claims = [
    claim('data-posthog-postgres-0', pgLabels),
    // Same name in another namespace, a look-alike name, and the right name without the selector's labels: not the StatefulSet's.
    claim('data-posthog-postgres-0', pgLabels, 'elsewhere'),
    claim('data-posthog-postgres-x', pgLabels),
    claim('data-posthog-postgres-1', { 'app.kubernetes.io/name': 'posthog' }),
  ];
  const input = { recorded, live, claims, generatedSecrets: ['posthog-secrets'], deleteData: false, owner: OWNER };

  it('goes in reverse dependency order: Ingress, the apps, the migration Job, the data stores (Kafka before ZooKeeper), then Services and config', () => {
    const plan = planUninstall(input);
    expect(refs(plan.waves)).toEqual([
      ['Ingress/ph/posthog'],
      ['Deployment/ph/posthog-plugins', 'Deployment/ph/posthog-web', 'Deployment/ph/posthog-worker'],
      [`Job/ph/${job}`],
      ['StatefulSet/ph/posthog-clickhouse', 'StatefulSet/ph/posthog-kafka', 'StatefulSet/ph/posthog-postgres', 'StatefulSet/ph/posthog-redis'],
      ['StatefulSet/ph/posthog-zookeeper'],
      [
        'ConfigMap/ph/posthog-clickhouse-config',
        'ConfigMap/ph/posthog-config',
        'Service/ph/posthog-clickhouse',
        'Service/ph/posthog-kafka',
        'Service/ph/posthog-plugins',
        'Service/ph/posthog-postgres',
        'Service/ph/posthog-redis',
        'Service/ph/posthog-web',
        'Service/ph/posthog-zookeeper',
      ],
    ]);
  });
  it('keeps the data by default: the claims of recorded StatefulSets and the generated Secret; never the namespace', () => {
    const plan = planUninstall(input);
    expect(plan.kept.map((k) => `${k.ref} ${k.reason}`).sort()).toEqual([
      'Namespace/ph namespace',
      'PersistentVolumeClaim/ph/data-posthog-postgres-0 volumeClaim',
      'Secret/ph/posthog-secrets generatedSecret',
    ]);
    expect(plan.waves.flat().every((d) => !d.data)).toBe(true);
    expect(plan.skipped).toEqual([]);
    expect(plan.absent).toEqual([]);
  });
  it('with the data: the claims and the generated Secret go last, after every pod that reads them', () => {
    const plan = planUninstall({ ...input, deleteData: true });
    const last = plan.waves.at(-1)!;
    expect(last.filter((d) => d.data).map((d) => d.ref).sort()).toEqual(['PersistentVolumeClaim/ph/data-posthog-postgres-0', 'Secret/ph/posthog-secrets']);
    expect(plan.kept.map((k) => k.ref)).toEqual(['Namespace/ph']);
    // Each delete is conditional on the incarnation that was checked.
    expect(last.find((d) => d.ref === 'PersistentVolumeClaim/ph/data-posthog-postgres-0')?.uid).toBe('uid-data-posthog-postgres-0');
  });
  it('leaves alone what another manager made or what lost the labels, and reports what is already gone', () => {
    const l = new Map(live);
    const cm = recorded.find((o) => o.metadata.name === 'posthog-config')!;
    // Deleted by hand and re-created with kubectl: same name, no vh-deploy field manager.
    l.set(objectRef(cm), { ...cm, metadata: { ...cm.metadata, managedFields: [{ manager: 'kubectl-create', operation: 'Update' }] } });
    const web = recorded.find((o) => o.metadata.name === 'posthog-web' && o.kind === 'Service')!;
    l.set(objectRef(web), applied({ ...web, metadata: { ...web.metadata, labels: { ...web.metadata.labels, 'vh-deploy.io/stack': 'model-router' } } }));
    l.delete('Ingress/ph/posthog');
    const plan = planUninstall({ ...input, live: l });
    expect(plan.skipped).toEqual([
      { ref: 'ConfigMap/ph/posthog-config', reason: { kind: 'manager', managers: ['kubectl-create'] } },
      { ref: 'Service/ph/posthog-web', reason: { kind: 'labels', missing: 'vh-deploy.io/stack=posthog', found: 'vh-deploy.io/stack=model-router' } },
    ]);
    expect(plan.absent).toEqual(['Ingress/ph/posthog']);
    const deleted = plan.waves.flat().map((d) => d.ref);
    for (const r of ['ConfigMap/ph/posthog-config', 'Service/ph/posthog-web', 'Ingress/ph/posthog']) expect(deleted).not.toContain(r);
  });
  it('after a plain uninstall (StatefulSets gone), --delete-data still finds the claims from the recorded StatefulSet', () => {
    const only = new Map([...live].filter(([ref]) => ref === 'Secret/ph/posthog-secrets' || ref === 'Namespace/ph'));
    const plan = planUninstall({ ...input, live: only, deleteData: true });
    expect(refs(plan.waves)).toEqual([['PersistentVolumeClaim/ph/data-posthog-postgres-0', 'Secret/ph/posthog-secrets']]);
  });
});

describe('uninstall order: Model Router', () => {
  it('the HPA and ServiceMonitor go before the Deployment; the PDB and NetworkPolicy only after it (never exposed while running)', () => {
    const values = { image: 'r/m:1', dbHost: 'h', dbUser: 'u', dbPassword: 'p', redisAddr: 'r:1', openaiApiKey: 'k', posthogHost: 'https://eu.i.posthog.com', posthogApiKey: 'phc_x' };
    const objs = renderStack(modelRouterStack, values, { ...offlineContext('mr'), capabilities: { serviceMonitor: true } }).filter((o) => o.kind !== 'Namespace');
    const waves = deletionWaves(objs).map((w) => w.map(objectRef).sort());
    expect(waves[0]).toEqual(['HorizontalPodAutoscaler/mr/model-router', 'ServiceMonitor/mr/model-router']);
    expect(waves[1]).toEqual(['Deployment/mr/model-router']);
    expect(waves[2]).toEqual(expect.arrayContaining(['NetworkPolicy/mr/model-router', 'PodDisruptionBudget/mr/model-router', 'Service/mr/model-router', 'Secret/mr/model-router-secrets']));
    expect(waves).toHaveLength(3);
  });
});

describe('uninstall plan: the pieces', () => {
  it('recordedObjects: every object once, as the newest revision recorded it', () => {
    const a1 = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' }, data: { v: '1' } };
    const a2 = { ...a1, data: { v: '2' } };
    const b = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'n' } };
    expect(recordedObjects([[a2], [a1, b]])).toEqual([a2, b]);
  });
  it('ownershipOf: the labels first, then a field owned by the manager; no managedFields at all counts as owned', () => {
    const o: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { 'app.kubernetes.io/managed-by': 'vh-deploy', 'vh-deploy.io/stack': 'posthog' } } };
    expect(ownershipOf(o, OWNER)).toEqual({ ours: true });
    expect(ownershipOf({ ...o, metadata: { ...o.metadata, managedFields: [{ manager: 'helm' }, { manager: 'kubectl-edit' }] } }, OWNER)).toEqual({ ours: false, reason: { kind: 'manager', managers: ['helm', 'kubectl-edit'] } });
    expect(ownershipOf({ ...o, metadata: { name: 'c' } }, OWNER)).toEqual({ ours: false, reason: { kind: 'labels', missing: 'app.kubernetes.io/managed-by=vh-deploy' } });
  });
  it('claimsOf: <template>-<statefulset>-<ordinal> in its namespace with the selector labels', () => {
    const sts = renderStack(posthogStack, { domain: 'p.example.com' }, offlineContext('ph')).find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'posthog-postgres')!;
    const c = [claim('data-posthog-postgres-0', pgLabels), claim('data-posthog-postgres-12', pgLabels), claim('data-posthog-postgres-0', pgLabels, 'x'), claim('data-posthog-postgres', pgLabels), claim('xdata-posthog-postgres-0', pgLabels)];
    expect(claimsOf(sts, c).map((x) => `${x.metadata.namespace}/${x.metadata.name}`)).toEqual(['ph/data-posthog-postgres-0', 'ph/data-posthog-postgres-12']);
  });
});

describe('revisions after an uninstall', () => {
  const revs = [rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'uninstalled', { command: 'uninstall', manifests: [] })];
  it('is the current revision; the one before reads superseded (also when the second write was lost)', () => {
    expect(uninstalledNow(revs)?.revision).toBe(3);
    expect(currentRevision(revs)?.revision).toBe(3);
    expect(resolveRevisions(revs).map((r) => r.status)).toEqual(['superseded', 'superseded', 'uninstalled']);
    expect(supersededBy(revs, 3).map((r) => r.revision)).toEqual([2]);
  });
  it('values persist and upgrades start only after it; prune protection and rollback still see the last deploy', () => {
    expect(lastSuccessful(sinceUninstall(revs))).toBeUndefined();
    expect(lastSuccessful(revs)?.revision).toBe(2);
    const choice = chooseRollbackTarget(revs);
    expect(choice.ok && `${choice.target.revision} from ${choice.current.revision}`).toBe('2 from 3');
    const redeployed = [...revs, rev(4, 'deployed')];
    expect(uninstalledNow(redeployed)).toBeUndefined();
    expect(lastSuccessful(sinceUninstall(redeployed))?.revision).toBe(4);
  });
});

describe('the report', () => {
  it('one kubectl command per kind and namespace for what was kept', () => {
    expect(
      removeCommands([
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'ph', name: 'data-a-0' },
        { apiVersion: 'v1', kind: 'Secret', namespace: 'ph', name: 'posthog-secrets' },
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'ph', name: 'data-b-0' },
      ]),
    ).toEqual(['kubectl delete pvc -n ph data-a-0 data-b-0', 'kubectl delete secret -n ph posthog-secrets']);
  });
  it('the namespace: removable only when vh-deploy made it and nothing else is in it', () => {
    expect(namespaceLines({ name: 'ph', createdByVhDeploy: true, others: [], otherCount: 0, checked: true }, 'posthog')).toEqual([
      'namespace ph was created by vh-deploy and now holds only the history of posthog (its revision records); to remove it and that history:',
      '  kubectl delete namespace ph',
    ]);
    expect(namespaceLines({ name: 'ph', createdByVhDeploy: true, others: ['ConfigMap/ph/mine'], otherCount: 1, checked: true }, 'posthog')).toEqual(['namespace ph kept: it holds 1 other object (ConfigMap/ph/mine)']);
    expect(namespaceLines({ name: 'ph', createdByVhDeploy: false, others: [], otherCount: 0, checked: true }, 'posthog')).toEqual(['namespace ph kept: vh-deploy did not create it']);
  });
});

describe('workloads that stay and read what goes', () => {
  const values = { image: 'r/m:1', dbHost: 'h', dbUser: 'u', dbPassword: 'p', redisAddr: 'r:1', openaiApiKey: 'k', posthogHost: 'https://eu.i.posthog.com', posthogApiKey: 'phc_x' };
  const deployment = renderStack(modelRouterStack, values, offlineContext('mr')).find((o) => o.kind === 'Deployment')!;
  const del = (ref: string) => ({ ref, key: { apiVersion: 'v1', kind: ref.split('/')[0]!, namespace: 'mr', name: ref.split('/')[2]! }, data: false });
  it("uninstalling the connection's owner names the Model Router that reads it; nothing when the reader goes too or reads none of it", () => {
    expect(readersOfDeleted([deployment], [del('ConfigMap/mr/model-router-posthog'), del('Secret/mr/model-router-posthog'), del('ConfigMap/mr/unrelated')])).toEqual([
      { reader: 'Deployment/mr/model-router', reads: 'ConfigMap/mr/model-router-posthog' },
      { reader: 'Deployment/mr/model-router', reads: 'Secret/mr/model-router-posthog' },
    ]);
    expect(readersOfDeleted([deployment], [del('ConfigMap/mr/model-router-posthog'), { ...del('Deployment/mr/model-router'), key: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'mr', name: 'model-router' } }])).toEqual([]);
    expect(readersOfDeleted([deployment], [del('ConfigMap/mr/unrelated')])).toEqual([]);
  });
});
