// The workloads of `self-hosted`, for the per-workload settings (docs/customising.md):
// the key under `workloads`, where it renders (templates/posthog/), its container, and
// whether it has volumes or a replica field of its own.
import type { WorkloadDecl } from '../../manifests/overlay.js';

export const POSTHOG_WORKLOADS: readonly WorkloadDecl[] = [
  { name: 'web', kind: 'Deployment', object: 'posthog-web', container: 'web', replicasKey: 'webReplicas' },
  { name: 'worker', kind: 'Deployment', object: 'posthog-worker', container: 'worker', replicasKey: 'workerReplicas' },
  { name: 'plugins', kind: 'Deployment', object: 'posthog-plugins', container: 'plugins', replicasKey: 'pluginsReplicas' },
  // Its name carries a hash of what it runs (a Job's pod template is immutable).
  { name: 'migrate', kind: 'Job', object: 'posthog-migrate-*', container: 'migrate' },
  { name: 'postgres', kind: 'StatefulSet', object: 'posthog-postgres', container: 'postgres', storage: true },
  { name: 'redis', kind: 'StatefulSet', object: 'posthog-redis', container: 'redis', storage: true },
  { name: 'clickhouse', kind: 'StatefulSet', object: 'posthog-clickhouse', container: 'clickhouse', storage: true },
  { name: 'kafka', kind: 'StatefulSet', object: 'posthog-kafka', container: 'kafka', storage: true },
  { name: 'zookeeper', kind: 'StatefulSet', object: 'posthog-zookeeper', container: 'zookeeper', storage: true },
];
