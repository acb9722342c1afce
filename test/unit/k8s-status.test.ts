import { describe, expect, it } from 'vitest';
import { needsWatch, objectStatus } from '../../src/k8s/status.js';
import type { KubeObject } from '../../src/k8s/types.js';

const deploy = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'prod', generation },
  spec,
  status,
});

describe('Deployment', () => {
  const done = { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 };

  it('is ready when all replicas are updated and available and no old ones remain', () => {
    expect(objectStatus(deploy({ replicas: 3 }, done))).toEqual({ state: 'ready', message: '3 of 3 replicas available' });
  });

  it('waits while the new generation has not been observed', () => {
    const s = objectStatus(deploy({ replicas: 3 }, { ...done, observedGeneration: 1 }));
    expect(s.state).toBe('progressing');
    expect(s.message).toContain('observe generation 2');
  });

  it('waits when observedGeneration is missing altogether', () => {
    const { observedGeneration: _og, ...rest } = done;
    expect(objectStatus(deploy({ replicas: 3 }, rest)).state).toBe('progressing');
  });

  it('waits for new replicas to be updated', () => {
    const s = objectStatus(deploy({ replicas: 3 }, { ...done, updatedReplicas: 1, replicas: 4 }));
    expect(s).toEqual({ state: 'progressing', message: '1 of 3 new replicas updated' });
  });

  it('waits while old replicas are pending termination (replicas > updated)', () => {
    const s = objectStatus(deploy({ replicas: 3 }, { ...done, replicas: 4 }));
    expect(s).toEqual({ state: 'progressing', message: '1 old replicas pending termination' });
  });

  it('waits until updated replicas are available', () => {
    const s = objectStatus(deploy({ replicas: 3 }, { ...done, availableReplicas: 2 }));
    expect(s).toEqual({ state: 'progressing', message: '2 of 3 updated replicas available' });
  });

  it('is not fooled by Available=True while the rollout is incomplete', () => {
    const s = objectStatus(deploy({ replicas: 3 }, { ...done, updatedReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] }));
    expect(s.state).toBe('progressing');
  });

  it('fails on ProgressDeadlineExceeded with the condition message', () => {
    const s = objectStatus(
      deploy({ replicas: 3 }, {
        ...done,
        availableReplicas: 0,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-1" has timed out progressing.' }],
      }),
    );
    expect(s.state).toBe('failed');
    expect(s.message).toContain('progress deadline');
    expect(s.message).toContain('web-1');
  });

  it('does not trust a ProgressDeadlineExceeded from an older generation', () => {
    const s = objectStatus(
      deploy({ replicas: 3 }, { ...done, observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }),
    );
    expect(s.state).toBe('progressing');
  });

  it('defaults spec.replicas to 1 (HPA-managed manifests omit it)', () => {
    expect(objectStatus(deploy({}, { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 })).state).toBe('ready');
    expect(objectStatus(deploy({}, { observedGeneration: 2 })).state).toBe('progressing');
  });

  it('is ready at zero replicas', () => {
    expect(objectStatus(deploy({ replicas: 0 }, { observedGeneration: 2 })).state).toBe('ready');
  });

  it('fails fast when paused (would never finish)', () => {
    expect(objectStatus(deploy({ replicas: 1, paused: true }, done)).state).toBe('failed');
  });

  it('shows ReplicaFailure in the progressing message', () => {
    const s = objectStatus(
      deploy({ replicas: 3 }, { ...done, updatedReplicas: 0, conditions: [{ type: 'ReplicaFailure', status: 'True', message: 'exceeded quota: pods' }] }),
    );
    expect(s.state).toBe('progressing');
    expect(s.message).toContain('exceeded quota');
  });

  it('is progressing while being deleted', () => {
    const d = deploy({ replicas: 3 }, done);
    d.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    expect(objectStatus(d)).toEqual({ state: 'progressing', message: 'being deleted' });
  });
});

const sts = (spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'prod', generation: 3 },
  spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, ...spec },
  status,
});

