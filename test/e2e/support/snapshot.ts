// What a namespace holds, as `Kind/name -> resourceVersion`, for "changed nothing" and
// "nothing lost or duplicated" checks. Revision records (Secrets labelled
// vh-deploy.io/revision-of) and the stack Leases are bookkeeping and listed apart.
import type * as k8s from '@kubernetes/client-node';
import { apiRequest } from '../../cluster/e2e-helpers.js';

const COLLECTIONS: Array<[string, string]> = [
  ['ConfigMap', '/api/v1/namespaces/NS/configmaps'],
  ['Secret', '/api/v1/namespaces/NS/secrets'],
  ['Service', '/api/v1/namespaces/NS/services'],
  ['ServiceAccount', '/api/v1/namespaces/NS/serviceaccounts'],
  ['Deployment', '/apis/apps/v1/namespaces/NS/deployments'],
  ['ReplicaSet', '/apis/apps/v1/namespaces/NS/replicasets'],
  ['StatefulSet', '/apis/apps/v1/namespaces/NS/statefulsets'],
  ['HorizontalPodAutoscaler', '/apis/autoscaling/v2/namespaces/NS/horizontalpodautoscalers'],
  ['PodDisruptionBudget', '/apis/policy/v1/namespaces/NS/poddisruptionbudgets'],
  ['NetworkPolicy', '/apis/networking.k8s.io/v1/namespaces/NS/networkpolicies'],
  ['Ingress', '/apis/networking.k8s.io/v1/namespaces/NS/ingresses'],
];

interface Item {
  metadata: { name: string; resourceVersion: string; generation?: number; labels?: Record<string, string> };
}

export interface Snapshot {
  /** Managed objects: `Kind/name` -> resourceVersion. */
  objects: Record<string, string>;
  /**
   * `Kind/name` -> `g<generation>` for objects with a spec the server versions (status
   * writes by controllers do not move it), else the resourceVersion: "nobody changed
   * what was asked for", while a rollout is still updating statuses.
   */
  specs: Record<string, string>;
  /** Revision record names. */
  revisions: string[];
}

export async function snapshot(kc: k8s.KubeConfig, ns: string): Promise<Snapshot> {
  const objects: Record<string, string> = {};
  const specs: Record<string, string> = {};
  const revisions: string[] = [];
  const nsRes = await apiRequest(kc, 'GET', `/api/v1/namespaces/${ns}`);
  if (nsRes.status === 200) objects[`Namespace/${ns}`] = (JSON.parse(nsRes.body) as Item).metadata.resourceVersion;
  for (const [kind, path] of COLLECTIONS) {
    const res = await apiRequest(kc, 'GET', path.replace('NS', ns));
    if (res.status !== 200) continue;
    for (const it of (JSON.parse(res.body) as { items: Item[] }).items) {
      if (kind === 'ConfigMap' && it.metadata.name === 'kube-root-ca.crt') continue;
      if (kind === 'Secret' && it.metadata.labels?.['vh-deploy.io/revision-of']) {
        revisions.push(it.metadata.name);
        continue;
      }
      objects[`${kind}/${it.metadata.name}`] = it.metadata.resourceVersion;
      specs[`${kind}/${it.metadata.name}`] = it.metadata.generation !== undefined ? `g${it.metadata.generation}` : it.metadata.resourceVersion;
    }
  }
  return { objects, specs, revisions: revisions.sort() };
}

/** GET a namespaced object as JSON (undefined on 404). */
export async function getJson<T = Record<string, unknown>>(kc: k8s.KubeConfig, path: string): Promise<T | undefined> {
  const res = await apiRequest(kc, 'GET', path);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as T;
}
