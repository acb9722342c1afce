import { describe, expect, it } from 'vitest';
import { applyGroups, groupIdOf, sortForApply } from '../../src/k8s/order.js';
import type { KubeObject } from '../../src/k8s/types.js';

const obj = (kind: string, name = kind.toLowerCase(), apiVersion = 'v1'): KubeObject => ({ apiVersion, kind, metadata: { name } });

describe('applyGroups', () => {
  it('orders a full plan: foundation, RBAC, config, services, data stores, jobs, workloads, then the rest', () => {
    const plan = [
      obj('ServiceMonitor', 'sm', 'monitoring.coreos.com/v1'),
      obj('Ingress', 'web', 'networking.k8s.io/v1'),
      obj('Deployment', 'web', 'apps/v1'),
      obj('HorizontalPodAutoscaler', 'web', 'autoscaling/v2'),
      obj('Job', 'migrate', 'batch/v1'),
      obj('StatefulSet', 'db', 'apps/v1'),
      obj('Service', 'web'),
      obj('Secret', 's'),
      obj('ConfigMap', 'c'),
      obj('PersistentVolumeClaim', 'p'),
      obj('RoleBinding', 'rb', 'rbac.authorization.k8s.io/v1'),
      obj('ServiceAccount', 'sa'),
      obj('CustomResourceDefinition', 'crd', 'apiextensions.k8s.io/v1'),
      obj('Namespace', 'ns'),
      obj('NetworkPolicy', 'np', 'networking.k8s.io/v1'),
      obj('PodDisruptionBudget', 'pdb', 'policy/v1'),
      obj('DaemonSet', 'ds', 'apps/v1'),
      obj('ClusterRole', 'cr', 'rbac.authorization.k8s.io/v1'),
    ];
    const groups = applyGroups(plan);
    expect(groups.map((g) => g.id)).toEqual(['foundation', 'rbac', 'config', 'services', 'data-stores', 'migrations', 'workloads', 'policies']);
    expect(groups[0]!.objects.map((o) => o.kind)).toEqual(['CustomResourceDefinition', 'Namespace']);
    expect(groups[1]!.objects.map((o) => o.kind)).toEqual(['RoleBinding', 'ServiceAccount', 'ClusterRole']);
    expect(groups[2]!.objects.map((o) => o.kind)).toEqual(['Secret', 'ConfigMap', 'PersistentVolumeClaim']);
    expect(groups[4]!.objects.map((o) => o.kind)).toEqual(['StatefulSet']);
    expect(groups[5]!.objects.map((o) => o.kind)).toEqual(['Job']);
    expect(groups[6]!.objects.map((o) => o.kind)).toEqual(['Deployment', 'DaemonSet']);
    expect(groups[7]!.objects.map((o) => o.kind)).toEqual(['ServiceMonitor', 'Ingress', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget']);
    for (const g of groups) expect(g.name).toBeTruthy();
  });

  it('omits empty groups and keeps the input order within a group', () => {
    const groups = applyGroups([obj('ConfigMap', 'b'), obj('Deployment', 'x', 'apps/v1'), obj('ConfigMap', 'a')]);
    expect(groups.map((g) => g.id)).toEqual(['config', 'workloads']);
    expect(groups[0]!.objects.map((o) => o.metadata.name)).toEqual(['b', 'a']);
  });

  it('returns no groups for an empty plan', () => {
    expect(applyGroups([])).toEqual([]);
  });

  it('puts unknown kinds (custom resources) last', () => {
    expect(groupIdOf('Certificate')).toBe('policies');
    expect(groupIdOf('ServiceMonitor')).toBe('policies');
    expect(groupIdOf('Namespace')).toBe('foundation');
    expect(groupIdOf('StorageClass')).toBe('foundation');
    expect(groupIdOf('Job')).toBe('migrations');
  });

  it('sortForApply flattens in group order', () => {
    const sorted = sortForApply([obj('Deployment', 'd', 'apps/v1'), obj('Namespace', 'n'), obj('Service', 's'), obj('Job', 'j', 'batch/v1'), obj('StatefulSet', 'db', 'apps/v1')]);
    expect(sorted.map((o) => o.kind)).toEqual(['Namespace', 'Service', 'StatefulSet', 'Job', 'Deployment']);
  });
});
