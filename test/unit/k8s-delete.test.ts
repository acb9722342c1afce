// What the uninstall says when deleted objects are still there at the deadline
// (src/k8s/delete.ts): each object, and what each finalizer holding it waits for.
import { describe, expect, it } from 'vitest';
import { finalizerNote, stuckMessage } from '../../src/k8s/delete.js';

describe('stuck deletions', () => {
  it('name each object and the finalizers that hold it', () => {
    expect(
      stuckMessage(120_000, [
        { ref: 'Deployment/ph/posthog-web', finalizers: ['foregroundDeletion'], deleting: true },
        { ref: 'PersistentVolumeClaim/ph/data-posthog-postgres-0', finalizers: ['kubernetes.io/pvc-protection'], deleting: true },
        { ref: 'ConfigMap/ph/c', finalizers: [], deleting: false },
      ]),
    ).toBe(
      [
        'timed out after 120 s waiting for 3 deleted objects to go:',
        '  - Deployment/ph/posthog-web: held by finalizer foregroundDeletion (its dependents, pods and ReplicaSets, are still being deleted)',
        '  - PersistentVolumeClaim/ph/data-posthog-postgres-0: held by finalizer kubernetes.io/pvc-protection (a pod still uses the claim)',
        '  - ConfigMap/ph/c: still there',
      ].join('\n'),
    );
  });
  it('a finalizer nobody knows is blamed on whoever set it', () => {
    expect(finalizerNote('example.com/hold')).toBe('whoever set it has not removed it');
    expect(stuckMessage(500, [{ ref: 'ConfigMap/ns/x', finalizers: ['example.com/hold'], deleting: true }])).toBe(
      'timed out after 500 ms waiting for 1 deleted object to go:\n  - ConfigMap/ns/x: held by finalizer example.com/hold (whoever set it has not removed it)',
    );
  });
});
