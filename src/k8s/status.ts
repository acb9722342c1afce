/**
 * Readiness rules: when is an applied object "done"? (docs/architecture.md rule 5)
 *
 * Pure functions of the live object, so every rule is unit-tested. The rules are at
 * least as strict as `kubectl rollout status` (kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go), borrow kstatus' and
 * kapp's failure detection (§3.4, §5), and fail instead of hanging whenever the
 * object itself says it will not progress. Each result carries a message saying what
 * is still awaited; that is what the user sees while waiting and on timeout.
 *
 * All kinds
 *   - metadata.deletionTimestamp set                  -> progressing "being deleted"
 *
 * Deployment (in this order; first match wins)
 *   - spec.paused                                     -> failed (a paused rollout never completes)
 *   - generation > status.observedGeneration          -> progressing (spec change not observed yet)
 *   - Progressing=False reason ProgressDeadlineExceeded -> failed (condition message)
 *   - updatedReplicas < spec.replicas (default 1)     -> progressing "N of M new replicas updated"
 *   - status.replicas > updatedReplicas               -> progressing "N old replicas pending termination"
 *   - availableReplicas < updatedReplicas             -> progressing "N of M updated replicas available"
 *   - otherwise                                       -> ready
 *   ReplicaFailure=True (e.g. quota) is shown in the progressing message.
 *
 * StatefulSet
 *   - generation not observed (observedGeneration missing or behind) -> progressing
 *   - status.replicas > spec.replicas                 -> progressing "N extra pods pending termination"
 *   - readyReplicas < spec.replicas                   -> progressing "N of M pods ready"
 *   - availableReplicas < spec.replicas (when reported) -> progressing (minReadySeconds)
 *   - RollingUpdate with partition P > 0: updatedReplicas < replicas - P -> progressing; else ready
 *   - RollingUpdate (partition 0): updatedReplicas < replicas, or
 *     currentRevision != updateRevision              -> progressing; else ready
 *   - OnDelete: ready once all replicas are ready (pods are only replaced by hand)
 *
 * DaemonSet
 *   - generation not observed                         -> progressing
 *   - updatedNumberScheduled < desiredNumberScheduled (RollingUpdate only) -> progressing
 *   - numberAvailable < desiredNumberScheduled        -> progressing; else ready
 *
 * ReplicaSet: generation observed, then readyReplicas and availableReplicas == spec.replicas.
 *
 * Job
 *   - Failed=True or FailureTarget=True               -> failed, naming the reason (BackoffLimitExceeded, ...)
 *   - Complete=True                                   -> ready
 *   - spec.suspend                                    -> failed (a suspended Job never completes)
 *   - otherwise                                       -> progressing "N active, M of C succeeded, F failed"
 *
 * PersistentVolumeClaim
 *   - phase Bound                                     -> ready
 *   - phase Lost                                      -> failed
 *   - Pending and its StorageClass binds WaitForFirstConsumer -> ready (binds when a pod uses it)
 *   - otherwise                                       -> progressing "waiting to be bound"
 *
 * Service: ready at once (the ClusterIP is allocated synchronously); a LoadBalancer
 *   without a clusterIP yet is progressing. Load-balancer ingress is NOT awaited: it
 *   depends on cloud controllers that test and bare-metal clusters lack.
 * CustomResourceDefinition: Established=True -> ready; NamesAccepted=False -> failed.
 * Namespace: Active -> ready; Terminating -> progressing. The waiter does not watch
 *   Namespaces (they are Active once created): that needs cluster-wide list/watch.
 * Pod: Succeeded, or Running with Ready=True -> ready; Failed -> failed; else progressing
 *   (fatal container reasons come from pod-diagnosis.ts).
 * ConfigMap, Secret, ServiceAccount, RBAC, HPA, PDB, Ingress, IngressClass,
 *   NetworkPolicy, CronJob, StorageClass, ... -> ready at once.
 * Other kinds (custom resources, e.g. ServiceMonitor): kstatus' generic rule -
 *   observedGeneration behind -> progressing; Stalled=True -> failed; Ready=False ->
 *   progressing; anything else (including no status at all) -> ready.
 */
import { condition, num, rec, str, type KubeObject } from './types.js';

export type ReadyState = 'ready' | 'progressing' | 'failed';

export interface ObjectStatus {
  state: ReadyState;
  message: string;
}

export interface StatusContext {
  /** volumeBindingMode of a PVC's StorageClass, when known. */
  pvcBindingMode?: string | undefined;
}

const READY_AT_ONCE = new Set([
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Ingress',
  'IngressClass',
  'NetworkPolicy',
  'CronJob',
  'StorageClass',
  'PriorityClass',
  'PersistentVolume',
  'ResourceQuota',
  'LimitRange',
  'Endpoints',
  'EndpointSlice',
  'Lease',
]);

