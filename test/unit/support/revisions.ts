// A revision record as the tests need one: model-router in namespace `ns`, its times one
// second apart per revision number.
import type { Revision, RevisionStatus } from '../../../src/k8s/revisions.js';

export function rev(revision: number, status: RevisionStatus, extra: Partial<Revision> = {}): Revision {
  return {
    revision,
    stack: 'model-router',
    namespace: 'ns',
    status,
    time: `2025-01-01T00:00:${String(revision).padStart(2, '0')}Z`,
    updated: `2025-01-01T00:00:${String(revision).padStart(2, '0')}Z`,
    vhDeployVersion: '0.1.0',
    command: 'model-router',
    description: 'deploy',
    images: [],
    values: {},
    // Each revision applied something different (rollback passes over identical ones).
    manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { A: String(revision) } }],
    ...extra,
  };
}
