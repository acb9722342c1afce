// Why the engine failed, as data. src/k8s/ speaks Kubernetes: its messages and hints
// name objects, fields and API options, never a command-line flag or a command. A
// failure the caller can do something about carries an EngineReason, so the caller
// (src/commands/engine-errors.ts for the CLI) can word that remedy in its own terms;
// the message builders it may reuse are here too. No I/O and no heavy imports: the
// CLI loads this module at start-up.
import type { StuckObject } from './delete.js';
import type { PreflightCheck } from './preflight.js';

/** What is wrong with a kubeconfig (kubeconfigProblemMessage words it). */
export type KubeconfigProblem =
  | { kind: 'unreadable'; detail: string }
  | { kind: 'noContexts' }
  /** ConnectOptions.context is not in the kubeconfig. */
  | { kind: 'unknownContext'; context: string; available: string[] }
  /** No (valid) current context, and none was chosen. */
  | { kind: 'noCurrentContext'; available: string[] }
  | { kind: 'noServer'; context: string; cluster: string }
  | { kind: 'noUser'; context: string; user: string };

/** Why planScale refused a request. */
export type ScaleRefusal =
  | { kind: 'nothingAsked' }
  | { kind: 'replicasAndRange' }
  | { kind: 'replicasUnderHpa'; ref: string; hpa: { name: string; min: number; max: number } }
  | { kind: 'rangeWithoutHpa'; ref: string }
  | { kind: 'minAboveMax'; min: number; max: number; maxFromHpa: boolean };

export type EngineReason =
  /** Server-side apply: fields are owned by another field manager; ApplyOptions.forceConflicts takes them over. */
  | { reason: 'conflict' }
  /** waitForObjects ran out of time (WaitOptions.timeoutMs). */
  | { reason: 'waitTimeout'; timeoutMs: number }
  /** Deleted objects were still there at the deadline (DeleteOptions.deadline), e.g. held by a finalizer. */
  | { reason: 'deleteTimeout'; timeoutMs: number; stuck: StuckObject[] }
  /** A live holder keeps the Lease; AcquireOptions.force takes it. */
  | { reason: 'lockHeld'; lease: string; holder: string }
  /** The Lease was lost while held: taken over (or deleted) by someone else, or not renewable. */
  | { reason: 'lockLost'; lease: string; takenOver: boolean }
  | { reason: 'scaleRefused'; refusal: ScaleRefusal }
  /** ConnectOptions.kubeconfig names a file that does not exist. */
  | { reason: 'kubeconfigMissing'; file: string }
  /** No kubeconfig was given and none was found (`KUBECONFIG` when that variable named only missing files). */
  | { reason: 'noKubeconfig'; KUBECONFIG?: string }
  /**
   * The kubeconfig cannot be used as it is. `origin` is how the message names it;
   * `file` is set when the caller chose the file (ConnectOptions.kubeconfig).
   */
  | { reason: 'kubeconfigProblem'; problem: KubeconfigProblem; origin: string; file?: string }
  /** 401: the API server rejected the credentials. */
  | { reason: 'unauthorized' }
  /** The API server stopped answering after writes began; applying the same plan again resumes. */
  | { reason: 'apiServerLost' }
  /** Error-severity preflight checks failed; nothing was written. */
  | { reason: 'preflightFailed'; context: string; failed: PreflightCheck[] }
  /**
   * The plan changes immutable fields of these objects (src/k8s/immutable.ts); nothing
   * was written. RecreateOptions.recreate deletes them orphaning their pods and creates
   * them anew; `grow`: the claims that would be expanded on the way.
   */
  | { reason: 'immutableFields'; objects: string[]; grow: string[]; lines: string[] }
  /**
   * A pod of this workload failed in a way its securityContext explains (the kubelet's or
   * runc's message, pod-diagnosis.ts); `hint` is the engine's words for it.
   */
  | { reason: 'podSecurityContext'; kind: string; name: string; hint: string }
  /** Several failures reported as one: each one's reason, or else its hint. */
  | { reason: 'several'; parts: { reason?: EngineReason; hint?: string }[] };