const ready = (message: string): ObjectStatus => ({ state: 'ready', message });
const progressing = (message: string): ObjectStatus => ({ state: 'progressing', message });
const failed = (message: string): ObjectStatus => ({ state: 'failed', message });

/**
 * Whether waiting on this kind can ever take time. Kinds that are ready the moment
 * the apply succeeds need no watch.
 */
export function needsWatch(kind: string): boolean {
  // Namespaces are Active once created; watching them would need cluster-wide list/watch
  // rights that a namespace admin does not have.
  return !READY_AT_ONCE.has(kind) && kind !== 'Service' && kind !== 'Namespace';
}

function generation(obj: KubeObject): number {
  return num(obj.metadata.generation) ?? 0;
}

function observedGeneration(obj: KubeObject): number | undefined {
  return num(rec(obj.status).observedGeneration);
}

function generationObserved(obj: KubeObject): boolean {
  const og = observedGeneration(obj);
  return og !== undefined && og >= generation(obj) && og > 0;
}

function notObserved(obj: KubeObject): ObjectStatus {
  return progressing(`waiting for the controller to observe generation ${generation(obj)}`);
}

export function deploymentStatus(d: KubeObject): ObjectStatus {
  const spec = rec(d.spec);
  const st = rec(d.status);
  if (spec.paused === true) return failed('is paused (spec.paused=true); its rollout cannot complete until it is resumed');
  if (!generationObserved(d)) return notObserved(d);
  const prog = condition(d, 'Progressing');
  if (prog?.reason === 'ProgressDeadlineExceeded') {
    return failed(`exceeded its progress deadline${prog.message ? `: ${prog.message}` : ''}`);
  }
  const rf = condition(d, 'ReplicaFailure');
  const extra = rf?.status === 'True' ? ` (ReplicaFailure: ${rf.message ?? rf.reason ?? 'unknown'})` : '';
  const want = num(spec.replicas) ?? 1;
  const updated = num(st.updatedReplicas) ?? 0;
  const total = num(st.replicas) ?? 0;
  const available = num(st.availableReplicas) ?? 0;
  if (updated < want) return progressing(`${updated} of ${want} new replicas updated${extra}`);
  if (total > updated) return progressing(`${total - updated} old replicas pending termination${extra}`);
  if (available < updated) return progressing(`${available} of ${updated} updated replicas available${extra}`);
  return ready(`${available} of ${want} replicas available`);
}

export function statefulSetStatus(s: KubeObject): ObjectStatus {
  const spec = rec(s.spec);
  const st = rec(s.status);
  if (!generationObserved(s)) return notObserved(s);
  const want = num(spec.replicas) ?? 1;
  const total = num(st.replicas) ?? 0;
  const readyN = num(st.readyReplicas) ?? 0;
  const available = num(st.availableReplicas);
  const updated = num(st.updatedReplicas) ?? 0;
  if (total > want) return progressing(`${total - want} extra pods pending termination`);
  if (readyN < want) return progressing(`${readyN} of ${want} pods ready`);
  if (available !== undefined && available < want) return progressing(`${available} of ${want} pods available`);
  const strategy = rec(spec.updateStrategy);
  if (strategy.type === 'OnDelete') return ready(`${readyN} of ${want} pods ready (OnDelete: pods are replaced only when deleted)`);
  const partition = num(rec(strategy.rollingUpdate).partition) ?? 0;
  if (partition > 0) {
    const need = Math.max(want - partition, 0);
    if (updated < need) return progressing(`${updated} of ${need} pods updated (partition ${partition})`);
    return ready(`partitioned roll out complete: ${updated} new pods (partition ${partition})`);
  }
  if (updated < want) return progressing(`${updated} of ${want} pods updated`);
  const cur = str(st.currentRevision);
  const upd = str(st.updateRevision);
  if (upd && cur !== upd) return progressing(`waiting for all pods to reach revision ${upd} (current ${cur ?? 'none'})`);
  return ready(`${readyN} of ${want} pods ready${upd ? ` at revision ${upd}` : ''}`);
}

export function daemonSetStatus(d: KubeObject): ObjectStatus {
  const st = rec(d.status);
  if (!generationObserved(d)) return notObserved(d);
  const desired = num(st.desiredNumberScheduled) ?? 0;
  const updated = num(st.updatedNumberScheduled) ?? 0;
  const available = num(st.numberAvailable) ?? 0;
  const onDelete = rec(rec(d.spec).updateStrategy).type === 'OnDelete';
  if (!onDelete && updated < desired) return progressing(`${updated} of ${desired} pods updated`);
  if (available < desired) return progressing(`${available} of ${desired} pods available`);
  return ready(`${available} of ${desired} pods available`);
}

