// verify's judges (pure) and rollback's planning helpers (pure).
import { describe, expect, it } from 'vitest';
import { judgeEndpoints, judgeHpa, judgeIngress, judgePvc, judgeWorkload, targetPortFor, timedCheck, type Endpoint } from '../../src/k8s/checks.js';
import { inClusterService } from '../../src/actions/verify.js';
import { pruneCandidates, replicasOwnedOnlyByApply, revisionObjects } from '../../src/actions/rollback.js';
import { ClusterAccessError } from '../../src/errors.js';
import type { KubeObject } from '../../src/k8s/types.js';

const obj = (kind: string, name: string, extra: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: kind === 'HorizontalPodAutoscaler' ? 'autoscaling/v2' : 'apps/v1', kind, metadata: { name, namespace: 'ns' }, ...extra });

describe('workloads use the wait rules', () => {
  it('a complete rollout passes, a rollout in progress or a failed Job fails', () => {
    const d = (status: Record<string, unknown>) => obj('Deployment', 'web', { metadata: { name: 'web', generation: 2 }, spec: { replicas: 3 }, status: { observedGeneration: 2, ...status } });
    expect(judgeWorkload(d({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }))).toEqual({ status: 'pass', detail: '3 of 3 replicas available' });
    expect(judgeWorkload(d({ replicas: 3, updatedReplicas: 3, availableReplicas: 2 }))).toEqual({ status: 'fail', detail: 'not ready: 2 of 3 updated replicas available' });
    const job = obj('Job', 'migrate', { apiVersion: 'batch/v1', status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } });
    expect(judgeWorkload(job)).toEqual({ status: 'fail', detail: 'failed: Job failed: BackoffLimitExceeded' });
  });
});

describe('endpoints', () => {
  const ep = (ready: boolean, pod = 'p'): Endpoint => ({ pod, ip: '10.0.0.1', ready, ports: { http: 8080 } });
  it('needs at least one ready endpoint', () => {
    expect(judgeEndpoints([])).toEqual({ status: 'fail', detail: 'no endpoints (no pod matches the selector, or none is running)' });
    expect(judgeEndpoints([ep(false), ep(false)])).toEqual({ status: 'fail', detail: '0 of 2 endpoints ready' });
    expect(judgeEndpoints([ep(true), ep(false)])).toEqual({ status: 'pass', detail: '1 of 2 endpoints ready' });
    // Right after a scale-down the slice still lists the pods that are shutting down.
    expect(judgeEndpoints([{ ...ep(false), terminating: true }, { ...ep(false), terminating: true }])).toEqual({ status: 'fail', detail: '0 of 2 endpoints ready (2 terminating)' });
    expect(judgeEndpoints([ep(true), { ...ep(false), terminating: true }])).toEqual({ status: 'pass', detail: '1 of 2 endpoints ready (1 terminating)' });
  });
  it('maps a Service port to the pod port, named target ports through the slice', () => {
    const svc = obj('Service', 's', { apiVersion: 'v1', spec: { ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9091 }] } });
    expect(targetPortFor(svc, 80, ep(true))).toBe(8080);
    expect(targetPortFor(svc, 9090, { ...ep(true), ports: {} })).toBe(9091);
    expect(targetPortFor(svc, 1234, ep(true))).toBeUndefined();
  });
});

describe('claims, HPAs and Ingresses', () => {
  it('a claim must be Bound', () => {
    expect(judgePvc(undefined, 'data-0')).toEqual({ status: 'fail', detail: 'PersistentVolumeClaim data-0 does not exist' });
    expect(judgePvc(obj('PersistentVolumeClaim', 'd', { status: { phase: 'Pending' } }), 'd')).toEqual({ status: 'fail', detail: 'phase Pending, not Bound' });
    expect(judgePvc(obj('PersistentVolumeClaim', 'd', { spec: { volumeName: 'pv-1' }, status: { phase: 'Bound' } }), 'd')).toEqual({ status: 'pass', detail: 'bound to pv-1' });
  });
  const hpa = (status: Record<string, unknown>) => obj('HorizontalPodAutoscaler', 'h', { spec: { minReplicas: 3, maxReplicas: 10 }, status });
  it('an HPA is judged by its target\'s live count, within min..max', () => {
    expect(judgeHpa(hpa({ currentReplicas: 1, desiredReplicas: 3 }), 3)).toEqual({ status: 'pass', detail: '3 replicas within 3–10' });
    expect(judgeHpa(hpa({ currentReplicas: 1, desiredReplicas: 3 }), 1)).toEqual({ status: 'fail', detail: '1 replicas, outside its range 3–10 (HPA desires 3)' });
    expect(judgeHpa(hpa({ currentReplicas: 4 }))).toEqual({ status: 'pass', detail: '4 replicas within 3–10' });
    expect(judgeHpa(hpa({})).status).toBe('fail');
  });
  it('an HPA without metrics is a warning, with metrics a pass', () => {
    const noMetrics = hpa({ conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'unable to get metrics' }] });
    expect(judgeHpa(noMetrics, 3)).toEqual({ status: 'warn', detail: '3 replicas within 3–10, but it cannot scale: ScalingActive=False (FailedGetResourceMetric: unable to get metrics)' });
    expect(judgeHpa(hpa({ conditions: [{ type: 'ScalingActive', status: 'True' }] }), 5).detail).toBe('5 replicas within 3–10, metrics available');
  });
  it('an Ingress without an address is only a warning', () => {
    const ing = (lb: unknown[]) => obj('Ingress', 'i', { spec: { rules: [{ host: 'p.example.com' }] }, status: { loadBalancer: { ingress: lb } } });
    expect(judgeIngress(ing([]))).toEqual({ status: 'warn', detail: 'no address yet for p.example.com (is an ingress controller running?)' });
    expect(judgeIngress(ing([{ ip: '203.0.113.7' }]))).toEqual({ status: 'pass', detail: 'p.example.com → 203.0.113.7' });
  });
});

