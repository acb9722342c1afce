// Fail fast on pod-level errors instead of waiting for a timeout (DESIGN.md rule 5;
// kubectl#738, kubernetes#18568). Pure: the waiter feeds it pods from a watch and
// schedules a re-check when an Unschedulable grace period will run out.
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

function lastExit(cs: Record<string, unknown>): string {
  const t = rec(rec(cs.lastState).terminated);
  const code = num(t.exitCode);
  if (code === undefined) return '';
  const reason = str(t.reason);
  return `; last exit code ${code}${reason ? ` (${reason})` : ''}`;
}

export function diagnosePod(pod: KubeObject, opts: DiagnoseOptions = {}): PodDiagnosis {
  const name = pod.metadata.name;
  const st = rec(pod.status);
  // Init containers first: a failing init container is why the others never start.
  const statuses = [...arr(st.initContainerStatuses), ...arr(st.containerStatuses)].map(rec);
  for (const cs of statuses) {
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
