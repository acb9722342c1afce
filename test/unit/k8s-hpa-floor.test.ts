import { describe, expect, it } from 'vitest';
import { hpaFloors } from '../../src/k8s/hpa-floor.js';
import type { KubeObject } from '../../src/k8s/types.js';

const deploy = (name: string, replicas?: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'ns' },
  spec: { ...(replicas !== undefined && { replicas }), selector: {}, template: {} },
});
const hpa = (target: string, min?: number, ns = 'ns'): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: `${target}-hpa`, namespace: ns },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, ...(min !== undefined && { minReplicas: min }), maxReplicas: 10 },
});

describe('hpaFloors', () => {
  it('finds the HPA minimum of a workload that leaves replicas to the HPA', () => {
    expect(hpaFloors([deploy('a'), hpa('a', 3)])).toEqual([{ target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'a', namespace: 'ns' }, min: 3 }]);
  });
  it('defaults the minimum to 1, as the API does', () => {
    expect(hpaFloors([deploy('a'), hpa('a')])[0]!.min).toBe(1);
  });
  it('ignores workloads with fixed replicas, targets outside the plan, and other namespaces', () => {
    expect(hpaFloors([deploy('a', 2), hpa('a', 3)])).toEqual([]);
    expect(hpaFloors([deploy('a'), hpa('b', 3)])).toEqual([]);
    expect(hpaFloors([deploy('a'), hpa('a', 3, 'other')])).toEqual([]);
  });
});