describe('StatefulSet', () => {
  const done = { observedGeneration: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3, currentReplicas: 3, currentRevision: 'db-2', updateRevision: 'db-2' };

  it('is ready when all pods are ready and on the update revision', () => {
    const s = objectStatus(sts({}, done));
    expect(s.state).toBe('ready');
    expect(s.message).toContain('db-2');
  });

  it('waits for the generation to be observed (0 or missing counts as not observed)', () => {
    expect(objectStatus(sts({}, { ...done, observedGeneration: 2 })).state).toBe('progressing');
    expect(objectStatus(sts({}, { ...done, observedGeneration: 0 })).state).toBe('progressing');
  });

  it('waits for ready replicas', () => {
    expect(objectStatus(sts({}, { ...done, readyReplicas: 1 }))).toEqual({ state: 'progressing', message: '1 of 3 pods ready' });
  });

  it('waits for available replicas when reported (minReadySeconds)', () => {
    expect(objectStatus(sts({}, { ...done, availableReplicas: 2 })).message).toBe('2 of 3 pods available');
  });

  it('waits while revisions differ even when counts look done', () => {
    const s = objectStatus(sts({}, { ...done, currentRevision: 'db-1', updateRevision: 'db-2' }));
    expect(s.state).toBe('progressing');
    expect(s.message).toContain('revision db-2');
  });

  it('waits for updated replicas', () => {
    expect(objectStatus(sts({}, { ...done, updatedReplicas: 2 })).message).toBe('2 of 3 pods updated');
  });

  it('waits for extra pods to go after a scale down', () => {
    expect(objectStatus(sts({ replicas: 2 }, { ...done })).message).toBe('1 extra pods pending termination');
  });

  it('with a partition, is ready once the pods above it are updated (revisions may differ)', () => {
    const partitioned = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } };
    expect(objectStatus(sts(partitioned, { ...done, updatedReplicas: 0, currentRevision: 'db-1' })).state).toBe('progressing');
    const s = objectStatus(sts(partitioned, { ...done, updatedReplicas: 1, currentRevision: 'db-1' }));
    expect(s.state).toBe('ready');
    expect(s.message).toContain('partition 2');
  });

  it('OnDelete only needs ready pods', () => {
    expect(objectStatus(sts({ updateStrategy: { type: 'OnDelete' } }, { ...done, updatedReplicas: 0, currentRevision: 'db-1' })).state).toBe('ready');
  });
});

describe('DaemonSet', () => {
  const ds = (status: Record<string, unknown>, strategy = 'RollingUpdate'): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system', generation: 4 },
    spec: { updateStrategy: { type: strategy } },
    status,
  });
  it('is ready when all scheduled pods are updated and available', () => {
    expect(objectStatus(ds({ observedGeneration: 4, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 })).state).toBe('ready');
  });
  it('waits for updates, availability and generation', () => {
    expect(objectStatus(ds({ observedGeneration: 4, desiredNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 2 })).message).toBe('1 of 2 pods updated');
    expect(objectStatus(ds({ observedGeneration: 4, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 })).message).toBe('1 of 2 pods available');
    expect(objectStatus(ds({ observedGeneration: 3, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 })).state).toBe('progressing');
  });
  it('OnDelete ignores updated counts', () => {
    expect(objectStatus(ds({ observedGeneration: 4, desiredNumberScheduled: 2, updatedNumberScheduled: 0, numberAvailable: 2 }, 'OnDelete')).state).toBe('ready');
  });
});

describe('Job', () => {
  const job = (status: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'migrate', namespace: 'prod', generation: 1 },
    spec: { backoffLimit: 2, ...spec },
    status,
  });
  it('is ready when Complete', () => {
    expect(objectStatus(job({ succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] }))).toEqual({
      state: 'ready',
      message: 'complete (1 succeeded)',
    });
  });
  it('is not ready on SuccessCriteriaMet alone (pods may still be terminating)', () => {
    expect(objectStatus(job({ succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] })).state).toBe('progressing');
  });
  it('fails on Failed, naming the reason', () => {
    const s = objectStatus(job({ failed: 3, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] }));
    expect(s.state).toBe('failed');
    expect(s.message).toBe('Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit');
  });
  it('fails early on FailureTarget (set before Failed since 1.31)', () => {
    const s = objectStatus(job({ conditions: [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded' }] }));
    expect(s.state).toBe('failed');
    expect(s.message).toContain('DeadlineExceeded');
  });
  it('ignores conditions that are not True', () => {
    expect(objectStatus(job({ active: 1, conditions: [{ type: 'Failed', status: 'False' }] })).state).toBe('progressing');
  });
  it('reports counts while running', () => {
    expect(objectStatus(job({ active: 1, failed: 1 })).message).toBe('1 active, 0 of 1 succeeded, 1 failed (backoffLimit 2)');
    expect(objectStatus(job({}, { completions: 3 })).message).toBe('0 active, 0 of 3 succeeded');
  });
  it('fails when suspended', () => {
    expect(objectStatus(job({}, { suspend: true })).state).toBe('failed');
  });
});

describe('PersistentVolumeClaim', () => {
  const pvc = (phase?: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'prod' }, spec: {}, status: phase ? { phase } : {} });
  it('Bound is ready, Lost is failed', () => {
    expect(objectStatus(pvc('Bound')).state).toBe('ready');
    expect(objectStatus(pvc('Lost')).state).toBe('failed');
  });
  it('Pending waits, except with a WaitForFirstConsumer class', () => {
    expect(objectStatus(pvc('Pending')).state).toBe('progressing');
    expect(objectStatus(pvc(), { pvcBindingMode: 'Immediate' }).state).toBe('progressing');
    expect(objectStatus(pvc('Pending'), { pvcBindingMode: 'WaitForFirstConsumer' }).state).toBe('ready');
  });
});

