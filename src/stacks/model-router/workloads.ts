// The workload of `model-router`, for the per-workload settings (docs/customising.md).
// `workloads.model-router.replicas` is --replicas (a fixed count turns the HPA off).
import type { WorkloadDecl } from '../../manifests/overlay.js';

export const MODEL_ROUTER_WORKLOADS: readonly WorkloadDecl[] = [{ name: 'model-router', kind: 'Deployment', object: 'model-router', container: 'model-router', replicasKey: 'replicas', reportSecurity: true }];