/** An error with the reason the engine gives for it. */
export type Reasoned<E extends Error = Error> = E & { readonly engineReason: EngineReason };

/** Attaches the reason to an error (of whatever class gives it its exit code). */
export function withReason<E extends Error>(e: E, reason: EngineReason): Reasoned<E> {
  return Object.assign(e, { engineReason: reason });
}

export function reasonOf(e: unknown): EngineReason | undefined {
  return e instanceof Error && 'engineReason' in e ? (e as Reasoned).engineReason : undefined;
}

/** What is wrong with a kubeconfig, in words; `origin` names where it came from. Pure. */
export function kubeconfigProblemMessage(p: KubeconfigProblem, origin: string): string {
  switch (p.kind) {
    case 'unreadable':
      return `kubeconfig ${origin} could not be read: ${p.detail}`;
    case 'noContexts':
      return `kubeconfig ${origin} defines no contexts`;
    case 'unknownContext':
      return `context "${p.context}" is not in kubeconfig ${origin}; available: ${p.available.join(', ')}`;
    case 'noCurrentContext':
      return `kubeconfig ${origin} has no current context; choose one (available: ${p.available.join(', ')})`;
    case 'noServer':
      return `context "${p.context}" refers to cluster "${p.cluster}", which has no server in ${origin}`;
    case 'noUser':
      return `context "${p.context}" refers to user "${p.user}", which is not in ${origin}`;
  }
}

/** The plan changes immutable fields (one line per field); `remedy` follows on its own line. Pure. */
export function immutableFieldsMessage(lines: readonly string[], remedy?: string): string {
  return `the plan changes fields Kubernetes does not let change in place; nothing was written:\n  - ${lines.join('\n  - ')}${remedy ? `\n${remedy}` : ''}`;
}

/** The message of a failed preflight, one line per failed check. Pure. */
export function preflightFailure(context: string, messages: readonly string[]): string {
  const list = messages.length === 1 ? ` ${messages[0]}` : `\n  - ${messages.join('\n  - ')}`;
  return `preflight failed (context "${context}"); nothing was written:${list}`;
}

/** How a caller names the parts of a scale request in scaleRefusalMessage. */
export interface ScaleWords {
  /** Before a message about the replica count, and about the range. */
  replicasPrefix: string;
  rangePrefix: string;
  /** The replica count, and how to give one. */
  replicas: string;
  giveReplicas: string;
  range: string;
  /** After "change its range": how. */
  changeRangeBy: string;
  max: string;
}

const ENGINE_SCALE_WORDS: ScaleWords = {
  replicasPrefix: '',
  rangePrefix: '',
  replicas: 'a replica count',
  giveReplicas: 'a replica count',
  range: 'a min/max range',
  changeRangeBy: '',
  max: 'maximum',
};

/** Why a scale request was refused, in the caller's words for the request. Pure. */
export function scaleRefusalMessage(r: ScaleRefusal, w: ScaleWords = ENGINE_SCALE_WORDS): string {
  switch (r.kind) {
    case 'nothingAsked':
      return `${w.replicasPrefix}give ${w.giveReplicas} (or ${w.range} when an HPA scales the workload)`;
    case 'replicasAndRange':
      return `${w.replicasPrefix}${w.replicas} and ${w.range} are alternatives; give one`;
    case 'replicasUnderHpa':
      return `${w.replicasPrefix}${r.ref} is scaled by HorizontalPodAutoscaler ${r.hpa.name} (min ${r.hpa.min}, max ${r.hpa.max}); setting replicas would fight the autoscaler: change its range${w.changeRangeBy} instead (nothing was changed)`;
    case 'rangeWithoutHpa':
      return `${w.rangePrefix}no HorizontalPodAutoscaler targets ${r.ref}; use ${w.giveReplicas}`;
    case 'minAboveMax':
      return `${w.rangePrefix}${r.min} is greater than the maximum ${r.max}${r.maxFromHpa ? ` (the HPA's current ${w.max})` : ''}`;
  }
}