describe('other kinds', () => {
  const o = (kind: string, extra: Record<string, unknown> = {}, apiVersion = 'v1'): KubeObject => ({ apiVersion, kind, metadata: { name: 'x', generation: 1 }, ...extra });
  it('Service: ClusterIP ready at once; LoadBalancer ingress is not awaited', () => {
    expect(objectStatus(o('Service', { spec: { type: 'ClusterIP', clusterIP: '10.0.0.1' } })).state).toBe('ready');
    expect(objectStatus(o('Service', { spec: { type: 'LoadBalancer', clusterIP: '10.0.0.1' }, status: { loadBalancer: {} } })).state).toBe('ready');
    expect(objectStatus(o('Service', { spec: { type: 'LoadBalancer' } })).state).toBe('progressing');
    expect(objectStatus(o('Service', { spec: { type: 'ExternalName', externalName: 'a.example' } })).state).toBe('ready');
  });
  it('config, RBAC, HPA, PDB, Ingress, NetworkPolicy are ready at once', () => {
    for (const k of ['ConfigMap', 'Secret', 'ServiceAccount', 'Role', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Ingress', 'NetworkPolicy']) {
      expect(objectStatus(o(k, { status: { conditions: [{ type: 'Ready', status: 'False' }] } })).state, k).toBe('ready');
      expect(needsWatch(k), k).toBe(false);
    }
    expect(needsWatch('Service')).toBe(false);
    expect(needsWatch('Namespace')).toBe(false);
    expect(needsWatch('Deployment')).toBe(true);
    expect(needsWatch('ServiceMonitor')).toBe(true);
  });
  it('CRD: Established ready; NamesAccepted=False failed', () => {
    expect(objectStatus(o('CustomResourceDefinition', { status: { conditions: [{ type: 'Established', status: 'True' }] } })).state).toBe('ready');
    expect(objectStatus(o('CustomResourceDefinition', { status: { conditions: [{ type: 'NamesAccepted', status: 'False', message: 'conflict' }] } })).state).toBe('failed');
    expect(objectStatus(o('CustomResourceDefinition', {})).state).toBe('progressing');
  });
  it('Namespace: Active ready, Terminating progressing', () => {
    expect(objectStatus(o('Namespace', { status: { phase: 'Active' } })).state).toBe('ready');
    expect(objectStatus(o('Namespace', { status: { phase: 'Terminating' } })).state).toBe('progressing');
  });
  it('custom resources: no status is ready; Ready=False waits; Stalled fails; old generation waits', () => {
    expect(objectStatus(o('ServiceMonitor', {}, 'monitoring.coreos.com/v1')).state).toBe('ready');
    expect(objectStatus(o('Certificate', { status: { conditions: [{ type: 'Ready', status: 'False', message: 'issuing' }] } })).message).toContain('issuing');
    expect(objectStatus(o('Certificate', { status: { conditions: [{ type: 'Stalled', status: 'True' }] } })).state).toBe('failed');
    expect(objectStatus({ ...o('Certificate', { status: { observedGeneration: 1 } }), metadata: { name: 'x', generation: 2 } }).state).toBe('progressing');
  });
  it('Pod: Running+Ready or Succeeded ready; Failed failed', () => {
    expect(objectStatus(o('Pod', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } })).state).toBe('ready');
    expect(objectStatus(o('Pod', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } })).state).toBe('progressing');
    expect(objectStatus(o('Pod', { status: { phase: 'Succeeded' } })).state).toBe('ready');
    expect(objectStatus(o('Pod', { status: { phase: 'Failed' } })).state).toBe('failed');
  });
  it('ReplicaSet waits for ready and available pods', () => {
    const rs = (status: Record<string, unknown>) => o('ReplicaSet', { spec: { replicas: 2 }, status }, 'apps/v1');
    expect(objectStatus(rs({ observedGeneration: 1, readyReplicas: 2, availableReplicas: 2 })).state).toBe('ready');
    expect(objectStatus(rs({ observedGeneration: 1, readyReplicas: 1, availableReplicas: 1 })).state).toBe('progressing');
  });
});
