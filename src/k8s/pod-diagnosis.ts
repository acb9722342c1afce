// Fail fast on pod-level errors instead of waiting for a timeout (kubectl#738,
// kubernetes#18568), and the words for what a pod is doing. Pure: the waiter feeds it
// pods from a watch and schedules a re-check when an Unschedulable grace period will
// run out.
import { arr, condition, num, rec, str, type KubeObject } from './types.js';

/** Container waiting reasons that will not resolve on their own. */
export const FATAL_WAITING_REASONS: ReadonlySet<string> = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

export const DEFAULT_UNSCHEDULABLE_GRACE_MS = 15_000;

export interface PodProblem {
  pod: string;
  reason: string;
  message: string;
  container?: string;
}

export type PodDiagnosis =
  | { kind: 'ok' }
  | { kind: 'fatal'; problem: PodProblem }
  /** Not fatal yet; call again at `recheckAt` (epoch ms). */
  | { kind: 'grace'; problem: PodProblem; recheckAt: number };

export interface DiagnoseOptions {
  now?: number;
  unschedulableGraceMs?: number;
  /** When the caller first saw this pod Unschedulable (epoch ms), if the condition has no timestamp. */
  firstSeenUnschedulableAt?: number;
}

/** Init containers first: a failing init container is why the others never start. */
const containerStatuses = (pod: KubeObject) => [...arr(rec(pod.status).initContainerStatuses), ...arr(rec(pod.status).containerStatuses)].map(rec);

function lastExit(cs: Record<string, unknown>): string {
  const t = rec(rec(cs.lastState).terminated);
  const code = num(t.exitCode);
  if (code === undefined) return '';
  const reason = str(t.reason);
  return `; last exit code ${code}${reason ? ` (${reason})` : ''}`;
}

export function diagnosePod(pod: KubeObject, opts: DiagnoseOptions = {}): PodDiagnosis {
  const name = pod.metadata.name;
  for (const cs of containerStatuses(pod)) {
    const waiting = rec(rec(cs.state).waiting);
    const reason = str(waiting.reason);
    if (reason && FATAL_WAITING_REASONS.has(reason)) {
      const container = str(cs.name);
      const base = str(waiting.message) ?? '';
      const extra = reason === 'CrashLoopBackOff' ? `restarted ${num(cs.restartCount) ?? 0} times${lastExit(cs)}` : '';
      const message = [base, extra].filter(Boolean).join('; ') || reason;
      const problem: PodProblem = { pod: name, reason, message };
      if (container) problem.container = container;
      return { kind: 'fatal', problem };
    }
  }
  const sched = condition(pod, 'PodScheduled');
  if (sched?.status === 'False' && sched.reason === 'Unschedulable') {
    const now = opts.now ?? Date.now();
    const grace = opts.unschedulableGraceMs ?? DEFAULT_UNSCHEDULABLE_GRACE_MS;
    const fallback = opts.firstSeenUnschedulableAt ?? now;
    const ltt = sched.lastTransitionTime ? Date.parse(sched.lastTransitionTime) : NaN;
    // A timestamp in our future means clock skew: measure from when we first saw it instead.
    const since = Number.isFinite(ltt) && ltt <= now ? ltt : fallback;
    const problem: PodProblem = { pod: name, reason: 'Unschedulable', message: sched.message ?? 'no node can run this pod' };
    if (now - since >= grace) return { kind: 'fatal', problem };
    return { kind: 'grace', problem, recheckAt: since + grace };
  }
  return { kind: 'ok' };
}

/** What to look at for each fatal reason. */
const PROBLEM_HINTS: Readonly<Record<string, string>> = {
  ImagePullBackOff: 'check the image name and tag, and that the cluster can pull from the registry (imagePullSecrets)',
  ErrImagePull: 'check the image name and tag, and that the cluster can pull from the registry (imagePullSecrets)',
  InvalidImageName: 'the image reference is malformed',
  CrashLoopBackOff: 'the container keeps exiting; its logs and exit code say why',
  CreateContainerConfigError: 'a ConfigMap, Secret or key the pod references is missing',
  CreateContainerError: 'the container runtime could not create the container; see the events',
  Unschedulable: 'no node can run the pod: check resource requests, node selectors, taints and volume claims',
};

