// Which pods belong to the revision being rolled out (src/k8s/rollout-rules.ts): only
// those may fail a wait at once.
import { describe, expect, it } from 'vitest';
import { currentReplicaSet, isCurrentPod, specObserved, WORKLOAD_KINDS } from '../../src/k8s/rollout-rules.js';
import type { KubeObject } from '../../src/k8s/types.js';

const pod = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels } });

describe('DaemonSet', () => {
  // The API server bumps metadata.generation on any spec change, but the template
  // generation (annotation deprecated.daemonset.template.generation, copied onto each
  // pod as pod-template-generation) only when spec.template changes.
  const ds = (generation: number, templateGeneration: string | undefined): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'ns', generation, ...(templateGeneration !== undefined && { annotations: { 'deprecated.daemonset.template.generation': templateGeneration } }) },
    spec: {},
    status: { observedGeneration: generation },
  });

  it('a pod is current when its pod-template-generation equals the template generation annotation, not metadata.generation', () => {
    // Generation 3 after two changes outside the template (e.g. minReadySeconds, updateStrategy).
    const d = ds(3, '1');
    expect(isCurrentPod(d, pod({ 'pod-template-generation': '1', 'controller-revision-hash': 'aaa' }))).toBe(true);
    expect(isCurrentPod(d, pod({ 'pod-template-generation': '3', 'controller-revision-hash': 'bbb' }))).toBe(false);
  });

  it('a pod of an older template is not current', () => {
    expect(isCurrentPod(ds(2, '2'), pod({ 'pod-template-generation': '1' }))).toBe(false);
    expect(isCurrentPod(ds(2, '2'), pod({ 'pod-template-generation': '2' }))).toBe(true);
  });

  it('without the evidence (no annotation, or no pod label) the pod counts as current', () => {
    expect(isCurrentPod(ds(2, undefined), pod({ 'pod-template-generation': '1' }))).toBe(true);
    expect(isCurrentPod(ds(2, '2'), pod({}))).toBe(true);
  });
});

describe('Deployment', () => {
  const dep: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'u1', generation: 4, annotations: { 'deployment.kubernetes.io/revision': '2' } },
  };
  const rs = (hash: string, revision: string, owner = 'u1'): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `web-${hash}`, labels: { 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/revision': revision }, ownerReferences: [{ uid: owner }] },
  });

  it('the current ReplicaSet is the owned one at the Deployment revision', () => {
    expect(currentReplicaSet(dep, [rs('old', '1'), rs('other', '2', 'u9'), rs('new', '2')])?.metadata.name).toBe('web-new');
    expect(currentReplicaSet(dep, [rs('old', '1')])).toBeUndefined();
  });

  it("a pod is current when its pod-template-hash is the current ReplicaSet's", () => {
    const cur = rs('new', '2');
    expect(isCurrentPod(dep, pod({ 'pod-template-hash': 'new' }), cur)).toBe(true);
    expect(isCurrentPod(dep, pod({ 'pod-template-hash': 'old' }), cur)).toBe(false);
    expect(isCurrentPod(dep, pod({ 'pod-template-hash': 'old' }))).toBe(true); // current ReplicaSet unknown
  });
});

describe('StatefulSet, ReplicaSet, Job', () => {
  const sts: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', generation: 2 }, status: { observedGeneration: 2, updateRevision: 'db-2', currentRevision: 'db-1' } };
  it('StatefulSet: controller-revision-hash against status.updateRevision', () => {
    expect(isCurrentPod(sts, pod({ 'controller-revision-hash': 'db-2' }))).toBe(true);
    expect(isCurrentPod(sts, pod({ 'controller-revision-hash': 'db-1' }))).toBe(false);
    expect(isCurrentPod(sts, pod({}))).toBe(true);
  });
  it('every pod of a ReplicaSet or Job is current', () => {
    expect(isCurrentPod({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' } }, pod({ 'pod-template-hash': 'x' }))).toBe(true);
    expect(isCurrentPod({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' } }, pod({}))).toBe(true);
  });
});

describe('specObserved', () => {
  it('needs observedGeneration at or past metadata.generation; Jobs always qualify', () => {
    const w = (generation: number, observed?: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', generation }, status: observed === undefined ? {} : { observedGeneration: observed } });
    expect([specObserved(w(3, 2)), specObserved(w(3, 3)), specObserved(w(3))]).toEqual([false, true, false]);
    expect(specObserved({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', generation: 1 } })).toBe(true);
  });
});

describe('WORKLOAD_KINDS', () => {
  it('the kinds that run pods of their own', () => {
    expect([...WORKLOAD_KINDS].sort()).toEqual(['DaemonSet', 'Deployment', 'Job', 'ReplicaSet', 'StatefulSet']);
  });
});