export function replicaSetStatus(r: KubeObject): ObjectStatus {
  const st = rec(r.status);
  if (!generationObserved(r)) return notObserved(r);
  const want = num(rec(r.spec).replicas) ?? 1;
  const readyN = num(st.readyReplicas) ?? 0;
  const available = num(st.availableReplicas) ?? 0;
  if (readyN < want) return progressing(`${readyN} of ${want} pods ready`);
  if (available < want) return progressing(`${available} of ${want} pods available`);
  return ready(`${available} of ${want} pods available`);
}

export function jobStatus(j: KubeObject): ObjectStatus {
  const spec = rec(j.spec);
  const st = rec(j.status);
  for (const type of ['Failed', 'FailureTarget']) {
    const c = condition(j, type);
    if (c?.status === 'True') {
      return failed(`Job failed: ${c.reason ?? 'Failed'}${c.message ? `: ${c.message}` : ''}`);
    }
  }
  const complete = condition(j, 'Complete');
  const succeeded = num(st.succeeded) ?? 0;
  if (complete?.status === 'True') return ready(`complete (${succeeded} succeeded)`);
  if (spec.suspend === true) return failed('is suspended (spec.suspend=true) and will not run until resumed');
  const completions = num(spec.completions) ?? 1;
  const active = num(st.active) ?? 0;
  const failedN = num(st.failed) ?? 0;
  const backoff = num(spec.backoffLimit) ?? 6;
  const parts = [`${active} active`, `${succeeded} of ${completions} succeeded`];
  if (failedN > 0) parts.push(`${failedN} failed (backoffLimit ${backoff})`);
  return progressing(parts.join(', '));
}

export function pvcStatus(p: KubeObject, ctx: StatusContext = {}): ObjectStatus {
  const phase = str(rec(p.status).phase) ?? 'Pending';
  if (phase === 'Bound') return ready('bound');
  if (phase === 'Lost') return failed('its PersistentVolume was lost');
  if (ctx.pvcBindingMode === 'WaitForFirstConsumer') {
    return ready('pending until a pod uses it (StorageClass binds WaitForFirstConsumer)');
  }
  return progressing('waiting to be bound to a volume');
}

export function serviceStatus(s: KubeObject): ObjectStatus {
  const spec = rec(s.spec);
  if (spec.type === 'LoadBalancer' && !str(spec.clusterIP)) return progressing('waiting for a cluster IP');
  return ready(spec.type === 'ExternalName' ? 'external name' : 'cluster IP assigned');
}

export function crdStatus(c: KubeObject): ObjectStatus {
  const names = condition(c, 'NamesAccepted');
  if (names?.status === 'False') return failed(`names not accepted: ${names.message ?? names.reason ?? ''}`);
  const est = condition(c, 'Established');
  if (est?.status === 'True') return ready('established');
  return progressing('waiting to be established');
}

export function podStatus(p: KubeObject): ObjectStatus {
  const phase = str(rec(p.status).phase) ?? 'Pending';
  if (phase === 'Succeeded') return ready('succeeded');
  if (phase === 'Failed') return failed(`pod failed${str(rec(p.status).reason) ? `: ${str(rec(p.status).reason)}` : ''}`);
  if (phase === 'Running' && condition(p, 'Ready')?.status === 'True') return ready('running and ready');
  return progressing(phase === 'Running' ? 'running, not ready' : `phase ${phase}`);
}

export function genericStatus(o: KubeObject): ObjectStatus {
  const og = observedGeneration(o);
  if (og !== undefined && og < generation(o)) return notObserved(o);
  const stalled = condition(o, 'Stalled');
  if (stalled?.status === 'True') return failed(`stalled: ${stalled.message ?? stalled.reason ?? ''}`);
  const rdy = condition(o, 'Ready');
  if (rdy && rdy.status !== 'True') return progressing(`Ready=${rdy.status}${rdy.message ? `: ${rdy.message}` : ''}`);
  return ready(rdy ? 'Ready=True' : 'applied');
}

/** The readiness of one live object (see the rules above). */
export function objectStatus(obj: KubeObject, ctx: StatusContext = {}): ObjectStatus {
  if (obj.metadata.deletionTimestamp) return progressing('being deleted');
  switch (obj.kind) {
    case 'Deployment':
      return deploymentStatus(obj);
    case 'StatefulSet':
      return statefulSetStatus(obj);
    case 'DaemonSet':
      return daemonSetStatus(obj);
    case 'ReplicaSet':
      return replicaSetStatus(obj);
    case 'Job':
      return jobStatus(obj);
    case 'PersistentVolumeClaim':
      return pvcStatus(obj, ctx);
    case 'Service':
      return serviceStatus(obj);
    case 'CustomResourceDefinition':
      return crdStatus(obj);
    case 'Namespace':
      return str(rec(obj.status).phase) === 'Terminating' ? progressing('terminating') : ready('active');
    case 'Pod':
      return podStatus(obj);
    default:
      return READY_AT_ONCE.has(obj.kind) ? ready('applied') : genericStatus(obj);
  }
}