describe('timedCheck', () => {
  it('turns an exception into a failed check, but lets access errors through (exit 3)', async () => {
    const r = await timedCheck('s', 'c', async () => {
      throw new Error('boom\nmore');
    });
    expect(r).toMatchObject({ stack: 's', check: 'c', status: 'fail', detail: 'boom' });
    await expect(timedCheck('s', 'c', async () => Promise.reject(new ClusterAccessError('forbidden')))).rejects.toBeInstanceOf(ClusterAccessError);
  });
});

describe('the PostHog host', () => {
  it('an in-cluster URL names a Service; others do not', () => {
    expect(inClusterService('http://posthog-web.posthog.svc.cluster.local:8000')).toEqual({ name: 'posthog-web', namespace: 'posthog', port: 8000 });
    expect(inClusterService('http://ph.analytics.svc')).toEqual({ name: 'ph', namespace: 'analytics', port: 80 });
    expect(inClusterService('https://eu.i.posthog.com')).toBeUndefined();
    expect(inClusterService('not a url')).toBeUndefined();
  });
});

describe('rollback planning', () => {
  const cm = obj('ConfigMap', 'cfg', { apiVersion: 'v1', data: { A: '1' } });
  const secret = obj('Secret', 'sec', { apiVersion: 'v1' });
  const ing = obj('Ingress', 'web', { apiVersion: 'networking.k8s.io/v1' });
  const job = obj('Job', 'migrate-abc', { apiVersion: 'batch/v1' });
  const pvc = obj('PersistentVolumeClaim', 'data', { apiVersion: 'v1' });
  it('re-applies everything but Secrets, and lists the Secrets kept as they are', () => {
    const r = revisionObjects([cm, secret, obj('Deployment', 'web')]);
    expect(r.objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Deployment']);
    expect(r.secrets).toEqual(['Secret/ns/sec']);
    expect(r.objects[0]).not.toBe(cm); // a copy
  });
  it('deletes what the current revision added, never Secrets, claims, Jobs or the namespace', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } };
    expect(pruneCandidates([cm, secret, ing, job, pvc, ns], [cm]).map((o) => o.kind)).toEqual(['Ingress']);
    expect(pruneCandidates([cm, ing], [cm, ing])).toEqual([]);
  });
  it('replicas can be re-applied only when vh-deploy\'s apply alone owns them', () => {
    const mf = (entries: Array<Record<string, unknown>>) => obj('Deployment', 'web', { metadata: { name: 'web', managedFields: entries } });
    const owns = { fieldsV1: { 'f:spec': { 'f:replicas': {} } } };
    expect(replicasOwnedOnlyByApply(mf([{ manager: 'vh-deploy', operation: 'Apply', ...owns }]))).toBe(true);
    expect(replicasOwnedOnlyByApply(mf([{ manager: 'vh-deploy', operation: 'Apply', fieldsV1: { 'f:spec': {} } }]))).toBe(true);
    expect(replicasOwnedOnlyByApply(mf([{ manager: 'vh-deploy', operation: 'Apply', ...owns }, { manager: 'vh-deploy', operation: 'Update', subresource: 'scale', ...owns }]))).toBe(false);
    expect(replicasOwnedOnlyByApply(mf([{ manager: 'kube-controller-manager', operation: 'Update', subresource: 'scale', ...owns }]))).toBe(false);
  });
});
