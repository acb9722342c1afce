// A failed Job is finished for good: the Job controller never starts it again, and applying
// the same manifest changes nothing, so every re-run would report the old failure at once.
// A Job whose manifest carries RERUN_FAILED_ANNOTATION is instead run again: its failure
// (the Failed condition, the failed pod's exit, the last log lines) is captured first, then
// the Job is deleted with its pods (propagationPolicy Background) and created anew by the
// apply. Generic: the template says which Jobs may be re-run (docs/compatibility.md, "A failed migration").
import { deleteAndWait } from './delete.js';
import { failedContainer, terminatedSummary } from './pod-diagnosis.js';
import { lastLogLines } from './diagnostics.js';
import type { Cluster } from './client.js';
import { arr, condition, rec, str, type KubeObject } from './types.js';

export const RERUN_FAILED_ANNOTATION = 'vh-deploy.io/rerun-if-failed';

/** What the failed run left: one line, and the last lines its failed container logged. */
export interface FailedRun {
  /** The uid of the Job that failed (the one deleted). */
  uid?: string;
  failure: string;
  logs: string[];
}

/** The manifest asks to be re-run when its live Job failed. Pure. */
export const rerunsIfFailed = (o: KubeObject): boolean => o.kind === 'Job' && o.metadata.annotations?.[RERUN_FAILED_ANNOTATION] === 'true';

/** The Job's failure, when it failed (Failed, or FailureTarget on the way to it). Pure. */
export function jobFailure(live: KubeObject | undefined): string | undefined {
  if (!live || live.kind !== 'Job') return undefined;
  for (const type of ['Failed', 'FailureTarget']) {
    const c = condition(live, type);
    if (c?.status === 'True') return `${c.reason ?? 'Failed'}${c.message ? `: ${c.message}` : ''}`;
  }
  return undefined;
}

/** The newest failed pod of a Job, by its selector (the controller-uid label). */
async function lastFailedPod(cluster: Cluster, job: KubeObject, signal?: AbortSignal): Promise<KubeObject | undefined> {
  const labels = rec(rec(rec(job.spec).selector).matchLabels);
  const selector = Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`).join(',');
  if (!selector || !job.metadata.namespace) return undefined;
  const res = await cluster.request('GET', `/api/v1/namespaces/${encodeURIComponent(job.metadata.namespace)}/pods`, {
    query: { labelSelector: selector },
    timeoutMs: 10_000,
    ...(signal && { signal }),
  });
  if (res.status !== 200) return undefined;
  const pods = arr(rec(res.json()).items).map((p) => p as KubeObject);
  const failed = pods.filter((p) => str(rec(p.status).phase) === 'Failed');
  const created = (p: KubeObject) => Date.parse(str(p.metadata.creationTimestamp) ?? '') || 0;
  return (failed.length ? failed : pods).sort((a, b) => created(a) - created(b)).at(-1);
}

/** The evidence of a failed Job, best effort: pods and logs may be gone already. */
export async function failedRun(cluster: Cluster, live: KubeObject, signal?: AbortSignal): Promise<FailedRun> {
  const why = jobFailure(live) ?? 'failed';
  const uid = str(live.metadata.uid);
  let pod: KubeObject | undefined;
  try {
    pod = await lastFailedPod(cluster, live, signal);
  } catch {
    /* the failure line alone still says what happened */
  }
  const exit = pod ? terminatedSummary(pod) : undefined;
  const failure = `Job failed: ${why}${pod && exit ? `; pod ${pod.metadata.name}: ${exit}` : ''}`;
  const logs = pod ? await lastLogLines(cluster, live.metadata.namespace!, pod.metadata.name, failedContainer(pod), { previous: true, lines: 10 }) : [];
  return { ...(uid && { uid }), failure, logs };
}

/**
 * Captures the failed run of `live` and deletes it with its pods, waiting until the name
 * is free; the caller then creates the Job again. Only that incarnation is deleted.
 */
export async function clearFailedJob(cluster: Cluster, live: KubeObject, signal?: AbortSignal): Promise<FailedRun> {
  const run = await failedRun(cluster, live, signal);
  await deleteAndWait(cluster, live, { propagationPolicy: 'Background', ...(run.uid && { uid: run.uid }), ...(signal && { signal }) });
  return run;
}
