// Apply order (docs/architecture.md rule 4, after kapp's change groups, carvel-dev/kapp pkg/kapp/config/default.go): things
// other objects depend on go first, and each group can be waited on before the next
// starts, so data stores are ready before migrations run and migrations complete
// before the application rolls.
import type { KubeObject } from './types.js';

export interface ApplyGroup {
  /** Stable id, e.g. `workloads`. */
  id: string;
  /** Shown in progress output. */
  name: string;
  objects: KubeObject[];
}

interface GroupDef {
  id: string;
  name: string;
  kinds: readonly string[];
}

const GROUPS: readonly GroupDef[] = [
  {
    id: 'foundation',
    name: 'namespaces and CRDs',
    kinds: ['Namespace', 'CustomResourceDefinition', 'StorageClass', 'PriorityClass', 'IngressClass'],
  },
  {
    id: 'rbac',
    name: 'service accounts and RBAC',
    kinds: ['ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  },
  {
    id: 'config',
    name: 'config, secrets and volumes',
    kinds: ['ConfigMap', 'Secret', 'PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange'],
  },
  { id: 'services', name: 'services', kinds: ['Service'] },
  { id: 'data-stores', name: 'data stores', kinds: ['StatefulSet'] },
  { id: 'migrations', name: 'migration jobs', kinds: ['Job'] },
  { id: 'workloads', name: 'workloads', kinds: ['Deployment', 'DaemonSet', 'ReplicaSet', 'CronJob', 'Pod'] },
];

/** Everything not listed above: HPA, PDB, Ingress, NetworkPolicy, ServiceMonitor, custom resources. */
const LAST: Omit<GroupDef, 'kinds'> = { id: 'policies', name: 'autoscaling, ingress, policies and monitoring' };

export function groupIdOf(kind: string): string {
  return GROUPS.find((g) => g.kinds.includes(kind))?.id ?? LAST.id;
}

/**
 * Splits a plan into ordered, non-empty groups. The order inside a group follows
 * the input (objects in a group are applied in parallel anyway), which keeps the
 * output stable for the same plan.
 */
export function applyGroups(objects: readonly KubeObject[]): ApplyGroup[] {
  const defs = [...GROUPS.map(({ id, name }) => ({ id, name })), LAST];
  const buckets = new Map<string, KubeObject[]>(defs.map((d) => [d.id, []]));
  for (const o of objects) buckets.get(groupIdOf(o.kind))!.push(o);
  return defs.filter((d) => buckets.get(d.id)!.length > 0).map((d) => ({ ...d, objects: buckets.get(d.id)! }));
}

/** The plan flattened in apply order. */
export function sortForApply(objects: readonly KubeObject[]): KubeObject[] {
  return applyGroups(objects).flatMap((g) => g.objects);
}
