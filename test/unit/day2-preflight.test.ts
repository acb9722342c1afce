// The RBAC preflight of the day-2 commands (issue 9, "Bugs to fix on the way"): upgrade,
// rollback and scale check every verb their writes and waits need before the first write
// — deletes (a rollback prunes), /scale writes, and watches on what they wait for — not
// only the get/create/patch of an apply. Pure parts; the real API server is in
// test/e2e/day2-lifecycle.test.ts.
import { describe, expect, it } from 'vitest';
import { accessRequirements, type AccessRequirement } from '../../src/k8s/preflight.js';
import type { Revision } from '../../src/k8s/revisions.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { planAccess, rollbackAccess, type RevisionPlan } from '../../src/actions/rollback.js';

const infos: Record<string, { group: string; plural: string; namespaced: boolean }> = {
  Namespace: { group: '', plural: 'namespaces', namespaced: false },
  Deployment: { group: 'apps', plural: 'deployments', namespaced: true },
  ConfigMap: { group: '', plural: 'configmaps', namespaced: true },
  HorizontalPodAutoscaler: { group: 'autoscaling', plural: 'horizontalpodautoscalers', namespaced: true },
};
const info = (o: KubeObject) => infos[o.kind];
const label = (r: AccessRequirement) => `${r.verb} ${r.group}/${r.resource} ${r.namespace ?? '-'}${r.optional ? ' (optional)' : ''}`;

const deployment = (replicas?: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'p' }, spec: { ...(replicas !== undefined && { replicas }) } });
const hpa: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'p' }, spec: { minReplicas: 3, maxReplicas: 10 } };
const config: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'p' } };

describe('accessRequirements beyond an apply', () => {
  it('deletes: `delete` on the kind, and nothing else for it', () => {
    const labels = accessRequirements([config], info, 'dflt', true, undefined, { deletes: [hpa] }).map(label);
    expect(labels).toContain('delete autoscaling/horizontalpodautoscalers p');
    expect(labels.filter((l) => l.includes('horizontalpodautoscalers'))).toEqual(['delete autoscaling/horizontalpodautoscalers p']);
    expect(labels.some((l) => l.startsWith('delete /configmaps'))).toBe(false);
  });
  it('scales: get/update on the /scale subresource, the workload read and awaited (list/watch, pods), never created or patched', () => {
    const labels = accessRequirements([], info, 'dflt', true, undefined, { scales: [deployment(2)] }).map(label);
    expect(labels).toEqual(
      expect.arrayContaining(['get apps/deployments/scale p', 'update apps/deployments/scale p', 'get apps/deployments p', 'list apps/deployments p', 'watch apps/deployments p', 'list /pods p', 'watch /pods p']),
    );
    expect(labels).not.toContain('create apps/deployments p');
    expect(labels).not.toContain('patch apps/deployments p');
    expect(new Set(labels).size).toBe(labels.length);
  });
  it('awaits: read and watched, not written (the workload an HPA change moves)', () => {
    const labels = accessRequirements([hpa], info, 'dflt', true, undefined, { awaits: [deployment()] }).map(label);
    expect(labels).toEqual(expect.arrayContaining(['patch autoscaling/horizontalpodautoscalers p', 'get apps/deployments p', 'watch apps/deployments p', 'watch /pods p']));
    expect(labels.filter((l) => l.includes('apps/deployments') && !/^(get|list|watch) /.test(l))).toEqual([]);
  });
  it('without waiting: the /scale verbs stay, the watches go', () => {
    const labels = accessRequirements([], info, 'dflt', false, undefined, { scales: [deployment(2)] }).map(label);
    expect(labels.sort()).toEqual(['get apps/deployments p', 'get apps/deployments/scale p', 'update apps/deployments/scale p']);
  });
});

function revision(manifests: KubeObject[]): Revision {
  return { revision: 3, stack: 'model-router', namespace: 'p', status: 'deployed', time: '', updated: '', vhDeployVersion: '0', command: 'model-router', description: 'deploy', images: [], values: {}, manifests };
}
const refs = (objs: readonly KubeObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe('what an upgrade\'s automatic rollback may need (rollbackAccess, pure)', () => {
  it('an upgrade that adds an HPA: the rollback would delete it; replica counts that differ are restored through /scale', () => {
    const base = revision([deployment(2), config, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'p' } }]);
    const upgrade = [deployment(5), config, hpa];
    const a = rollbackAccess(base, upgrade);
    expect(refs(a.deletes)).toEqual(['HorizontalPodAutoscaler/web']);
    expect(refs(a.scales)).toEqual(['Deployment/web']);
    expect(refs(a.objects)).toEqual(['ConfigMap/c', 'Deployment/web']); // Secrets are not re-applied
  });
  it('the same objects and counts: nothing to delete or scale', () => {
    const a = rollbackAccess(revision([deployment(2), config]), [deployment(2), config]);
    expect(a.deletes).toEqual([]);
    expect(a.scales).toEqual([]);
  });
});

describe('what a planned rollback needs (planAccess)', () => {
  it('applies the objects, deletes what it prunes, writes /scale where it restores counts', () => {
    const plan: RevisionPlan = {
      target: revision([deployment(2), config]),
      objects: [deployment(2), config],
      secrets: [],
      scale: [{ key: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'p' }, from: 3, to: 2 }],
      prune: [{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web', namespace: 'p' }],
    };
    const a = planAccess(plan);
    expect(refs(a.objects)).toEqual(['ConfigMap/c', 'Deployment/web']);
    expect(a.deletes).toEqual([{ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'p' } }]);
    expect(a.scales).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'p' } }]);
    const labels = accessRequirements(a.objects, info, 'dflt', true, 'p', a).map(label);
    expect(labels).toEqual(expect.arrayContaining(['delete autoscaling/horizontalpodautoscalers p', 'update apps/deployments/scale p', 'watch /pods p', 'update /secrets p']));
  });
});