/**
 * The kubelet's and runc's words that point at the pod's securityContext rather than at
 * what the reason usually means (CreateContainerConfigError is also how the kubelet
 * refuses runAsNonRoot against an image that runs as root).
 */
const MESSAGE_HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/runAsNonRoot and image will run as root/, "the image runs as root and the pod's securityContext sets runAsNonRoot: run it as a user the image supports (runAsUser), or allow root (runAsNonRoot: false)"],
  [/permission denied/, "the user the pod runs as (securityContext runAsUser/runAsGroup) cannot reach the image's program or working directory: run it as the image's own user, or use an image built for that user"],
];

/** Whether the pod's securityContext explains the problem (MESSAGE_HINTS matched). Pure. */
export function isSecurityProblem(p: PodProblem): boolean {
  return MESSAGE_HINTS.some(([re]) => re.test(p.message));
}

export function problemHint(p: PodProblem): string | undefined {
  return MESSAGE_HINTS.find(([re]) => re.test(p.message))?.[1] ?? PROBLEM_HINTS[p.reason];
}

/**
 * The least-ready pod of a workload and what it is doing; `failing` when it runs but is
 * not ready, or its container is stuck in a fatal waiting reason (a crash loop): then the
 * pod's own Warning events (the kubelet's probe failures, back-offs) say why. Pure.
 */
export function laggingPod(pods: readonly KubeObject[]): { pod: string; note: string; failing: boolean } | undefined {
  for (const p of pods) {
    const st = rec(p.status);
    const pod = p.metadata.name;
    const waiting = containerStatuses(p).map((c) => str(rec(rec(c.state).waiting).reason)).find(Boolean);
    if (waiting) return { pod, note: `pod ${pod}: ${waiting}`, failing: FATAL_WAITING_REASONS.has(waiting) };
    const sched = arr(st.conditions).map(rec).find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (sched) return { pod, note: `pod ${pod}: ${str(sched.reason) ?? 'not scheduled'}${str(sched.message) ? ` (${str(sched.message)})` : ''}`, failing: false };
    const phase = str(st.phase) ?? 'Pending';
    const readyC = arr(st.conditions).map(rec).find((c) => c.type === 'Ready');
    if (phase === 'Pending') return { pod, note: `pod ${pod}: Pending`, failing: false };
    if (phase === 'Running' && readyC?.status !== 'True') return { pod, note: `pod ${pod}: running, not ready`, failing: true };
  }
  return undefined;
}

/** Describes the least-ready pod of a workload, for progress and timeout messages. */
export function podNote(pods: readonly KubeObject[]): string | undefined {
  return laggingPod(pods)?.note;
}

/** `container X exited with code N (Reason): message` for the first container that failed. */
export function terminatedSummary(pod: KubeObject): string | undefined {
  for (const c of containerStatuses(pod)) {
    const t = rec(rec(c.state).terminated);
    const code = num(t.exitCode);
    if (code !== undefined && code !== 0) {
      const msg = str(t.message)?.trim();
      return `container ${str(c.name) ?? '?'} exited with code ${code}${str(t.reason) ? ` (${str(t.reason)})` : ''}${msg ? `: ${msg}` : ''}`;
    }
  }
  return undefined;
}

/** The container whose logs explain a failure: one that exited non-zero, now or last time. */
export function failedContainer(pod: KubeObject): string | undefined {
  for (const c of containerStatuses(pod)) {
    if (num(rec(rec(c.state).terminated).exitCode) || num(rec(rec(c.lastState).terminated).exitCode)) return str(c.name);
  }
  return undefined;
}
