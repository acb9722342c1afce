// Which pods belong to a workload's current revision. The waiter fails a rollout at
// once on a broken pod (ImagePullBackOff, CrashLoopBackOff, ...), but only on a pod of
// the revision being rolled out: the old revision's pods may be crashing already, and
// that is what the rollout replaces. Pure: wait.ts does the reads, these rules decide.
// Whether the workload as a whole is rolled out is status.ts.
import { arr, num, rec, str, type KubeObject } from './types.js';

/** Kinds that run pods of their own: the waiter watches those pods, verify judges their rollout. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Set by the API server on apps/v1 DaemonSets: the generation of spec.template alone. */
const DAEMONSET_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

const labelsOf = (o: KubeObject): Record<string, string> => o.metadata.labels ?? {};

/**
 * Whether the controller has seen the workload's latest spec. Before that, pods of the
 * new revision cannot be told from old ones (the current ReplicaSet, updateRevision and
 * template generation all still describe the previous spec). Jobs keep no
 * observedGeneration and are never updated in place.
 */
export function specObserved(workload: KubeObject): boolean {
  if (workload.kind === 'Job') return true;
  const og = num(rec(workload.status).observedGeneration);
  return og !== undefined && og >= (num(workload.metadata.generation) ?? 0);
}

/**
 * A Deployment's current ReplicaSet among `replicaSets`: the one it owns whose
 * `deployment.kubernetes.io/revision` annotation equals the Deployment's (the
 * deployment controller copies the revision onto the Deployment and its newest
 * ReplicaSet alike).
 */
export function currentReplicaSet(deployment: KubeObject, replicaSets: readonly KubeObject[]): KubeObject | undefined {
  const uid = str(deployment.metadata.uid);
  const revision = deployment.metadata.annotations?.['deployment.kubernetes.io/revision'];
  if (!uid || revision === undefined) return undefined;
  return replicaSets.find(
    (r) => arr(r.metadata.ownerReferences).some((o) => rec(o).uid === uid) && r.metadata.annotations?.['deployment.kubernetes.io/revision'] === revision,
  );
}

/**
 * Whether `pod` belongs to the workload's current revision. Where the evidence is
 * missing (a label or annotation absent, the current ReplicaSet not found) the pod
 * counts as current: a broken pod then fails the wait rather than being ignored.
 *
 * Deployment: the pod's `pod-template-hash` equals that of the current ReplicaSet
 *   (`currentRs`, see currentReplicaSet; the caller reads the ReplicaSets).
 * StatefulSet: the pod's `controller-revision-hash` equals status.updateRevision.
 * DaemonSet: the pod's `pod-template-generation` label equals the DaemonSet's
 *   `deprecated.daemonset.template.generation` annotation. Not metadata.generation: the
 *   API server bumps that on any spec change (minReadySeconds, updateStrategy, ...), but
 *   the template generation only when spec.template changes (kubernetes
 *   pkg/registry/apps/daemonset/strategy.go, PrepareForUpdate), and the daemonset
 *   controller stamps that one on every pod it creates. The controller's own test is
 *   "hash or template generation matches" (pkg/controller/daemon/util/daemonset_util.go,
 *   IsPodUpdated: `controller-revision-hash` against the newest ControllerRevision, or
 *   `pod-template-generation` against the annotation); the annotation half needs no
 *   extra read of ControllerRevisions. `kubectl rollout status` judges only the
 *   DaemonSet's status counts (kubectl pkg/polymorphichelpers/rollout_status.go), which
 *   is status.ts; this rule only picks which pods may fail the wait early.
 * ReplicaSet, Job: every pod (a ReplicaSet does not roll; a Job's pods are all its own).
 */
export function isCurrentPod(workload: KubeObject, pod: KubeObject, currentRs?: KubeObject): boolean {
  const labels = labelsOf(pod);
  switch (workload.kind) {
    case 'Deployment': {
      const hash = currentRs?.metadata.labels?.['pod-template-hash'];
      return !hash || labels['pod-template-hash'] === hash;
    }
    case 'StatefulSet': {
      const upd = str(rec(workload.status).updateRevision);
      const podRev = labels['controller-revision-hash'];
      return !upd || !podRev || podRev === upd;
    }
    case 'DaemonSet': {
      const want = workload.metadata.annotations?.[DAEMONSET_TEMPLATE_GENERATION];
      const have = labels['pod-template-generation'];
      return want === undefined || have === undefined || have === want;
    }
    default:
      return true;
  }
}
